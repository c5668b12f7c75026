package dev.strata.api.metadata;

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

    void addListener(MetadataListener listener);

    void removeListener(MetadataListener listener);
}
