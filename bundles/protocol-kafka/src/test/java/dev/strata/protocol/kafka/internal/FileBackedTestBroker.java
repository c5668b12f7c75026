package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.ConfigEntry;
import dev.strata.api.broker.ConfigOp;
import dev.strata.api.broker.ConfigResource;
import dev.strata.api.broker.DeleteRecordsResult;
import dev.strata.api.broker.LogDirDescription;
import dev.strata.api.broker.ProducerDescription;
import dev.strata.api.broker.CreateTopicResult;
import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.ListOffsetResult;
import dev.strata.api.broker.ProduceResult;
import dev.strata.api.broker.ProducerIdResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.LogSlice;
import dev.strata.api.log.LogSliceSource;
import dev.strata.api.metadata.TopicMetadata;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordBatches;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A small {@link Broker} for protocol tests, standing in for the broker bundle: one log file per partition in a temp
 * directory (so fetches hand out real {@link FileChannel} slices), offsets assigned on append, a long poll that
 * waits up to {@code maxWaitMs} once when nothing is there. Thread-safe.
 */
final class FileBackedTestBroker implements Broker, AutoCloseable {
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final Path dir;
    private final TestMetadataStore metadata = new TestMetadataStore();
    private final Map<TopicPartition, PartitionFile> partitions = new ConcurrentHashMap<>();
    private final AtomicLong producerIds = new AtomicLong(1000);
    private volatile boolean autoCreate;

    FileBackedTestBroker(Path dir) {
        this.dir = dir;
    }

    void setAutoCreate(boolean autoCreate) {
        this.autoCreate = autoCreate;
    }

    @Override
    public TestMetadataStore metadata() {
        return metadata;
    }

    /** One partition's log: batches appended to a file, with an in-memory list of where each one starts. */
    private static final class PartitionFile {
        final FileChannel channel;
        final List<long[]> batches = new ArrayList<>(); // {baseOffset, lastOffset, position, size, maxTimestamp}
        long nextOffset;
        long size;

        PartitionFile(Path file) throws IOException {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        }

        synchronized long append(ByteBuffer records) throws IOException {
            ByteBuffer copy = ByteBuffer.allocate(records.remaining()).put(records.duplicate()).flip();
            List<RecordBatch> parsed = RecordBatches.parse(copy);
            if (parsed.isEmpty()) {
                throw new StrataException(ErrorCode.CORRUPT_MESSAGE, "no record batch");
            }
            long base = nextOffset;
            for (RecordBatch batch : parsed) {
                batch.ensureValid();
                batch.setBaseOffset(nextOffset);
                batches.add(new long[] {nextOffset, batch.lastOffset(), size + batch.start(), batch.sizeInBytes(),
                        batch.maxTimestamp()});
                nextOffset = batch.lastOffset() + 1;
            }
            long pos = size;
            while (copy.hasRemaining()) {
                pos += channel.write(copy, pos);
            }
            size = pos;
            return base;
        }

        synchronized LogSlice read(long offset, int maxBytes) {
            for (int i = 0; i < batches.size(); i++) {
                long[] b = batches.get(i);
                if (b[1] >= offset) {
                    long start = b[2];
                    long end = start + b[3];
                    for (int j = i + 1; j < batches.size() && batches.get(j)[2] + batches.get(j)[3] - start
                            <= maxBytes; j++) {
                        end = batches.get(j)[2] + batches.get(j)[3];
                    }
                    return new LogSlice(LogSliceSource.ofChannel(channel), start, (int) (end - start), b[0]);
                }
            }
            return LogSlice.EMPTY;
        }

        synchronized long offsetForTimestamp(long timestamp) {
            for (long[] b : batches) {
                if (b[4] >= timestamp) {
                    return b[0];
                }
            }
            return -1;
        }

        synchronized long maxTimestampOffset() {
            return batches.isEmpty() ? -1 : batches.get(batches.size() - 1)[0];
        }
    }

    private PartitionFile partition(TopicPartition tp) {
        TopicMetadata topic = metadata.topic(tp.topic()).orElse(null);
        if (topic == null || tp.partition() >= topic.partitionCount()) {
            return null;
        }
        return partitions.computeIfAbsent(tp, k -> {
            try {
                return new PartitionFile(dir.resolve(tp + ".log"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** As the broker: a partition the metadata says another broker (or none) leads is not served here. */
    private boolean ledElsewhere(TopicPartition tp) {
        return metadata.partitionState(tp).map(s -> s.leader() != metadata.localBrokerId()).orElse(false);
    }

    @Override
    public CompletableFuture<ProduceResult> produce(TopicPartition tp, ByteBuffer records, short acks, int timeoutMs,
                                                    RequestContext context) {
        if (ledElsewhere(tp)) {
            return CompletableFuture.completedFuture(ProduceResult.error(ErrorCode.NOT_LEADER_OR_FOLLOWER,
                    "Leader not local for partition " + tp));
        }
        PartitionFile file = partition(tp);
        if (file == null) {
            return CompletableFuture.completedFuture(ProduceResult.error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                    "unknown " + tp));
        }
        try {
            long base = file.append(records);
            return CompletableFuture.completedFuture(new ProduceResult(ErrorCode.NONE, base, -1, 0, null));
        } catch (StrataException e) {
            return CompletableFuture.completedFuture(ProduceResult.error(e.error(), e.getMessage()));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(ProduceResult.error(ErrorCode.CORRUPT_MESSAGE, e.toString()));
        }
    }

    @Override
    public CompletableFuture<List<FetchResult>> fetch(FetchParams params, RequestContext context) {
        List<FetchResult> now = read(params);
        long bytes = now.stream().mapToLong(r -> r.records().size()).sum();
        if (bytes >= Math.max(1, params.minBytes()) || params.maxWaitMs() <= 0) {
            return CompletableFuture.completedFuture(now);
        }
        // A simple long poll: look again once the wait is over.
        return CompletableFuture.supplyAsync(() -> read(params),
                CompletableFuture.delayedExecutor(params.maxWaitMs(), TimeUnit.MILLISECONDS));
    }

    private List<FetchResult> read(FetchParams params) {
        List<FetchResult> results = new ArrayList<>();
        for (FetchPartition p : params.partitions()) {
            if (ledElsewhere(p.tp())) {
                results.add(FetchResult.error(p.tp(), ErrorCode.NOT_LEADER_OR_FOLLOWER));
                continue;
            }
            PartitionFile file = partition(p.tp());
            if (file == null) {
                results.add(FetchResult.error(p.tp(), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
                continue;
            }
            long hw;
            synchronized (file) {
                hw = file.nextOffset;
            }
            if (p.fetchOffset() > hw || p.fetchOffset() < 0) {
                results.add(FetchResult.error(p.tp(), ErrorCode.OFFSET_OUT_OF_RANGE));
                continue;
            }
            results.add(new FetchResult(p.tp(), ErrorCode.NONE, hw, hw, 0, file.read(p.fetchOffset(),
                    p.maxBytes())));
        }
        return results;
    }

    @Override
    public ListOffsetResult listOffset(TopicPartition tp, long timestamp, IsolationLevel isolation) {
        if (ledElsewhere(tp)) {
            return new ListOffsetResult(ErrorCode.NOT_LEADER_OR_FOLLOWER, -1, -1);
        }
        PartitionFile file = partition(tp);
        if (file == null) {
            return new ListOffsetResult(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
        }
        synchronized (file) {
            if (timestamp == ListOffsetResult.EARLIEST_TIMESTAMP) {
                return new ListOffsetResult(ErrorCode.NONE, -1, 0);
            }
            if (timestamp == ListOffsetResult.LATEST_TIMESTAMP) {
                return new ListOffsetResult(ErrorCode.NONE, -1, file.nextOffset);
            }
            if (timestamp == ListOffsetResult.MAX_TIMESTAMP) {
                return new ListOffsetResult(ErrorCode.NONE, -1, file.maxTimestampOffset());
            }
            long offset = file.offsetForTimestamp(timestamp);
            return new ListOffsetResult(ErrorCode.NONE, offset < 0 ? -1 : timestamp, offset);
        }
    }

    @Override
    public boolean autoCreateTopicsEnabled() {
        return autoCreate;
    }

    @Override
    public CreateTopicResult createTopic(String name, int partitions, short replicationFactor,
                                         Map<String, String> configs, boolean validateOnly, RequestContext context) {
        if (name == null || !TOPIC_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            return new CreateTopicResult(ErrorCode.INVALID_TOPIC_EXCEPTION, "Illegal topic name '" + name + "'",
                    null);
        }
        int n = partitions == -1 ? 1 : partitions;
        short rf = replicationFactor == -1 ? 1 : replicationFactor;
        if (n <= 0) {
            return new CreateTopicResult(ErrorCode.INVALID_PARTITIONS, "Number of partitions must be > 0", null);
        }
        if (rf != 1) {
            return new CreateTopicResult(ErrorCode.INVALID_REPLICATION_FACTOR,
                    "Replication factor " + rf + " is larger than the 1 available broker", null);
        }
        for (String key : configs.keySet()) {
            if (!key.equals("retention.ms") && !key.equals("cleanup.policy")) {
                return new CreateTopicResult(ErrorCode.INVALID_CONFIG, "Unknown topic config " + key, null);
            }
        }
        if (metadata.topic(name).isPresent()) {
            return new CreateTopicResult(ErrorCode.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.",
                    null);
        }
        if (validateOnly) {
            return new CreateTopicResult(ErrorCode.NONE, null, new TopicMetadata(name, null, n, rf, configs));
        }
        try {
            return new CreateTopicResult(ErrorCode.NONE, null, metadata.createTopic(name, n, rf, configs));
        } catch (StrataException e) {
            return new CreateTopicResult(e.error(), e.getMessage(), null);
        }
    }

    /** Places nothing: the partitions and replication factor the assignment implies, checked as a count would be. */
    @Override
    public CreateTopicResult createTopic(String name, List<List<Integer>> replicaAssignment,
                                         Map<String, String> configs, boolean validateOnly, RequestContext context) {
        return createTopic(name, replicaAssignment.size(), (short) replicaAssignment.get(0).size(), configs,
                validateOnly, context);
    }

    @Override
    public ErrorCode deleteTopic(String name, RequestContext context) {
        try {
            TopicMetadata removed = metadata.deleteTopic(name);
            for (int p = 0; p < removed.partitionCount(); p++) {
                partitions.remove(new TopicPartition(name, p));
            }
            return ErrorCode.NONE;
        } catch (StrataException e) {
            return e.error();
        }
    }

    @Override
    public List<ConfigEntry> describeConfigs(ConfigResource resource) {
        if (resource.type() != ConfigResource.Type.TOPIC) {
            return List.of();
        }
        String topic = resource.name();
        TopicMetadata t = metadata.topic(topic).orElseThrow(
                () -> new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "No topic " + topic));
        List<ConfigEntry> entries = new ArrayList<>();
        entries.add(t.configs().containsKey("retention.ms")
                ? entry("retention.ms", t.configs().get("retention.ms"), ConfigEntry.Source.DYNAMIC_TOPIC_CONFIG)
                : entry("retention.ms", "604800000", ConfigEntry.Source.DEFAULT_CONFIG));
        entries.add(entry("segment.bytes", "1073741824", ConfigEntry.Source.STATIC_BROKER_CONFIG));
        entries.add(entry("cleanup.policy", t.configs().getOrDefault("cleanup.policy", "delete"),
                t.configs().containsKey("cleanup.policy") ? ConfigEntry.Source.DYNAMIC_TOPIC_CONFIG
                        : ConfigEntry.Source.DEFAULT_CONFIG));
        return entries;
    }

    private static ConfigEntry entry(String name, String value, ConfigEntry.Source source) {
        return new ConfigEntry(name, value, source, false, false, List.of(), ConfigEntry.Type.STRING, null);
    }

    @Override
    public void incrementalAlterConfigs(ConfigResource resource, List<ConfigOp> ops, boolean validateOnly,
                                        RequestContext context) {
        throw new UnsupportedOperationException("not in this test broker");
    }

    @Override
    public void alterConfigs(ConfigResource resource, Map<String, String> configs, boolean validateOnly,
                             RequestContext context) {
        throw new UnsupportedOperationException("not in this test broker");
    }

    @Override
    public void createPartitions(String topic, int totalCount, List<List<Integer>> newAssignments,
                                 boolean validateOnly, RequestContext context) {
        throw new UnsupportedOperationException("not in this test broker");
    }

    @Override
    public CompletableFuture<DeleteRecordsResult> deleteRecords(TopicPartition tp, long offset, int timeoutMs,
                                                                 RequestContext context) {
        throw new UnsupportedOperationException("not in this test broker");
    }

    @Override
    public List<LogDirDescription> describeLogDirs(Collection<TopicPartition> partitions) {
        throw new UnsupportedOperationException("not in this test broker");
    }

    @Override
    public List<ProducerDescription> describeProducers(TopicPartition tp) {
        throw new UnsupportedOperationException("not in this test broker");
    }

    @Override
    public ProducerIdResult initProducerId(String transactionalId, int transactionTimeoutMs,
                                           RequestContext context) {
        if (transactionalId != null) {
            return new ProducerIdResult(ErrorCode.INVALID_TXN_STATE, -1, (short) -1);
        }
        return new ProducerIdResult(ErrorCode.NONE, producerIds.getAndIncrement(), (short) 0);
    }

    @Override
    public void close() throws IOException {
        for (PartitionFile file : partitions.values()) {
            file.channel.close();
        }
    }
}
