package dev.strata.metadata.zookeeper.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.BrokerInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ElectionsTest {
    private static final TopicPartition T0 = new TopicPartition("t", 0);

    // ---- reconcile: new partitions ----

    @Test
    void newPartitionsGetTheirFirstEligibleReplicaAndTheEligibleOnesAsIsr() {
        List<List<Integer>> assignment = List.of(List.of(1, 2, 3), List.of(2, 3, 1), List.of(3, 1, 2));
        record Case(Set<Integer> live, Set<Integer> shuttingDown, List<LeaderAndIsr> expected) {
        }
        List<Case> cases = List.of(
                new Case(Set.of(1, 2, 3), Set.of(),
                        List.of(lai(1, 0, 1, 2, 3), lai(2, 0, 2, 3, 1), lai(3, 0, 3, 1, 2))),
                new Case(Set.of(2, 3), Set.of(), List.of(lai(2, 0, 2, 3), lai(2, 0, 2, 3), lai(3, 0, 3, 2))),
                new Case(Set.of(1, 2, 3), Set.of(3), List.of(lai(1, 0, 1, 2), lai(2, 0, 2, 1), lai(1, 0, 1, 2))),
                new Case(Set.of(3), Set.of(), List.of(lai(3, 0, 3), lai(3, 0, 3), lai(3, 0, 3))),
                // None eligible: offline with every replica in the ISR, so the first to register leads cleanly.
                new Case(Set.of(), Set.of(), List.of(lai(-1, 0, 1, 2, 3), lai(-1, 0, 2, 3, 1), lai(-1, 0, 3, 1, 2))),
                new Case(Set.of(4), Set.of(), List.of(lai(-1, 0, 1, 2, 3), lai(-1, 0, 2, 3, 1), lai(-1, 0, 3, 1, 2))),
                new Case(Set.of(1), Set.of(1), List.of(lai(-1, 0, 1, 2, 3), lai(-1, 0, 2, 3, 1), lai(-1, 0, 3, 1, 2))));
        for (Case c : cases) {
            ClusterView view = view(c.live, c.shuttingDown, false, topic("t", assignment, Map.of(), Map.of()));
            List<TopicPartition> unclean = new ArrayList<>();
            Map<TopicPartition, LeaderAndIsr> expected = new TreeMap<>();
            for (int p = 0; p < 3; p++) {
                expected.put(new TopicPartition("t", p), c.expected.get(p));
            }
            assertEquals(expected, Elections.reconcile(view, unclean), c.toString());
            assertEquals(List.of(), unclean, c.toString());
        }
    }

    // ---- reconcile: partitions with a state ----

    /** One partition on [1, 2, 3] (or {@code replicas}) with {@code state}: what reconcile writes, if anything. */
    private record Step(String what, List<Integer> replicas, LeaderAndIsr state, Set<Integer> live,
                        Set<Integer> shuttingDown, String uncleanConfig, boolean uncleanDefault,
                        LeaderAndIsr expected, boolean electedUnclean) {
    }

    private static Step step(String what, LeaderAndIsr state, Set<Integer> live, LeaderAndIsr expected) {
        return new Step(what, List.of(1, 2, 3), state, live, Set.of(), null, false, expected, false);
    }

    @Test
    void leaderFailureFollowerRemovalAndReturnToAnOfflinePartition() {
        List<Step> steps = List.of(
                step("all live: nothing to do", lai(1, 5, 1, 2, 3), Set.of(1, 2, 3), null),
                step("leader gone, ISR members live", lai(1, 5, 1, 2, 3), Set.of(2, 3), lai(2, 6, 2, 3)),
                step("leader gone, next in assignment order", lai(1, 5, 1, 3, 2), Set.of(2, 3), lai(2, 6, 3, 2)),
                step("leader and one follower gone", lai(1, 5, 1, 2, 3), Set.of(3), lai(3, 6, 3)),
                step("leader gone, its follower out of sync", lai(1, 5, 1, 3), Set.of(2, 3), lai(3, 6, 3)),
                step("leader gone, no ISR member live: offline, ISR kept", lai(1, 5, 1), Set.of(2, 3),
                        lai(-1, 6, 1)),
                step("all gone: offline, ISR kept", lai(1, 5, 1, 2, 3), Set.of(), lai(-1, 6, 1, 2, 3)),
                step("already offline, still no ISR member: nothing", lai(-1, 6, 1), Set.of(2, 3), null),
                step("last leader returns", lai(-1, 6, 1), Set.of(1, 2, 3), lai(1, 7, 1)),
                step("an ISR member returns, the rest leave", lai(-1, 6, 1, 2, 3), Set.of(2), lai(2, 7, 2)),
                step("ISR members return together", lai(-1, 6, 3, 2), Set.of(2, 3), lai(2, 7, 3, 2)),
                step("a follower gone leaves the ISR", lai(1, 5, 1, 2, 3), Set.of(1, 3), lai(1, 6, 1, 3)),
                step("two followers gone", lai(1, 5, 1, 2, 3), Set.of(1), lai(1, 6, 1)),
                step("an out-of-sync replica gone: nothing", lai(1, 5, 1, 3), Set.of(1, 3), null),
                step("a returning out-of-sync replica is not added", lai(1, 5, 1), Set.of(1, 2, 3), null),
                new Step("a shutting-down follower leaves the ISR", List.of(1, 2, 3), lai(1, 5, 1, 2, 3),
                        Set.of(1, 2, 3), Set.of(2), null, false, lai(1, 6, 1, 3), false),
                new Step("a shutting-down leader hands over", List.of(1, 2, 3), lai(1, 5, 1, 2, 3),
                        Set.of(1, 2, 3), Set.of(1), null, false, lai(2, 6, 2, 3), false),
                new Step("a shutting-down last ISR member keeps leading", List.of(1, 2, 3), lai(1, 5, 1),
                        Set.of(1, 2, 3), Set.of(1), "true", false, null, false),
                new Step("... but its dead followers leave", List.of(1, 2, 3), lai(1, 5, 1, 3),
                        Set.of(1, 2), Set.of(1), null, false, lai(1, 6, 1), false),
                new Step("... and so do its shutting-down followers", List.of(1, 2, 3), lai(1, 5, 1, 2),
                        Set.of(1, 2, 3), Set.of(1, 2), null, false, lai(1, 6, 1), false),
                new Step("a shutting-down broker is not elected", List.of(1, 2, 3), lai(-1, 6, 2),
                        Set.of(2, 3), Set.of(2), "true", false, lai(3, 7, 3), true),
                new Step("unclean allowed by the topic", List.of(1, 2, 3), lai(1, 5, 1), Set.of(2, 3), Set.of(),
                        "true", false, lai(2, 6, 2), true),
                new Step("unclean allowed by the broker default", List.of(1, 2, 3), lai(1, 5, 1), Set.of(3),
                        Set.of(), null, true, lai(3, 6, 3), true),
                new Step("the topic's false wins over the default", List.of(1, 2, 3), lai(1, 5, 1), Set.of(3),
                        Set.of(), " false ", true, lai(-1, 6, 1), false),
                new Step("unclean election of an offline partition", List.of(1, 2, 3), lai(-1, 6, 1),
                        Set.of(3), Set.of(), "true", false, lai(3, 7, 3), true),
                new Step("unclean allowed but an ISR member is live: clean", List.of(1, 2, 3), lai(1, 5, 1, 3),
                        Set.of(2, 3), Set.of(), "true", false, lai(3, 6, 3), false),
                new Step("unclean allowed, no replica live: offline", List.of(1, 2, 3), lai(1, 5, 1),
                        Set.of(4), Set.of(), "true", false, lai(-1, 6, 1), false),
                new Step("RF=1 leader gone: offline, not moved", List.of(2), lai(2, 0, 2), Set.of(1, 3),
                        Set.of(), null, false, lai(-1, 1, 2), false),
                new Step("RF=1 leader back", List.of(2), lai(-1, 1, 2), Set.of(1, 2, 3),
                        Set.of(), null, false, lai(2, 2, 2), false));
        for (Step s : steps) {
            Map<String, String> configs = s.uncleanConfig == null ? Map.of()
                    : Map.of("unclean.leader.election.enable", s.uncleanConfig);
            ClusterView view = view(s.live, s.shuttingDown, s.uncleanDefault,
                    topic("t", List.of(s.replicas), configs, Map.of(0, s.state)));
            List<TopicPartition> unclean = new ArrayList<>();
            Map<TopicPartition, LeaderAndIsr> changes = Elections.reconcile(view, unclean);
            assertEquals(s.expected == null ? Map.of() : Map.of(T0, s.expected), changes, s.what);
            assertEquals(s.electedUnclean ? List.of(T0) : List.of(), unclean, s.what);
            // Applying the decision leaves nothing more to do with the same brokers.
            if (s.expected != null) {
                ClusterView after = view(s.live, s.shuttingDown, s.uncleanDefault,
                        topic("t", List.of(s.replicas), configs, Map.of(0, s.expected)));
                assertEquals(Map.of(), Elections.reconcile(after, new ArrayList<>()), s.what + " (applied)");
            }
        }
    }

    @Test
    void reconcileReturnsOnlyTheChangedPartitionsOfEveryTopic() {
        ClusterView view = view(Set.of(1, 2), Set.of(), false,
                topic("a", List.of(List.of(1, 3), List.of(3, 1), List.of(2, 1)), Map.of(),
                        Map.of(0, lai(1, 2, 1), 1, lai(3, 4, 3, 1), 2, lai(2, 0, 2, 1))),
                topic("b", List.of(List.of(3)), Map.of(), Map.of(0, lai(3, 0, 3))),
                topic("c", List.of(List.of(2, 1)), Map.of(), Map.of()));
        Map<TopicPartition, LeaderAndIsr> expected = new TreeMap<>(Map.of(
                new TopicPartition("a", 1), lai(1, 5, 1),
                new TopicPartition("b", 0), lai(-1, 1, 3),
                new TopicPartition("c", 0), lai(2, 0, 2, 1)));
        Map<TopicPartition, LeaderAndIsr> changes = Elections.reconcile(view, new ArrayList<>());
        assertEquals(expected, changes);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(changes.keySet()), "in partition order");
    }

    // ---- controlled shutdown ----

    @Test
    void controlledShutdownWithReplicationFactorOneMovesNothing() {
        ClusterView view = view(Set.of(1, 2), Set.of(1), false,
                topic("t", List.of(List.of(1), List.of(2), List.of(1)), Map.of(),
                        Map.of(0, lai(1, 3, 1), 1, lai(2, 0, 2), 2, lai(-1, 1, 1))));
        assertEquals(Map.of(), Elections.controlledShutdown(view, 1));
        // Nor does reconcile strip it while it is still registered.
        assertEquals(Map.of(), Elections.reconcile(view, new ArrayList<>()));
    }

    @Test
    void controlledShutdownWithReplicationFactorThreeMovesLeadershipsAndLeavesIsrs() {
        List<List<Integer>> assignment = List.of(List.of(1, 2, 3), List.of(2, 1, 3), List.of(3, 2, 1),
                List.of(1, 3, 2), List.of(1, 2, 3), List.of(2, 3, 1), List.of(1, 2, 3));
        Map<Integer, LeaderAndIsr> states = Map.of(
                0, lai(1, 0, 1, 2, 3),
                1, lai(2, 0, 2, 1, 3),
                2, lai(3, 7, 3, 2, 1),
                3, lai(1, 0, 1, 3, 2),
                4, lai(1, 2, 1), // no other ISR member: stays
                5, lai(2, 0, 2, 3), // not in the ISR: untouched
                6, lai(-1, 4, 1)); // offline: untouched
        ClusterView view = view(Set.of(1, 2, 3), Set.of(1), false, topic("t", assignment, Map.of(), states));
        Map<TopicPartition, LeaderAndIsr> expected = new TreeMap<>(Map.of(
                new TopicPartition("t", 0), lai(2, 1, 2, 3),
                new TopicPartition("t", 1), lai(2, 1, 2, 3),
                new TopicPartition("t", 2), lai(3, 8, 3, 2),
                new TopicPartition("t", 3), lai(3, 1, 3, 2)));
        assertEquals(expected, Elections.controlledShutdown(view, 1));

        // With a second ISR member gone too, the leadership goes to the one left.
        ClusterView twoDown = view(Set.of(1, 3), Set.of(1), false, topic("t", assignment, Map.of(), states));
        assertEquals(lai(3, 1, 3), Elections.controlledShutdown(twoDown, 1).get(T0));

        // Applied, the view needs nothing more from reconcile while broker 1 is still registered.
        Map<Integer, LeaderAndIsr> applied = new HashMap<>(states);
        expected.forEach((tp, s) -> applied.put(tp.partition(), s));
        assertEquals(Map.of(), Elections.reconcile(
                view(Set.of(1, 2, 3), Set.of(1), false, topic("t", assignment, Map.of(), applied)),
                new ArrayList<>()));
        // Once its registration ends, the partition it kept goes offline (clean) with its ISR.
        assertEquals(Map.of(new TopicPartition("t", 4), lai(-1, 3, 1)), Elections.reconcile(
                view(Set.of(2, 3), Set.of(), false, topic("t", assignment, Map.of(), applied)),
                new ArrayList<>()));
    }

    // ---- ElectLeaders ----

    @Test
    void preferredElectionResults() {
        List<List<Integer>> assignment = List.of(List.of(1, 2), List.of(2, 1), List.of(1, 2), List.of(3, 1),
                List.of(4, 1), List.of(2, 1), List.of(1, 2));
        Map<Integer, LeaderAndIsr> states = Map.of(
                0, lai(1, 0, 1, 2), // led by its preferred replica
                1, lai(1, 4, 1, 2), // preferred 2 in the ISR: moves
                2, lai(2, 1, 2), // preferred 1 out of the ISR
                3, lai(1, 1, 1, 3), // preferred 3 shutting down
                4, lai(1, 1, 1, 4), // preferred 4 gone
                5, lai(-1, 3, 2)); // offline, preferred 2 in the ISR: elected
        ClusterView view = view(Set.of(1, 2, 3), Set.of(3), false, topic("t", assignment, Map.of(), states));
        List<TopicPartition> requested = new ArrayList<>();
        for (int p = 0; p < 7; p++) {
            requested.add(new TopicPartition("t", p));
        }
        requested.add(new TopicPartition("t", 7));
        requested.add(new TopicPartition("nope", 0));
        Map<TopicPartition, ErrorCode> results = new LinkedHashMap<>();
        Map<TopicPartition, LeaderAndIsr> changes = Elections.preferred(view, requested, results);

        assertEquals(Map.of(new TopicPartition("t", 1), lai(2, 5, 1, 2), new TopicPartition("t", 5), lai(2, 4, 2)),
                changes);
        Map<TopicPartition, ErrorCode> expected = new LinkedHashMap<>();
        expected.put(new TopicPartition("t", 0), ErrorCode.ELECTION_NOT_NEEDED);
        expected.put(new TopicPartition("t", 1), ErrorCode.NONE);
        expected.put(new TopicPartition("t", 2), ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
        expected.put(new TopicPartition("t", 3), ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
        expected.put(new TopicPartition("t", 4), ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
        expected.put(new TopicPartition("t", 5), ErrorCode.NONE);
        expected.put(new TopicPartition("t", 6), ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE); // no state yet
        expected.put(new TopicPartition("t", 7), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        expected.put(new TopicPartition("nope", 0), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        assertEquals(expected, results);
    }

    @Test
    void uncleanElectionResults() {
        List<List<Integer>> assignment = List.of(List.of(1, 2), List.of(1, 2), List.of(3), List.of(3, 2, 1),
                List.of(1, 2), List.of(2, 1), List.of(1, 2));
        Map<Integer, LeaderAndIsr> states = Map.of(
                0, lai(1, 0, 1, 2), // led by a live broker
                1, lai(-1, 3, 2), // offline, its ISR member shutting down: replica 1, out of the ISR
                2, lai(-1, 1, 3), // no replica live
                3, lai(3, 2, 3, 1, 2), // leader gone, not reconciled yet: clean choice from the ISR
                4, lai(-1, 0, 4), // offline with only an out-of-ISR replica live
                5, lai(2, 0, 2, 1)); // leader shutting down: elected away
        ClusterView view = view(Set.of(1, 2), Set.of(2), false,
                topic("t", assignment, Map.of("unclean.leader.election.enable", "false"), states));
        List<TopicPartition> requested = new ArrayList<>();
        for (int p = 0; p < 8; p++) {
            requested.add(new TopicPartition("t", p));
        }
        Map<TopicPartition, ErrorCode> results = new TreeMap<>();
        Map<TopicPartition, LeaderAndIsr> changes = Elections.unclean(view, requested, results);

        assertEquals(Map.of(
                new TopicPartition("t", 1), lai(1, 4, 1),
                new TopicPartition("t", 3), lai(1, 3, 1),
                new TopicPartition("t", 4), lai(1, 1, 1),
                new TopicPartition("t", 5), lai(1, 1, 1)), changes);
        Map<TopicPartition, ErrorCode> expected = new TreeMap<>();
        expected.put(new TopicPartition("t", 0), ErrorCode.ELECTION_NOT_NEEDED);
        expected.put(new TopicPartition("t", 1), ErrorCode.NONE);
        expected.put(new TopicPartition("t", 2), ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
        expected.put(new TopicPartition("t", 3), ErrorCode.NONE);
        expected.put(new TopicPartition("t", 4), ErrorCode.NONE);
        expected.put(new TopicPartition("t", 5), ErrorCode.NONE);
        expected.put(new TopicPartition("t", 6), ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE); // no state yet
        expected.put(new TopicPartition("t", 7), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        assertEquals(expected, results);
    }

    @Test
    void uncleanElectionPrefersALiveIsrMember() {
        ClusterView view = view(Set.of(2, 3), Set.of(), false,
                topic("t", List.of(List.of(1, 2, 3)), Map.of(), Map.of(0, lai(-1, 9, 1, 3))));
        Map<TopicPartition, ErrorCode> results = new HashMap<>();
        assertEquals(Map.of(T0, lai(3, 10, 3)), Elections.unclean(view, List.of(T0), results));
        assertEquals(Map.of(T0, ErrorCode.NONE), results);
    }

    // ---- automatic leader rebalance ----

    @Test
    void imbalanceAboveTheThresholdReturnsThePartitionsThePreferredReplicaCanTakeBack() {
        record Case(int ledByOther, int outOfIsr, int percentage, int expectedCount) {
        }
        List<Case> cases = List.of(
                new Case(0, 0, 10, 0),
                new Case(1, 0, 10, 0), // 10 %: not above
                new Case(2, 0, 10, 2), // 20 %
                new Case(2, 1, 10, 1), // 20 %, one cannot move back (preferred not in the ISR)
                new Case(1, 0, 0, 1), // anything above 0 %
                new Case(5, 0, 50, 0),
                new Case(6, 0, 50, 6),
                new Case(10, 0, 100, 0)); // 100 % never exceeds 100 %
        for (Case c : cases) {
            Map<Integer, LeaderAndIsr> states = new HashMap<>();
            List<List<Integer>> assignment = new ArrayList<>();
            List<TopicPartition> expected = new ArrayList<>();
            for (int p = 0; p < 10; p++) {
                assignment.add(List.of(1, 2));
                boolean moved = p < c.ledByOther;
                boolean outOfIsr = moved && p < c.outOfIsr;
                states.put(p, moved ? (outOfIsr ? lai(2, 1, 2) : lai(2, 1, 2, 1)) : lai(1, 0, 1, 2));
                if (moved && !outOfIsr) {
                    expected.add(new TopicPartition("t", p));
                }
            }
            // Broker 2 is the preferred leader of "u" and leads it: balanced.
            ClusterView view = view(Set.of(1, 2), Set.of(), false, topic("t", assignment, Map.of(), states),
                    topic("u", List.of(List.of(2, 1)), Map.of(), Map.of(0, lai(2, 0, 2, 1))));
            List<TopicPartition> imbalanced = List.copyOf(Elections.imbalanced(view, c.percentage));
            assertEquals(c.expectedCount == 0 ? List.of() : expected, imbalanced, c.toString());
            assertEquals(c.expectedCount, imbalanced.size(), c.toString());
        }
    }

    @Test
    void imbalanceIsPerPreferredBrokerAndFeedsThePreferredElection() {
        // Broker 1 lost both partitions it prefers to broker 3; broker 2 leads 9 of its 10; broker 4 is gone.
        List<List<Integer>> assignment = new ArrayList<>();
        Map<Integer, LeaderAndIsr> states = new HashMap<>();
        for (int p = 0; p < 2; p++) {
            assignment.add(List.of(1, 3));
            states.put(p, lai(3, 1, 3, 1));
        }
        for (int p = 2; p < 12; p++) {
            assignment.add(List.of(2, 3));
            states.put(p, p == 2 ? lai(3, 1, 3, 2) : lai(2, 0, 2, 3));
        }
        assignment.add(List.of(4, 3));
        states.put(12, lai(3, 1, 3, 4));
        assignment.add(List.of(3, 1)); // no state yet: counts as balanced
        ClusterView view = view(Set.of(1, 2, 3), Set.of(), false, topic("t", assignment, Map.of(), states));

        List<TopicPartition> imbalanced = List.copyOf(Elections.imbalanced(view, 10));
        assertEquals(List.of(new TopicPartition("t", 0), new TopicPartition("t", 1)), imbalanced);
        Map<TopicPartition, ErrorCode> results = new HashMap<>();
        assertEquals(Map.of(new TopicPartition("t", 0), lai(1, 2, 3, 1), new TopicPartition("t", 1), lai(1, 2, 3, 1)),
                Elections.preferred(view, imbalanced, results));
        assertEquals(Map.of(new TopicPartition("t", 0), ErrorCode.NONE, new TopicPartition("t", 1), ErrorCode.NONE),
                results);
        // Broker 1 shutting down: it is not given leaderships back.
        assertEquals(List.of(), List.copyOf(Elections.imbalanced(
                view(Set.of(1, 2, 3), Set.of(1), false, topic("t", assignment, Map.of(), states)), 10)));
    }

    // ---- helpers ----

    static LeaderAndIsr lai(int leader, int epoch, Integer... isr) {
        return new LeaderAndIsr(leader, epoch, List.of(isr));
    }

    static TopicView topic(String name, List<List<Integer>> assignment, Map<String, String> configs,
                           Map<Integer, LeaderAndIsr> states) {
        return new TopicView(name, assignment, configs, states);
    }

    static ClusterView view(Set<Integer> live, Set<Integer> shuttingDown, boolean uncleanDefault,
                            TopicView... topics) {
        Map<Integer, BrokerInfo> brokers = new HashMap<>();
        live.forEach(id -> brokers.put(id, new BrokerInfo(id, "127.0.0.1", 9092 + id, null)));
        Map<String, TopicView> byName = new HashMap<>();
        for (TopicView t : topics) {
            byName.put(t.name(), t);
        }
        return new ClusterView(brokers, shuttingDown, byName, uncleanDefault);
    }
}
