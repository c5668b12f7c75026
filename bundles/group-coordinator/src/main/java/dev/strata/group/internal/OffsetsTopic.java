package dev.strata.group.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.CreateTopicResult;
import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.ListOffsetResult;
import dev.strata.api.broker.ProduceResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.api.metadata.TopicMetadata;
import dev.strata.record.BatchRecord;
import dev.strata.record.InvalidRecordException;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordBatchBuilder;
import dev.strata.record.RecordBatches;
import dev.strata.record.RecordReader;
import dev.strata.record.Records;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's access to {@code __consumer_offsets} through the {@link Broker}: creating it, appending
 * records (one uncompressed batch per write, acks=-1) and reading a partition back from the start. Thread-safe (it
 * holds no mutable state; the broker orders appends to a partition).
 */
final class OffsetsTopic {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetsTopic.class);
    /** Internal: the broker refuses client writes to {@code __consumer_offsets}, not the coordinator's. */
    static final RequestContext CONTEXT = RequestContext.internal("strata-group-coordinator");

    /** A record to write: key and value bytes; a null value is a tombstone. */
    record Write(byte[] key, byte[] value) {
    }

    /** Receives the records of a partition in log order during a load. */
    interface RecordSink {
        void accept(long offset, ByteBuffer key, ByteBuffer value);
    }

    private final Broker broker;
    private final int commitTimeoutMs;

    OffsetsTopic(Broker broker, int commitTimeoutMs) {
        this.broker = broker;
        this.commitTimeoutMs = commitTimeoutMs;
    }

    /**
     * Creates {@code __consumer_offsets} unless it exists (compacted when the broker accepts the setting).
     *
     * @return the topic's partition count, which wins over the configured one once the topic exists
     * @throws IllegalStateException when the topic neither exists nor can be created
     */
    int ensureTopic(int partitions, short replicationFactor) {
        Optional<TopicMetadata> existing = broker.metadata().topic(GroupCoordinator.OFFSETS_TOPIC);
        if (existing.isPresent()) {
            return existing.get().partitionCount();
        }
        // Kafka's offsets.topic.segment.bytes (100 MiB): segments roll, so the log cleaner can compact them.
        CreateTopicResult r = broker.createTopic(GroupCoordinator.OFFSETS_TOPIC, partitions, replicationFactor,
                Map.of("cleanup.policy", "compact", "segment.bytes", "104857600"), false, CONTEXT);
        if (r.error() == ErrorCode.INVALID_CONFIG) {
            LOG.info("Broker refused cleanup.policy=compact for {} ({}); creating it with defaults",
                    GroupCoordinator.OFFSETS_TOPIC, r.message());
            r = broker.createTopic(GroupCoordinator.OFFSETS_TOPIC, partitions, replicationFactor, Map.of(), false,
                    CONTEXT);
        }
        if (r.error() == ErrorCode.NONE && r.topic() != null) {
            LOG.info("Created {} with {} partitions", GroupCoordinator.OFFSETS_TOPIC, r.topic().partitionCount());
            return r.topic().partitionCount();
        }
        existing = broker.metadata().topic(GroupCoordinator.OFFSETS_TOPIC);
        if (existing.isPresent()) { // created concurrently (TOPIC_ALREADY_EXISTS)
            return existing.get().partitionCount();
        }
        throw new IllegalStateException("Cannot create " + GroupCoordinator.OFFSETS_TOPIC + ": " + r.error() + " "
                + r.message());
    }

    /** Appends the records as one batch to {@code partition}; completes with the broker's answer (never
     * exceptionally). */
    CompletableFuture<ProduceResult> append(int partition, List<Write> writes, long nowMs) {
        RecordBatchBuilder builder = new RecordBatchBuilder();
        for (Write w : writes) {
            builder.add(nowMs, w.key(), w.value());
        }
        ByteBuffer batch;
        try {
            batch = builder.build();
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(ProduceResult.error(ErrorCode.UNKNOWN_SERVER_ERROR, e.toString()));
        }
        TopicPartition tp = new TopicPartition(GroupCoordinator.OFFSETS_TOPIC, partition);
        try {
            CompletableFuture<ProduceResult> f = broker.produce(tp, batch, (short) -1, commitTimeoutMs, CONTEXT)
                    .exceptionally(t -> ProduceResult.error(ErrorCode.UNKNOWN_SERVER_ERROR, t.toString()));
            // Callers append under a group lock and take it again when the write completes. A write that completes
            // later must not run that callback on the broker thread completing it (which may hold broker locks
            // that an appending thread waits for), so it is handed to another thread.
            return f.isDone() ? f : f.thenApplyAsync(r -> r);
        } catch (StrataException e) {
            // e.g. LEADER_NOT_AVAILABLE while the broker restarts: retriable for the client.
            LOG.warn("Append to {} failed: {} {}", tp, e.error(), e.getMessage());
            return CompletableFuture.completedFuture(ProduceResult.error(e.error(), e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("Append to {} failed", tp, e);
            return CompletableFuture.completedFuture(ProduceResult.error(ErrorCode.UNKNOWN_SERVER_ERROR, e.toString()));
        }
    }

    /**
     * Reads one partition from its log start to its high watermark, handing every record to {@code sink} in order.
     * Control batches are skipped; a compressed batch (never written by the coordinator) is decompressed only if a
     * codec were available, so it is skipped with a warning; a corrupt batch ends the load of the partition.
     *
     * @return the number of records read
     */
    long load(int partition, int maxBytesPerFetch, RecordSink sink) throws IOException, TimeoutException,
            InterruptedException {
        TopicPartition tp = new TopicPartition(GroupCoordinator.OFFSETS_TOPIC, partition);
        ListOffsetResult start = broker.listOffset(tp, ListOffsetResult.EARLIEST_TIMESTAMP,
                IsolationLevel.READ_UNCOMMITTED);
        if (start.error() != ErrorCode.NONE) {
            throw new IOException("Cannot find the start of " + tp + ": " + start.error());
        }
        long next = Math.max(0, start.offset());
        long count = 0;
        while (true) {
            FetchParams params = new FetchParams(-1, 0, 0, maxBytesPerFetch, IsolationLevel.READ_UNCOMMITTED,
                    List.of(new FetchPartition(tp, next, maxBytesPerFetch)));
            FetchResult r;
            try {
                r = broker.fetch(params, CONTEXT).get(30, TimeUnit.SECONDS).get(0);
            } catch (ExecutionException e) {
                throw new IOException("Fetch of " + tp + " failed", e.getCause());
            }
            if (r.error() == ErrorCode.OFFSET_OUT_OF_RANGE && r.logStartOffset() > next) {
                next = r.logStartOffset(); // compaction or retention moved the start
                continue;
            }
            if (r.error() != ErrorCode.NONE) {
                throw new IOException("Fetch of " + tp + " at " + next + " failed: " + r.error());
            }
            if (r.records().isEmpty()) {
                if (next < r.highWatermark()) {
                    throw new IOException("Fetch of " + tp + " at " + next + " returned nothing below the high "
                            + "watermark " + r.highWatermark());
                }
                return count;
            }
            ByteBuffer buf;
            try {
                buf = r.records().readFully();
            } finally {
                r.records().release();
            }
            long before = next;
            try {
                for (RecordBatch batch : RecordBatches.parse(buf)) {
                    if (batch.nextOffset() <= next) {
                        continue; // the slice may start at a batch holding already read offsets
                    }
                    next = batch.nextOffset();
                    batch.ensureValid();
                    if (batch.isControl()) {
                        continue;
                    }
                    if (batch.compressionId() != 0) {
                        LOG.warn("Skipping compressed batch at {} of {}: the coordinator writes uncompressed batches",
                                batch.baseOffset(), tp);
                        continue;
                    }
                    RecordReader reader = Records.reader(batch, null);
                    while (reader.hasNext()) {
                        BatchRecord rec = reader.next();
                        if (rec.key() == null) {
                            continue;
                        }
                        sink.accept(rec.offset(), rec.key(), rec.value());
                        count++;
                    }
                }
            } catch (InvalidRecordException e) {
                LOG.error("Corrupt batch in {} near offset {}; ignoring the rest of the partition", tp, next, e);
                return count;
            }
            if (next == before) {
                throw new IOException("No progress reading " + tp + " at " + next);
            }
        }
    }
}
