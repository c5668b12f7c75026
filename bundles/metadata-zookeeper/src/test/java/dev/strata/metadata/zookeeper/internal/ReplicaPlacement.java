package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.metadata.BrokerInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;

/**
 * TEST-ONLY STAND-IN, to be deleted when the real ReplicaPlacement (branch issue11-zkctl) is merged: it shadows the
 * main class on the unit-test class path with a plain round robin over the sorted brokers. Not packaged.
 */
final class ReplicaPlacement {
    private ReplicaPlacement() {
    }

    static List<List<Integer>> assign(int partitions, int replicationFactor, Collection<BrokerInfo> brokers,
                                      int firstPartition, List<List<Integer>> existing, Random random) {
        List<Integer> ids = brokers.stream().map(BrokerInfo::id).sorted().toList();
        if (replicationFactor > ids.size()) {
            throw new StrataException(ErrorCode.INVALID_REPLICATION_FACTOR, "Replication factor: "
                    + replicationFactor + " larger than available brokers: " + ids.size() + ".");
        }
        List<List<Integer>> out = new ArrayList<>();
        for (int p = firstPartition; p < firstPartition + partitions; p++) {
            List<Integer> replicas = new ArrayList<>();
            for (int r = 0; r < replicationFactor; r++) {
                replicas.add(ids.get((p + r) % ids.size()));
            }
            out.add(replicas);
        }
        return out;
    }
}
