package dev.strata.api.broker;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.MetadataStore;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The broker's request logic, registered as an OSGi service once its log store and metadata are ready. Protocol
 * bundles decode requests, call this, and encode the answers; nothing here knows a wire format. Methods never block
 * on other clients: waits (acks, long poll) are expressed as futures. Implementations are thread-safe.
 */
// The broker bundle implements it; callers (protocol, coordinators, tools) only call it.
@ProviderType
public interface Broker {

    /** Cluster-wide facts: brokers, topics, partition leadership. */
    MetadataStore metadata();

    /**
     * Validates and appends record batches (Kafka v2 format) to one partition.
     *
     * @param acks 0, 1 or -1 (all in-sync replicas)
     * @param timeoutMs how long acks=-1 may wait for replication
     * @return completes once the write is acknowledged as {@code acks} asks; never completes exceptionally: errors
     *     come back as a result with an error code
     */
    CompletableFuture<ProduceResult> produce(TopicPartition tp, ByteBuffer records, short acks, int timeoutMs,
                                             RequestContext context);

    /** Long-poll fetch; the future completes with one result per requested partition, in request order. */
    CompletableFuture<List<FetchResult>> fetch(FetchParams params, RequestContext context);

    /**
     * The offset for a timestamp: {@link ListOffsetResult#EARLIEST_TIMESTAMP}, {@link
     * ListOffsetResult#LATEST_TIMESTAMP}, {@link ListOffsetResult#MAX_TIMESTAMP} or a time in ms.
     */
    ListOffsetResult listOffset(TopicPartition tp, long timestamp, IsolationLevel isolation);

    /** Whether a Metadata request for an unknown topic may create it ({@code auto.create.topics.enable}). */
    boolean autoCreateTopicsEnabled();

    /**
     * Creates a topic. {@code partitions} or {@code replicationFactor} of -1 take the broker defaults
     * ({@code num.partitions}, {@code default.replication.factor}).
     */
    CreateTopicResult createTopic(String name, int partitions, short replicationFactor, Map<String, String> configs,
                                  boolean validateOnly, RequestContext context);

    /**
     * Creates a topic with a manual replica assignment: partition {@code p} is placed on the brokers
     * {@code replicaAssignment.get(p)}, the first one the preferred leader. Every list must be non-empty, name
     * registered brokers only, each once, and all lists must have the same size (the replication factor);
     * otherwise the result is INVALID_REPLICA_ASSIGNMENT, as in Kafka.
     */
    CreateTopicResult createTopic(String name, List<List<Integer>> replicaAssignment, Map<String, String> configs,
                                  boolean validateOnly, RequestContext context);

    ErrorCode deleteTopic(String name, RequestContext context);

    /**
     * Every setting of a topic ({@link ConfigResource.Type#TOPIC}) or a broker ({@link ConfigResource.Type#BROKER}:
     * this broker's id, or {@code ""} for the cluster-wide defaults set dynamically) with its effective value,
     * source and synonyms, sorted by name. {@link ConfigResource.Type#BROKER_LOGGER} is the protocol's (it asks the
     * logging backend).
     *
     * @throws dev.strata.api.common.StrataException UNKNOWN_TOPIC_OR_PARTITION for an unknown topic,
     *     INVALID_REQUEST for another broker's id or a logger resource
     */
    List<ConfigEntry> describeConfigs(ConfigResource resource);

    /**
     * IncrementalAlterConfigs: applies {@code ops} to the resource's dynamic settings, validated as Kafka validates
     * them (all or nothing), persisted, and applied to the running broker at once (a ConfigAdmin edit of the same
     * broker setting is the same change).
     *
     * @throws dev.strata.api.common.StrataException INVALID_CONFIG (unknown key, bad value, read-only setting, an
     *     APPEND or SUBTRACT on a non-list), UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST (a duplicate key)
     */
    void incrementalAlterConfigs(ConfigResource resource, List<ConfigOp> ops, boolean validateOnly,
                                 RequestContext context);

    /**
     * AlterConfigs (the older call): replaces every dynamic setting of the resource with {@code configs}; settings
     * not named go back to their defaults. Validated, persisted and applied like
     * {@link #incrementalAlterConfigs}.
     */
    void alterConfigs(ConfigResource resource, Map<String, String> configs, boolean validateOnly,
                      RequestContext context);

    /**
     * CreatePartitions: grows a topic to {@code totalCount} partitions and opens the new ones.
     *
     * @param newAssignments replicas of each new partition, or null to let the broker place them
     * @throws dev.strata.api.common.StrataException INVALID_PARTITIONS (not more than now), UNKNOWN_TOPIC_OR_PARTITION,
     *     INVALID_REPLICA_ASSIGNMENT, POLICY_VIOLATION (the broker's partition limit)
     */
    void createPartitions(String topic, int totalCount, List<List<Integer>> newAssignments, boolean validateOnly,
                          RequestContext context);

    /**
     * DeleteRecords: moves the partition's log start offset up to {@code offset} ({@code -1}: the high watermark).
     * Completes with OFFSET_OUT_OF_RANGE beyond the high watermark; never exceptionally.
     */
    CompletableFuture<DeleteRecordsResult> deleteRecords(TopicPartition tp, long offset, int timeoutMs,
                                                          RequestContext context);

    /**
     * DescribeLogDirs: the broker's log directories with their partitions' sizes.
     *
     * @param partitions the partitions to report, or null for all
     */
    List<LogDirDescription> describeLogDirs(Collection<TopicPartition> partitions);

    /**
     * DescribeProducers: the producers with state on a partition this broker leads.
     *
     * @throws dev.strata.api.common.StrataException UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER
     */
    List<ProducerDescription> describeProducers(TopicPartition tp);

    /**
     * A new producer id with epoch 0 for an idempotent producer ({@code transactionalId} null). Transactions are not
     * supported yet: a transactional id is answered with an error.
     */
    ProducerIdResult initProducerId(String transactionalId, int transactionTimeoutMs, RequestContext context);
}
