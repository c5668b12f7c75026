package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.metadata.BrokerInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where new partitions go, as Kafka's AdminUtils.assignReplicasToBrokers places them: rack-unaware (replicas
 * spread round the brokers sorted by id from a random start, followers shifted so partitions of different leaders
 * do not share the same followers) or, when every broker has a rack, rack-aware (brokers interleaved by rack so
 * each partition's replicas are on as many racks as possible). A null or blank rack counts as none. Stateless.
 */
final class ReplicaPlacement {
    private ReplicaPlacement() {
    }

    /**
     * Replica lists for {@code partitions} new partitions numbered from {@code firstPartition} (0 for a new topic,
     * the current count for CreatePartitions); element {@code i} is partition {@code firstPartition + i}, its first
     * replica the preferred leader.
     *
     * @param replicationFactor the topic's (for CreatePartitions Kafka uses the size of partition 0's list)
     * @param existing the current assignment of the topic (empty for a new topic): CreatePartitions starts where
     *     Kafka starts (the first broker, by id, not below partition 0's first replica gives the start index and the
     *     follower shift), and {@code random} is then not used
     * @throws dev.strata.api.common.StrataException INVALID_REPLICATION_FACTOR ("Replication factor: 3 larger than
     *     available brokers: 2."), INVALID_PARTITIONS, and UNKNOWN_SERVER_ERROR when only some brokers have a rack
     *     (what Kafka's ZooKeeper-mode CreateTopics answers to its AdminOperationException)
     */
    static List<List<Integer>> assign(int partitions, int replicationFactor, Collection<BrokerInfo> brokers,
                                      int firstPartition, List<List<Integer>> existing, Random random) {
        if (partitions <= 0) {
            throw new StrataException(ErrorCode.INVALID_PARTITIONS, "Number of partitions must be larger than 0.");
        }
        if (replicationFactor <= 0) {
            throw new StrataException(ErrorCode.INVALID_REPLICATION_FACTOR,
                    "Replication factor must be larger than 0.");
        }
        Map<Integer, BrokerInfo> byId = new TreeMap<>();
        brokers.forEach(b -> byId.putIfAbsent(b.id(), b));
        if (replicationFactor > byId.size()) {
            throw new StrataException(ErrorCode.INVALID_REPLICATION_FACTOR, "Replication factor: " + replicationFactor
                    + " larger than available brokers: " + byId.size() + ".");
        }
        List<BrokerInfo> sorted = List.copyOf(byId.values());
        long withRack = sorted.stream().filter(b -> rack(b) != null).count();
        if (withRack > 0 && withRack < sorted.size()) {
            throw new StrataException(ErrorCode.UNKNOWN_SERVER_ERROR,
                    "Not all brokers have rack information for replica rack aware assignment.");
        }
        int startIndex;
        int shift;
        if (existing.isEmpty() || existing.get(0).isEmpty()) {
            startIndex = random.nextInt(sorted.size());
            shift = random.nextInt(sorted.size());
        } else {
            // Kafka's CreatePartitions: one fixed index for both, so the new partitions continue the old pattern.
            int first = existing.get(0).get(0);
            startIndex = 0;
            while (startIndex < sorted.size() && sorted.get(startIndex).id() < first) {
                startIndex++;
            }
            startIndex = startIndex == sorted.size() ? 0 : startIndex;
            shift = startIndex;
        }
        int start = Math.max(0, firstPartition);
        return withRack == 0
                ? rackUnaware(partitions, replicationFactor, sorted.stream().map(BrokerInfo::id).toList(), startIndex,
                        shift, start)
                : rackAware(partitions, replicationFactor, sorted, startIndex, shift, start);
    }

    private static List<List<Integer>> rackUnaware(int partitions, int replicationFactor, List<Integer> brokers,
                                                   int startIndex, int shift, int firstPartition) {
        int n = brokers.size();
        List<List<Integer>> result = new ArrayList<>(partitions);
        for (int partition = firstPartition; partition < firstPartition + partitions; partition++) {
            if (partition > 0 && partition % n == 0) {
                shift++;
            }
            int first = (partition + startIndex) % n;
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            replicas.add(brokers.get(first));
            for (int j = 0; j < replicationFactor - 1; j++) {
                replicas.add(brokers.get(replicaIndex(first, shift, j, n)));
            }
            result.add(List.copyOf(replicas));
        }
        return result;
    }

    /**
     * Round-robin on the rack-alternated list; a follower is skipped while its rack already holds a replica and
     * another rack holds none, or it already is a replica and another broker is not.
     */
    private static List<List<Integer>> rackAware(int partitions, int replicationFactor, List<BrokerInfo> brokers,
                                                 int startIndex, int shift, int firstPartition) {
        Map<Integer, String> rackOf = new TreeMap<>();
        brokers.forEach(b -> rackOf.put(b.id(), rack(b)));
        int racks = new HashSet<>(rackOf.values()).size();
        List<Integer> arranged = rackAlternated(rackOf);
        int n = arranged.size();
        List<List<Integer>> result = new ArrayList<>(partitions);
        for (int partition = firstPartition; partition < firstPartition + partitions; partition++) {
            if (partition > 0 && partition % n == 0) {
                shift++;
            }
            int first = (partition + startIndex) % n;
            int leader = arranged.get(first);
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            replicas.add(leader);
            Set<String> racksUsed = new HashSet<>(List.of(rackOf.get(leader)));
            Set<Integer> brokersUsed = new HashSet<>(List.of(leader));
            int k = 0;
            for (int j = 0; j < replicationFactor - 1; j++) {
                while (true) {
                    int broker = arranged.get(replicaIndex(first, shift * racks, k++, n));
                    String rack = rackOf.get(broker);
                    if ((!racksUsed.contains(rack) || racksUsed.size() == racks)
                            && (!brokersUsed.contains(broker) || brokersUsed.size() == n)) {
                        replicas.add(broker);
                        racksUsed.add(rack);
                        brokersUsed.add(broker);
                        break;
                    }
                }
            }
            result.add(List.copyOf(replicas));
        }
        return result;
    }

    /**
     * The brokers taken one per rack in turn (racks sorted by name, brokers by id within a rack): racks r1 = {0, 1},
     * r2 = {3, 4}, r3 = {6} give 0, 3, 6, 1, 4.
     */
    static List<Integer> rackAlternated(Map<Integer, String> rackOf) {
        Map<String, List<Integer>> byRack = new TreeMap<>();
        new TreeMap<>(rackOf).forEach((id, rack) -> byRack.computeIfAbsent(rack, r -> new ArrayList<>()).add(id));
        List<Iterator<Integer>> iterators = byRack.values().stream().map(List::iterator).toList();
        List<Integer> result = new ArrayList<>(rackOf.size());
        for (int i = 0; result.size() < rackOf.size(); i = (i + 1) % iterators.size()) {
            if (iterators.get(i).hasNext()) {
                result.add(iterators.get(i).next());
            }
        }
        return result;
    }

    /** The broker index of follower {@code j}: past the first replica by 1 + (shift + j) mod (brokers - 1). */
    private static int replicaIndex(int first, int shift, int j, int brokers) {
        long step = 1 + ((long) shift + j) % (brokers - 1);
        return (int) ((first + step) % brokers);
    }

    private static String rack(BrokerInfo broker) {
        return broker.rack() == null || broker.rack().isBlank() ? null : broker.rack();
    }
}
