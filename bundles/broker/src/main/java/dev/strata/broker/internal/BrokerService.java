package dev.strata.broker.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.ConfigEntry;
import dev.strata.api.broker.ConfigOp;
import dev.strata.api.broker.ConfigResource;
import dev.strata.api.broker.DeleteRecordsResult;
import dev.strata.api.broker.LogDirDescription;
import dev.strata.api.broker.ProducerDescription;
import dev.strata.api.broker.CreateTopicResult;
import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.ListOffsetResult;
import dev.strata.api.broker.ProduceResult;
import dev.strata.api.broker.ProducerIdResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.TopicMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request logic behind the {@link Broker} service. Produce appends on the caller's thread (a protocol
 * request-handler thread, never an event loop); waits (acks=-1, long-poll fetch) are futures completed by appends
 * or the shared scheduler, so a caller never blocks on another client.
 *
 * <p>Thread-safety: thread-safe; the settings are swapped atomically on reconfiguration.
 */
final class BrokerService implements Broker {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerService.class);

    private final MetadataStore metadata;
    private final LogManager logs;
    private final FetchReader fetchReader;
    private final DelayedFetchPurgatory purgatory;
    private final OffsetLookup offsetLookup;
    private final ProducerIdManager producerIds;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier clock;
    private final PartitionBudget partitionBudget = PartitionBudget.ofThisProcess();
    private final PartitionAdmin partitionAdmin;
    private volatile BrokerSettings settings;
    private final Object alterLock = new Object();
    private volatile Consumer<Map<String, String>> brokerConfigsAltered = changed -> { };

    BrokerService(BrokerSettings settings, MetadataStore metadata, LogManager logs, FetchReader fetchReader,
                  DelayedFetchPurgatory purgatory, ProducerIdManager producerIds, ScheduledExecutorService scheduler,
                  LongSupplier clock) {
        this.settings = settings;
        this.metadata = metadata;
        this.logs = logs;
        this.fetchReader = fetchReader;
        this.purgatory = purgatory;
        this.offsetLookup = new OffsetLookup(logs);
        this.partitionAdmin = new PartitionAdmin(metadata, logs, () -> this.settings);
        this.producerIds = producerIds;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    void updateSettings(BrokerSettings next) {
        this.settings = next;
    }

    @Override
    public MetadataStore metadata() {
        return metadata;
    }

    @Override
    public CompletableFuture<ProduceResult> produce(TopicPartition tp, ByteBuffer records, short acks, int timeoutMs,
                                                    RequestContext context) {
        if (acks != 0 && acks != 1 && acks != -1) {
            return done(ProduceResult.error(ErrorCode.INVALID_REQUIRED_ACKS,
                    "acks must be 0, 1 or -1 (all), not " + acks));
        }
        if (InternalTopics.checkAppend(tp.topic(), context) != ErrorCode.NONE) {
            LOG.debug("Refused a produce to internal topic {} from client {} at {}", tp, context == null ? "?"
                    : context.clientId(), context == null ? "?" : context.clientAddress());
            return done(ProduceResult.error(ErrorCode.INVALID_TOPIC_EXCEPTION,
                    "Cannot append to internal topic " + tp.topic()));
        }
        Partition partition;
        try {
            partition = logs.leaderPartition(tp);
        } catch (StrataException e) {
            return done(ProduceResult.error(e.error(), e.getMessage()));
        }
        return append(partition, records, acks, timeoutMs, context, clock.getAsLong() + logs.storeUnavailableWaitMs());
    }

    /**
     * Appends, or, while the partition's log store is being swapped, waits for its next log until
     * {@code holdUntilMs} and then answers KAFKA_STORAGE_ERROR (retriable: the producer sends again).
     */
    private CompletableFuture<ProduceResult> append(Partition partition, ByteBuffer records, short acks,
                                                    int timeoutMs, RequestContext context, long holdUntilMs) {
        TopicPartition tp = partition.topicPartition();
        Partition.AppendOutcome outcome;
        try {
            outcome = partition.append(records.duplicate(), clock.getAsLong());
        } catch (IOException | RuntimeException e) {
            LOG.error("Appending to {} failed (client {})", tp, context == null ? "?" : context.clientId(), e);
            return done(ProduceResult.error(ErrorCode.KAFKA_STORAGE_ERROR, "Could not write to the log of " + tp));
        }
        if (outcome == Partition.AppendOutcome.DETACHED) {
            long waitMs = holdUntilMs - clock.getAsLong();
            if (waitMs <= 0) {
                return done(outcome.result());
            }
            CompletableFuture<ProduceResult> answer = new CompletableFuture<>();
            AtomicBoolean claimed = new AtomicBoolean();
            ScheduledFuture<?> timer;
            try {
                timer = scheduler.schedule(() -> {
                    if (claimed.compareAndSet(false, true)) {
                        answer.complete(outcome.result());
                    }
                }, waitMs, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                return done(outcome.result());
            }
            partition.whenAttached(() -> {
                if (claimed.compareAndSet(false, true)) {
                    timer.cancel(false);
                    append(partition, records, acks, timeoutMs, context, holdUntilMs).whenComplete((r, e) -> {
                        if (e != null) {
                            answer.completeExceptionally(e);
                        } else {
                            answer.complete(r);
                        }
                    });
                }
            });
            return answer;
        }
        ProduceResult result = outcome.result();
        if (result.error() != ErrorCode.NONE) {
            LOG.debug("Produce to {} refused: {} {}", tp, result.error(), result.message());
        }
        if (acks != -1 || result.error() != ErrorCode.NONE) {
            return done(result);
        }
        return awaitCommit(partition, outcome.requiredHighWatermark(), result, timeoutMs);
    }

    /** acks=-1: answer once the high watermark passes the batch, or REQUEST_TIMED_OUT after timeoutMs. */
    private CompletableFuture<ProduceResult> awaitCommit(Partition partition, long offset, ProduceResult result,
                                                         int timeoutMs) {
        CompletableFuture<Boolean> committed = partition.awaitHighWatermark(offset);
        if (committed.isDone()) {
            return done(committed.join() ? result : notCommitted(partition));
        }
        ScheduledFuture<?> timer;
        try {
            timer = scheduler.schedule(() -> committed.complete(Boolean.FALSE), Math.max(timeoutMs, 0),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            committed.complete(Boolean.FALSE);
            timer = null;
        }
        ScheduledFuture<?> t = timer;
        return committed.thenApply(ok -> {
            if (t != null) {
                t.cancel(false);
            }
            if (ok) {
                return result;
            }
            return partition.isOffline() || !partition.isLeader() ? notCommitted(partition)
                    : ProduceResult.error(ErrorCode.REQUEST_TIMED_OUT,
                    "The batch was written but not replicated within " + timeoutMs + " ms");
        });
    }

    /** Why an acks=-1 wait ended without the commit: the partition was deleted, or its leadership moved. */
    private static ProduceResult notCommitted(Partition partition) {
        return partition.isOffline()
                ? ProduceResult.error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The partition was deleted")
                : ProduceResult.error(ErrorCode.NOT_LEADER_OR_FOLLOWER, "Leadership of "
                        + partition.topicPartition() + " moved before the batch was replicated");
    }

    @Override
    public CompletableFuture<List<FetchResult>> fetch(FetchParams params, RequestContext context) {
        long start = clock.getAsLong();
        FetchReader.Read read = fetchReader.read(params);
        if (params.maxWaitMs() <= 0 || read.failed() || read.bytes() >= params.minBytes()
                || params.partitions().isEmpty()) {
            return CompletableFuture.completedFuture(read.results());
        }
        long remaining = params.maxWaitMs() - Math.max(0, clock.getAsLong() - start);
        return purgatory.park(params, read, remaining); // releases the first read unless it answers with it
    }

    @Override
    public ListOffsetResult listOffset(TopicPartition tp, long timestamp, IsolationLevel isolation) {
        return offsetLookup.listOffset(tp, timestamp, isolation);
    }

    @Override
    public boolean autoCreateTopicsEnabled() {
        return settings.autoCreateTopics();
    }

    @Override
    public CreateTopicResult createTopic(String name, int partitions, short replicationFactor,
                                         Map<String, String> configs, boolean validateOnly, RequestContext context) {
        BrokerSettings s = settings;
        int p = partitions == -1 ? s.numPartitions() : partitions;
        short rf = replicationFactor == -1 ? s.defaultReplicationFactor() : replicationFactor;
        Map<String, String> cfg = configs == null ? Map.of() : configs;
        return creating(name, () -> {
            TopicMetadata valid = TopicValidation.validateNewTopic(metadata, name, p, rf, cfg,
                    metadata.liveBrokers().size());
            partitionBudget.check(metadata, p, s.maxBrokerPartitions());
            return validateOnly ? valid : metadata.createTopic(name, p, rf, valid.configs()); // normalised
        });
    }

    @Override
    public CreateTopicResult createTopic(String name, List<List<Integer>> replicaAssignment,
                                         Map<String, String> configs, boolean validateOnly, RequestContext context) {
        Map<String, String> cfg = configs == null ? Map.of() : configs;
        return creating(name, () -> {
            TopicValidation.validateNameAvailable(metadata, name);
            Set<Integer> registered = new HashSet<>();
            metadata.liveBrokers().forEach(b -> registered.add(b.id()));
            short rf = TopicValidation.validateAssignment(replicaAssignment, registered);
            TopicMetadata valid = TopicValidation.validateNewTopic(metadata, name, replicaAssignment.size(), rf, cfg,
                    registered.size());
            partitionBudget.check(metadata, replicaAssignment.size(), settings.maxBrokerPartitions());
            return validateOnly ? valid : metadata.createTopic(name, replicaAssignment, valid.configs());
        });
    }

    /** Runs a create (or its validation) and turns its refusal into a result with the error. */
    private CreateTopicResult creating(String name, Supplier<TopicMetadata> create) {
        try {
            return new CreateTopicResult(ErrorCode.NONE, null, create.get());
        } catch (StrataException e) {
            LOG.debug("CreateTopics {} refused: {} {}", name, e.error(), e.getMessage());
            return new CreateTopicResult(e.error(), e.getMessage(), null);
        } catch (RuntimeException e) {
            LOG.error("Creating topic {} failed", name, e);
            return new CreateTopicResult(ErrorCode.UNKNOWN_SERVER_ERROR, e.getMessage(), null);
        }
    }

    @Override
    public ErrorCode deleteTopic(String name, RequestContext context) {
        if (!settings.deleteTopicEnable()) {
            return ErrorCode.TOPIC_DELETION_DISABLED;
        }
        if (InternalTopics.isInternal(name)) {
            LOG.warn("Refused to delete internal topic {} (client {})", name, context == null ? "?"
                    : context.clientId());
            return ErrorCode.INVALID_TOPIC_EXCEPTION;
        }
        try {
            metadata.deleteTopic(name); // the log manager follows: deletes the logs, wakes waiting fetches
            return ErrorCode.NONE;
        } catch (StrataException e) {
            return e.error();
        } catch (RuntimeException e) {
            LOG.error("Deleting topic {} failed", name, e);
            return ErrorCode.UNKNOWN_SERVER_ERROR;
        }
    }

    @Override
    public List<ConfigEntry> describeConfigs(ConfigResource resource) {
        BrokerSettings s = settings;
        return switch (resource.type()) {
            case TOPIC -> TopicConfigs.describe(requireTopic(resource.name()).configs(), s);
            case BROKER -> brokerEntity(resource.name(), s).isEmpty() ? s.layers().describeDefault()
                    : s.layers().describeBroker();
            case BROKER_LOGGER -> throw new StrataException(ErrorCode.INVALID_REQUEST,
                    "Broker loggers are described by the protocol, from the logging backend");
        };
    }

    /** Serialises alters (read, change, write), so two IncrementalAlterConfigs on one resource both count. */
    @Override
    public void incrementalAlterConfigs(ConfigResource resource, List<ConfigOp> ops, boolean validateOnly,
                                        RequestContext context) {
        synchronized (alterLock) {
            if (resource.type() == ConfigResource.Type.TOPIC) {
                TopicMetadata t = requireTopic(resource.name());
                alterTopic(t, ConfigAlterations.apply(t.configs(), ops, true), validateOnly);
            } else {
                String entity = brokerEntity(resource.name(), settings);
                alterBroker(entity, ConfigAlterations.apply(metadata.dynamicBrokerConfigs(entity), ops, false),
                        validateOnly);
            }
        }
    }

    @Override
    public void alterConfigs(ConfigResource resource, Map<String, String> configs, boolean validateOnly,
                             RequestContext context) {
        synchronized (alterLock) {
            if (resource.type() == ConfigResource.Type.TOPIC) {
                alterTopic(requireTopic(resource.name()), configs, validateOnly);
            } else {
                alterBroker(brokerEntity(resource.name(), settings), configs, validateOnly);
            }
        }
    }

    /** The log manager follows the store's change (topicConfigChanged) and reconfigures the topic's logs. */
    private void alterTopic(TopicMetadata topic, Map<String, String> configs, boolean validateOnly) {
        Map<String, String> valid = ConfigAlterations.validateTopic(configs);
        if (!validateOnly) {
            metadata.alterTopicConfigs(topic.name(), valid);
        }
    }

    /**
     * Persists the entity's new dynamic settings; the broker component follows the store's change
     * (brokerConfigsChanged) and applies them. This broker's own are also handed to {@link #onBrokerConfigsAltered}
     * (the component writes them to its ConfigAdmin configuration).
     */
    private void alterBroker(String entity, Map<String, String> configs, boolean validateOnly) {
        BrokerSettings s = settings;
        Map<String, String> valid = ConfigAlterations.validateBroker(entity, configs, s.layers(), s.logDir());
        if (validateOnly) {
            return;
        }
        Map<String, String> before = metadata.dynamicBrokerConfigs(entity);
        metadata.alterDynamicBrokerConfigs(entity, valid);
        LOG.info("Dynamic broker configs of {} now {}", entity.isEmpty() ? "the cluster default" : "broker " + entity,
                valid);
        if (!entity.isEmpty()) {
            Map<String, String> changed = new HashMap<>();
            before.keySet().forEach(k -> changed.put(k, null));
            changed.putAll(valid);
            before.forEach((k, v) -> {
                if (v.equals(valid.get(k))) {
                    changed.remove(k);
                }
            });
            if (!changed.isEmpty()) {
                brokerConfigsAltered.accept(changed);
            }
        }
    }

    /**
     * Who to tell when this broker's own dynamic settings changed over Kafka: the changed keys with their new values
     * (null: deleted).
     */
    void onBrokerConfigsAltered(Consumer<Map<String, String>> listener) {
        this.brokerConfigsAltered = listener;
    }

    private TopicMetadata requireTopic(String topic) {
        if (topic.isEmpty()) {
            throw new StrataException(ErrorCode.INVALID_REQUEST, "Default topic resources are not allowed.");
        }
        return metadata.topic(topic).orElseThrow(() -> new StrataException(
                ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic: " + topic));
    }

    /** {@code ""} for the cluster default, else the broker's id as text; another broker's is refused as Kafka does. */
    private static String brokerEntity(String name, BrokerSettings s) {
        if (name.isEmpty()) {
            return name;
        }
        int id;
        try {
            id = Integer.parseInt(name.trim());
        } catch (NumberFormatException e) {
            throw new StrataException(ErrorCode.INVALID_REQUEST, "Broker id must be an integer, but it is: " + name);
        }
        if (id != s.brokerId()) {
            throw new StrataException(ErrorCode.INVALID_REQUEST, "Unexpected broker id, expected " + s.brokerId()
                    + " or empty string, but received " + name);
        }
        return Integer.toString(id);
    }

    /**
     * Checked as Kafka's controller checks it, and against this broker's partition budget as a new topic is; the
     * metadata store records the new count and the log manager, told by it, opens the new partitions. An internal
     * topic keeps its count: the group coordinator places groups by {@code __consumer_offsets}' partition count, so
     * growing it would move groups away from their committed offsets.
     */
    @Override
    public void createPartitions(String topic, int totalCount, List<List<Integer>> newAssignments,
                                 boolean validateOnly, RequestContext context) {
        if (InternalTopics.isInternal(topic)) {
            throw new StrataException(ErrorCode.INVALID_TOPIC_EXCEPTION, "Cannot add partitions to internal topic "
                    + topic + ": consumer groups are placed by its partition count");
        }
        TopicMetadata t = metadata.topic(topic).orElseThrow(() -> new StrataException(
                ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + topic + "' does not exist."));
        Set<Integer> registered = new HashSet<>();
        metadata.liveBrokers().forEach(b -> registered.add(b.id()));
        int additional = TopicValidation.validatePartitionIncrease(t, totalCount, newAssignments, registered);
        partitionBudget.check(metadata, additional, settings.maxBrokerPartitions());
        if (!validateOnly) {
            metadata.createPartitions(topic, totalCount, newAssignments);
        }
    }

    @Override
    public CompletableFuture<DeleteRecordsResult> deleteRecords(TopicPartition tp, long offset, int timeoutMs,
                                                                 RequestContext context) {
        // One replica: the low watermark is the leader's log start offset at once, so nothing waits for timeoutMs.
        return done(partitionAdmin.deleteRecords(tp, offset));
    }

    @Override
    public List<LogDirDescription> describeLogDirs(Collection<TopicPartition> partitions) {
        return partitionAdmin.describeLogDirs(partitions);
    }

    @Override
    public List<ProducerDescription> describeProducers(TopicPartition tp) {
        return partitionAdmin.describeProducers(tp);
    }

    @Override
    public ProducerIdResult initProducerId(String transactionalId, int transactionTimeoutMs,
                                           RequestContext context) {
        if (transactionalId != null) {
            // Transactions are a later issue. This is the one refusal every client (librdkafka included) treats
            // as final at once; anything else is retried until the client's timeout.
            LOG.info("InitProducerId with transactional id {} refused: transactions are not supported yet",
                    transactionalId);
            return new ProducerIdResult(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1, (short) -1);
        }
        try {
            return new ProducerIdResult(ErrorCode.NONE, producerIds.nextProducerId(), (short) 0);
        } catch (StrataException e) {
            return new ProducerIdResult(e.error(), -1, (short) -1);
        }
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
