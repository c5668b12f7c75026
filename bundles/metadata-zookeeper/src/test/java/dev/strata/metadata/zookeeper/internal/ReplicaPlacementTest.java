package dev.strata.metadata.zookeeper.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.metadata.BrokerInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ReplicaPlacementTest {
    // ---- rack-unaware ----

    @Test
    void kafkasExampleOfFiveBrokers() {
        // AdminUtils' Javadoc table: 5 brokers, 10 partitions, 3 replicas, start index 0 and shift 0.
        List<List<Integer>> expected = List.of(List.of(0, 1, 2), List.of(1, 2, 3), List.of(2, 3, 4),
                List.of(3, 4, 0), List.of(4, 0, 1), List.of(0, 2, 3), List.of(1, 3, 4), List.of(2, 4, 0),
                List.of(3, 0, 1), List.of(4, 1, 2));
        assertEquals(expected, ReplicaPlacement.assign(10, 3, brokers(0, 1, 2, 3, 4), 0, List.of(), fixed(0, 0)));
    }

    @Test
    void leadersAndEveryReplicaPositionAreSpreadEvenlyOverThreeAndFiveBrokers() {
        for (List<BrokerInfo> brokers : List.of(brokers(1, 2, 3), brokers(10, 11, 12, 13, 14))) {
            int n = brokers.size();
            for (int partitions : new int[] {1, 2, n, 2 * n + 1, 4 * n, 25}) {
                for (int rf = 1; rf <= Math.min(3, n); rf++) {
                    for (long seed = 0; seed < 10; seed++) {
                        String what = n + " brokers, " + partitions + " partitions, RF " + rf + ", seed " + seed;
                        List<List<Integer>> a = ReplicaPlacement.assign(partitions, rf, brokers, 0, List.of(),
                                new Random(seed));
                        assertWellFormed(a, partitions, rf, ids(brokers), what);
                        for (int j = 0; j < rf; j++) {
                            // Position 0 is the leader: each broker leads partitions/brokers, give or take one.
                            Map<Integer, Integer> counts = countPosition(a, j, ids(brokers));
                            for (int count : counts.values()) {
                                assertTrue(count == partitions / n || count == (partitions + n - 1) / n,
                                        what + ", position " + j + ": " + counts);
                            }
                        }
                        if (partitions % n == 0) {
                            Map<Integer, Integer> replicas = countAll(a, ids(brokers));
                            assertEquals(Set.of(partitions * rf / n), new HashSet<>(replicas.values()), what);
                        }
                        assertEquals(a, ReplicaPlacement.assign(partitions, rf, brokers, 0, List.of(),
                                new Random(seed)), what + ": the same seed, the same placement");
                    }
                }
            }
        }
    }

    @Test
    void theFollowersOfALeaderAreSpreadOverTheOtherBrokers() {
        for (List<BrokerInfo> brokers : List.of(brokers(1, 2, 3), brokers(1, 2, 3, 4, 5))) {
            int n = brokers.size();
            for (long seed = 0; seed < 10; seed++) {
                List<List<Integer>> a = ReplicaPlacement.assign(n * (n - 1), 2, brokers, 0, List.of(),
                        new Random(seed));
                Map<Integer, List<Integer>> followersOf = new TreeMap<>();
                a.forEach(r -> followersOf.computeIfAbsent(r.get(0), b -> new ArrayList<>()).add(r.get(1)));
                for (Map.Entry<Integer, List<Integer>> e : followersOf.entrySet()) {
                    Set<Integer> others = new HashSet<>(ids(brokers));
                    others.remove(e.getKey());
                    assertEquals(n - 1, e.getValue().size(), "seed " + seed);
                    assertEquals(others, new HashSet<>(e.getValue()), "seed " + seed + ": " + followersOf);
                }
            }
        }
    }

    @Test
    void brokersArePlacedByIdWhateverTheirOrderAndBlankRacksAreNone() {
        List<BrokerInfo> sorted = brokers(3, 7, 9, 20);
        List<BrokerInfo> shuffled = new ArrayList<>(sorted);
        Collections.shuffle(shuffled, new Random(5));
        List<BrokerInfo> blankRacks = List.of(broker(3, ""), broker(7, " "), broker(9, null), broker(20, ""));
        List<List<Integer>> expected = ReplicaPlacement.assign(8, 3, sorted, 0, List.of(), new Random(1));
        assertEquals(expected, ReplicaPlacement.assign(8, 3, shuffled, 0, List.of(), new Random(1)));
        assertEquals(expected, ReplicaPlacement.assign(8, 3, blankRacks, 0, List.of(), new Random(1)));
        assertEquals(List.of(3, 7, 9), ReplicaPlacement.assign(1, 3, sorted, 0, List.of(), fixed(0, 0)).get(0));
    }

    // ---- rack-aware ----

    @Test
    void kafkasRackAlternatedExample() {
        List<BrokerInfo> brokers = List.of(broker(0, "rack1"), broker(1, "rack3"), broker(2, "rack3"),
                broker(3, "rack2"), broker(4, "rack2"), broker(5, "rack1"));
        Map<Integer, String> rackOf = new HashMap<>();
        brokers.forEach(b -> rackOf.put(b.id(), b.rack()));
        assertEquals(List.of(0, 3, 1, 5, 4, 2), ReplicaPlacement.rackAlternated(rackOf));
        // Six partitions of three replicas, then a seventh with its followers shifted.
        assertEquals(List.of(List.of(0, 3, 1), List.of(3, 1, 5), List.of(1, 5, 4), List.of(5, 4, 2),
                List.of(4, 2, 0), List.of(2, 0, 3), List.of(0, 4, 2)),
                ReplicaPlacement.assign(7, 3, brokers, 0, List.of(), fixed(0, 0)));
        assertEquals(List.of(0, 3, 6, 1, 4, 7, 2, 5, 8), ReplicaPlacement.rackAlternated(Map.of(
                0, "rack1", 1, "rack1", 2, "rack1", 3, "rack2", 4, "rack2", 5, "rack2", 6, "rack3", 7, "rack3",
                8, "rack3")));
    }

    @Test
    void everyPartitionSpansAsManyRacksAsItHasReplicasOverThreeRacks() {
        List<BrokerInfo> brokers = List.of(broker(1, "a"), broker(2, "a"), broker(3, "b"), broker(4, "b"),
                broker(5, "c"), broker(6, "c"));
        Map<Integer, String> rackOf = new HashMap<>();
        brokers.forEach(b -> rackOf.put(b.id(), b.rack()));
        for (int rf = 1; rf <= 3; rf++) {
            for (long seed = 0; seed < 10; seed++) {
                String what = "RF " + rf + ", seed " + seed;
                List<List<Integer>> a = ReplicaPlacement.assign(12, rf, brokers, 0, List.of(), new Random(seed));
                assertWellFormed(a, 12, rf, ids(brokers), what);
                for (List<Integer> replicas : a) {
                    Set<String> racks = new HashSet<>();
                    replicas.forEach(r -> racks.add(rackOf.get(r)));
                    assertEquals(rf, racks.size(), what + ": " + replicas);
                }
                assertEquals(Set.of(2), new HashSet<>(countPosition(a, 0, ids(brokers)).values()), what);
                // As many replicas as racks and racks of equal size: replicas spread evenly too.
                if (rf == 3) {
                    assertEquals(Set.of(6), new HashSet<>(countAll(a, ids(brokers)).values()), what);
                }
            }
        }
    }

    @Test
    void aRackOfOneBrokerGetsAReplicaOfEveryPartitionBeforeAnyRackGetsTwo() {
        List<BrokerInfo> brokers = List.of(broker(1, "small"), broker(2, "big"), broker(3, "big"),
                broker(4, "big"));
        for (long seed = 0; seed < 10; seed++) {
            for (int rf = 2; rf <= 3; rf++) {
                List<List<Integer>> a = ReplicaPlacement.assign(8, rf, brokers, 0, List.of(), new Random(seed));
                assertWellFormed(a, 8, rf, ids(brokers), "seed " + seed);
                for (List<Integer> replicas : a) {
                    assertTrue(replicas.contains(1), "seed " + seed + ": " + a);
                }
            }
        }
    }

    // ---- CreatePartitions ----

    @Test
    void createPartitionsContinuesFromTheFirstReplicaOfPartitionZero() {
        List<BrokerInfo> brokers = brokers(1, 2, 3);
        List<List<Integer>> existing = ReplicaPlacement.assign(6, 2, brokers, 0, List.of(), fixed(1, 2));
        assertEquals(2, existing.get(0).get(0));
        List<List<Integer>> added = ReplicaPlacement.assign(3, 2, brokers, 6, existing, unusable());
        // Kafka uses partition 0's index (1) for both the start and the follower shift: the leaders go on round
        // the brokers where partition 0 started (6 -> 2, 7 -> 3, 8 -> 1), the followers with shift 1 + 6 / 3.
        assertEquals(ReplicaPlacement.assign(3, 2, brokers, 6, List.of(), fixed(1, 1)), added);
        assertEquals(List.of(List.of(2, 3), List.of(3, 1), List.of(1, 2)), added);
        List<List<Integer>> all = new ArrayList<>(existing);
        all.addAll(added);
        assertEquals(Set.of(3), new HashSet<>(countPosition(all, 0, ids(brokers)).values()));

        // Partition 0's first replica gone: the next broker by id; beyond the last: the first.
        List<BrokerInfo> others = brokers(1, 3, 4);
        assertEquals(List.of(List.of(1, 4), List.of(3, 4)),
                ReplicaPlacement.assign(2, 2, others, 2, List.of(List.of(2, 1), List.of(1, 2)), unusable()));
        assertEquals(List.of(List.of(4, 1), List.of(1, 4)),
                ReplicaPlacement.assign(2, 2, others, 2, List.of(List.of(9, 1), List.of(1, 9)), unusable()));
    }

    @Test
    void createPartitionsWithRacksContinuesTheSameWay() {
        List<BrokerInfo> brokers = List.of(broker(1, "a"), broker(2, "b"), broker(3, "c"), broker(4, "a"));
        List<List<Integer>> existing = ReplicaPlacement.assign(4, 3, brokers, 0, List.of(), fixed(2, 0));
        int first = existing.get(0).get(0);
        int index = ids(brokers).indexOf(first);
        List<List<Integer>> added = ReplicaPlacement.assign(6, 3, brokers, 4, existing, unusable());
        assertEquals(ReplicaPlacement.assign(6, 3, brokers, 4, List.of(), fixed(index, index)), added);
        assertWellFormed(added, 6, 3, ids(brokers), "added");
        for (List<Integer> replicas : added) {
            assertTrue(replicas.contains(2) && replicas.contains(3), "racks b and c: " + added);
        }
    }

    // ---- errors ----

    @Test
    void badRequestsAreRefusedWithKafkasCodesAndMessages() {
        List<BrokerInfo> two = brokers(1, 2);
        record Case(Executable call, ErrorCode error, String message) {
        }
        List<Case> cases = List.of(
                new Case(() -> assign(1, 3, two), ErrorCode.INVALID_REPLICATION_FACTOR,
                        "Replication factor: 3 larger than available brokers: 2."),
                new Case(() -> assign(1, 1, List.of()), ErrorCode.INVALID_REPLICATION_FACTOR,
                        "Replication factor: 1 larger than available brokers: 0."),
                new Case(() -> assign(1, 0, two), ErrorCode.INVALID_REPLICATION_FACTOR,
                        "Replication factor must be larger than 0."),
                new Case(() -> assign(1, -1, two), ErrorCode.INVALID_REPLICATION_FACTOR,
                        "Replication factor must be larger than 0."),
                new Case(() -> assign(0, 1, two), ErrorCode.INVALID_PARTITIONS,
                        "Number of partitions must be larger than 0."),
                new Case(() -> assign(-3, 1, two), ErrorCode.INVALID_PARTITIONS,
                        "Number of partitions must be larger than 0."),
                // Kafka's ZooKeeper-mode placement refuses brokers with and without racks mixed.
                new Case(() -> assign(1, 1, List.of(broker(1, "a"), broker(2, null))), ErrorCode.UNKNOWN_SERVER_ERROR,
                        "Not all brokers have rack information for replica rack aware assignment."),
                new Case(() -> assign(1, 1, List.of(broker(1, ""), broker(2, "b"))), ErrorCode.UNKNOWN_SERVER_ERROR,
                        "Not all brokers have rack information for replica rack aware assignment."));
        for (Case c : cases) {
            StrataException e = assertThrows(StrataException.class, c.call);
            assertEquals(c.error, e.error(), c.message);
            assertEquals(c.message, e.getMessage());
        }
    }

    // ---- helpers ----

    private static void assign(int partitions, int rf, List<BrokerInfo> brokers) {
        ReplicaPlacement.assign(partitions, rf, brokers, 0, List.of(), new Random(0));
    }

    private static void assertWellFormed(List<List<Integer>> a, int partitions, int rf, List<Integer> brokers,
                                         String what) {
        assertEquals(partitions, a.size(), what);
        for (List<Integer> replicas : a) {
            assertEquals(rf, replicas.size(), what + ": " + replicas);
            assertEquals(rf, new HashSet<>(replicas).size(), what + ": a broker twice in " + replicas);
            assertTrue(brokers.containsAll(replicas), what + ": " + replicas);
        }
    }

    private static Map<Integer, Integer> countPosition(List<List<Integer>> a, int position, List<Integer> brokers) {
        Map<Integer, Integer> counts = new TreeMap<>();
        brokers.forEach(b -> counts.put(b, 0));
        a.forEach(r -> counts.merge(r.get(position), 1, Integer::sum));
        return counts;
    }

    private static Map<Integer, Integer> countAll(List<List<Integer>> a, List<Integer> brokers) {
        Map<Integer, Integer> counts = new TreeMap<>();
        brokers.forEach(b -> counts.put(b, 0));
        a.forEach(r -> r.forEach(b -> counts.merge(b, 1, Integer::sum)));
        return counts;
    }

    private static List<Integer> ids(List<BrokerInfo> brokers) {
        return brokers.stream().map(BrokerInfo::id).sorted().toList();
    }

    private static List<BrokerInfo> brokers(int... ids) {
        List<BrokerInfo> brokers = new ArrayList<>();
        for (int id : ids) {
            brokers.add(broker(id, null));
        }
        return brokers;
    }

    private static BrokerInfo broker(int id, String rack) {
        return new BrokerInfo(id, "127.0.0.1", 9092 + id, rack);
    }

    /** A Random that answers the given start index, then the given shift (the two draws Kafka makes). */
    private static Random fixed(int start, int shift) {
        return new Random() {
            private int draws;

            @Override
            public int nextInt(int bound) {
                int v = draws++ == 0 ? start : shift;
                assertTrue(v < bound && draws <= 2, "draw " + draws + " of " + v + " below " + bound);
                return v;
            }
        };
    }

    /** A Random for CreatePartitions, which must not draw (its start comes from partition 0). */
    private static Random unusable() {
        return new Random() {
            @Override
            public int nextInt(int bound) {
                throw new AssertionError("CreatePartitions must not draw at random");
            }
        };
    }
}
