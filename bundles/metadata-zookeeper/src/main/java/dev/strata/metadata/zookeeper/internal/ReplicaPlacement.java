package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.metadata.BrokerInfo;
import java.util.Collection;
import java.util.List;
import java.util.Random;

/**
 * Where new partitions go, as Kafka's AdminUtils.assignReplicasToBrokers places them: rack-unaware (replicas
 * spread round the sorted brokers from a random start, followers shifted so partitions of different leaders do
 * not share the same followers) or, when every broker has a rack, rack-aware (brokers interleaved by rack so each
 * partition's replicas are on as many racks as possible).
 */
final class ReplicaPlacement {
    private ReplicaPlacement() {
    }

    /**
     * Replica lists for {@code partitions} new partitions numbered from {@code firstPartition} (0 for a new topic,
     * the current count for CreatePartitions).
     *
     * @param existing the current assignment of the topic (empty for a new topic): CreatePartitions starts where
     *     Kafka starts (the first replica of partition 0 gives the start index)
     * @throws dev.strata.api.common.StrataException INVALID_REPLICATION_FACTOR ("Replication factor: 3 larger than
     *     available brokers: 2."), INVALID_PARTITIONS, and Kafka's error when only some brokers have a rack
     */
    static List<List<Integer>> assign(int partitions, int replicationFactor, Collection<BrokerInfo> brokers,
                                      int firstPartition, List<List<Integer>> existing, Random random) {
        throw new UnsupportedOperationException("issue 11: being built");
    }
}
