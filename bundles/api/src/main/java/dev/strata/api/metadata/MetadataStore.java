package dev.strata.api.metadata;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Every cluster-wide fact goes through this SPI: the brokers, the topics with their configuration, and who leads
 * each partition. A single broker uses a local implementation persisted under its data directory; a cluster uses
 * one backed by ZooKeeper. Implementations are thread-safe.
 */
// Implemented by the cluster-metadata bundle of the deployment (local, later ZooKeeper), tightly versioned with this API.
@ProviderType
public interface MetadataStore {

    String clusterId();

    /** The id of the broker this store runs in. */
    int localBrokerId();

    List<BrokerInfo> liveBrokers();

    /**
     * The broker that is the cluster's controller now, or -1 while none is known (an election under way, the cluster
     * metadata out of reach). A single broker is its own controller.
     */
    int controllerId();

    Collection<TopicMetadata> topics();

    Optional<TopicMetadata> topic(String name);

    /**
     * Records a new topic. A store keeps true only what it alone can (the name is free, the topic can be placed);
     * Kafka's rules for names and configs are the broker's: {@link dev.strata.api.broker.Broker#createTopic} checks
     * them, normalises the configs and then calls this.
     *
     * @throws dev.strata.api.common.StrataException TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS,
     *     INVALID_REPLICATION_FACTOR...
     */
    TopicMetadata createTopic(String name, int partitions, short replicationFactor, Map<String, String> configs);

    /**
     * Records a new topic placed as {@code replicaAssignment} says: partition {@code p} on the brokers
     * {@code replicaAssignment.get(p)}, the first the preferred leader.
     *
     * @throws dev.strata.api.common.StrataException INVALID_REPLICA_ASSIGNMENT (an empty list, a broker that is not
     *     registered or named twice, lists of different sizes), and the errors of the other {@code createTopic}
     */
    TopicMetadata createTopic(String name, List<List<Integer>> replicaAssignment, Map<String, String> configs);

    /** @throws dev.strata.api.common.StrataException UNKNOWN_TOPIC_OR_PARTITION */
    TopicMetadata deleteTopic(String name);

    /** Replaces the topic's overrides. @throws dev.strata.api.common.StrataException UNKNOWN_TOPIC_OR_PARTITION */
    TopicMetadata alterTopicConfigs(String name, Map<String, String> configs);

    /**
     * Grows a topic to {@code totalCount} partitions (CreatePartitions); the new ones are placed as
     * {@code newAssignments} says (one replica list per new partition), or by the store when it is null.
     *
     * @throws dev.strata.api.common.StrataException UNKNOWN_TOPIC_OR_PARTITION, INVALID_PARTITIONS (not more than
     *     now), INVALID_REPLICA_ASSIGNMENT
     */
    TopicMetadata createPartitions(String name, int totalCount, List<List<Integer>> newAssignments);

    /**
     * The broker settings set dynamically (AlterConfigs on a broker) for {@code entity}: a broker id as text, or
     * {@code ""} for the cluster-wide default. Empty when none.
     */
    Map<String, String> dynamicBrokerConfigs(String entity);

    /** Replaces the dynamic broker settings of {@code entity} (persisted before this returns). */
    void alterDynamicBrokerConfigs(String entity, Map<String, String> configs);

    /** Empty when the partition does not exist. */
    Optional<PartitionState> partitionState(TopicPartition tp);

    /**
     * Reserves {@code count} producer ids that no broker of the cluster hands out again, durably, before it returns
     * (a single broker keeps the next free id in a file; a cluster takes a block from ZooKeeper).
     *
     * @return the first of the reserved ids
     * @throws dev.strata.api.common.StrataException a retriable error (COORDINATOR_LOAD_IN_PROGRESS) when the
     *     cluster metadata cannot be reached
     */
    long allocateProducerIds(int count);

    /**
     * Leader election for {@code partitions} (ElectLeaders), done by the controller: PREFERRED makes each partition's
     * first replica its leader when it is live and in the ISR; UNCLEAN elects any live replica for a partition with
     * no leader. Waits for the controller up to {@code timeoutMs}.
     *
     * @return per partition: NONE (elected), ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
     *     ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION, or REQUEST_TIMED_OUT
     * @throws dev.strata.api.common.StrataException a retriable error (NOT_CONTROLLER, REQUEST_TIMED_OUT) when the
     *     cluster metadata cannot be reached
     */
    Map<TopicPartition, ErrorCode> electLeaders(ElectionType type, Collection<TopicPartition> partitions,
                                                long timeoutMs);

    /**
     * The ISR seam for replication: the leader of {@code tp} at {@code leaderEpoch} sets its in-sync replicas. The
     * write is conditional, so a deposed leader (an older epoch) cannot change them.
     *
     * @return the state now stored
     * @throws dev.strata.api.common.StrataException FENCED_LEADER_EPOCH when {@code leaderEpoch} is not the current
     *     one or this broker does not lead {@code tp}, UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST (an ISR without the
     *     leader or with a broker that is not a replica), a retriable error when the metadata cannot be reached
     */
    PartitionState alterIsr(TopicPartition tp, int leaderEpoch, List<Integer> isr);

    /**
     * This broker is stopping (controlled shutdown): the controller hands each partition it leads to another live
     * in-sync replica and removes it from the ISRs it is in, before the broker closes its logs. Partitions with no
     * other in-sync replica stay led by it until its registration ends. Waits up to {@code timeoutMs}.
     *
     * @return how many partitions this broker still leads (0 when every leadership moved)
     */
    int controlledShutdown(long timeoutMs);

    void addListener(MetadataListener listener);

    void removeListener(MetadataListener listener);
}
