package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * The controller's decisions, as Kafka's ZooKeeper-mode controller makes them (PartitionStateMachine and its
 * leader election strategies), computed from a {@link ClusterView} without touching ZooKeeper: the caller writes
 * the returned states (conditionally) and logs. Each result holds only the partitions whose state changes, in
 * partition order; a new state always carries the next leader epoch (the first state of a partition has epoch 0).
 * Leaders are always chosen in assignment order; a new ISR is the old one filtered (its order kept), and a leader
 * of -1 keeps the ISR as it was, so the last leader is elected again, cleanly, when it returns. A broker in
 * {@link ClusterView#shuttingDown()} is live but never chosen, and leaves ISRs. Stateless and thread-safe.
 */
final class Elections {
    private Elections() {
    }

    /**
     * What the current view requires (run after any change of brokers, topics or states):
     * <ul>
     *   <li>a partition with no state yet: leader = its first eligible replica in assignment order, ISR = its
     *       eligible replicas, epoch 0; with no eligible replica, leader -1 and ISR = all its replicas;</li>
     *   <li>a leader that is not eligible (gone or shutting down): the first eligible ISR member in assignment order
     *       becomes leader, the ineligible ones leave the ISR; with none, an eligible replica outside the ISR when
     *       unclean election is allowed for the topic (ISR = [it]), else leader -1 with the ISR left as it was
     *       (so the last leader is elected again, cleanly, when it returns);</li>
     *   <li>except a leader still live but shutting down with no other eligible ISR member: it keeps the partition
     *       (no unclean election, as Kafka's controlled shutdown) until its registration ends; only its ineligible
     *       followers leave the ISR;</li>
     *   <li>an offline partition (leader -1) with an eligible ISR member: it becomes leader (the ineligible members
     *       leave the ISR); with none, an eligible replica outside the ISR when unclean election is allowed;</li>
     *   <li>a led partition whose ISR holds ineligible followers: they leave the ISR.</li>
     * </ul>
     * An ISR is never emptied by removing members: a state that would be is left as it is.
     *
     * @param uncleanElected filled with the partitions elected out of their ISR (the caller logs the possible loss)
     */
    static Map<TopicPartition, LeaderAndIsr> reconcile(ClusterView view, Collection<TopicPartition> uncleanElected) {
        Map<TopicPartition, LeaderAndIsr> changes = new TreeMap<>();
        for (TopicView topic : view.topics().values()) {
            boolean unclean = view.uncleanAllowed(topic);
            for (int p = 0; p < topic.assignment().size(); p++) {
                TopicPartition tp = new TopicPartition(topic.name(), p);
                List<Integer> replicas = topic.assignment().get(p);
                LeaderAndIsr state = topic.states().get(p);
                LeaderAndIsr next = state == null ? firstState(view, replicas)
                        : reconcileOne(view, replicas, state, unclean, tp, uncleanElected);
                if (next != null) {
                    changes.put(tp, next);
                }
            }
        }
        return changes;
    }

    /** The first state of a new partition (Kafka's NewPartition to OnlinePartition). */
    private static LeaderAndIsr firstState(ClusterView view, List<Integer> replicas) {
        List<Integer> eligible = filter(replicas, view::eligible);
        return eligible.isEmpty() ? new LeaderAndIsr(LeaderAndIsr.NO_LEADER, 0, replicas)
                : new LeaderAndIsr(eligible.get(0), 0, eligible);
    }

    /** The next state of a partition that has one, or null when it stays as it is. */
    private static LeaderAndIsr reconcileOne(ClusterView view, List<Integer> replicas, LeaderAndIsr state,
                                             boolean unclean, TopicPartition tp,
                                             Collection<TopicPartition> uncleanElected) {
        int leader = state.leader();
        if (leader != LeaderAndIsr.NO_LEADER && view.eligible(leader)) {
            return shrunk(view, state);
        }
        Integer clean = firstIn(replicas, r -> view.eligible(r) && state.isr().contains(r));
        if (clean != null) {
            return state.next(clean, filter(state.isr(), view::eligible));
        }
        if (leader != LeaderAndIsr.NO_LEADER && view.liveBrokers().containsKey(leader)) {
            // Shutting down, and no one to hand over to: it keeps leading until its registration ends.
            return shrunk(view, state);
        }
        if (unclean) {
            Integer any = firstIn(replicas, view::eligible);
            if (any != null) {
                uncleanElected.add(tp);
                return state.next(any, List.of(any));
            }
        }
        return leader == LeaderAndIsr.NO_LEADER ? null : state.next(LeaderAndIsr.NO_LEADER, state.isr());
    }

    /** The state without the ineligible followers of its (kept) leader, or null when none is in the ISR. */
    private static LeaderAndIsr shrunk(ClusterView view, LeaderAndIsr state) {
        List<Integer> isr = filter(state.isr(), r -> r == state.leader() || view.eligible(r));
        return isr.equals(state.isr()) || isr.isEmpty() ? null : state.next(state.leader(), isr);
    }

    /**
     * Preferred-replica election (ElectLeaders PREFERRED, and the automatic leader rebalance): each partition's first
     * replica becomes leader when it is eligible and in the ISR; the ISR stays as it is (Kafka's
     * PreferredReplicaPartitionLeaderElectionStrategy). A partition the controller has not given a first state yet
     * gets PREFERRED_LEADER_NOT_AVAILABLE (retriable: {@link #reconcile} is about to elect it).
     *
     * @param results filled per requested partition: NONE (a new state is returned), ELECTION_NOT_NEEDED (already
     *     led by it), PREFERRED_LEADER_NOT_AVAILABLE (not eligible or not in the ISR), UNKNOWN_TOPIC_OR_PARTITION
     */
    static Map<TopicPartition, LeaderAndIsr> preferred(ClusterView view, Collection<TopicPartition> partitions,
                                                       Map<TopicPartition, ErrorCode> results) {
        Map<TopicPartition, LeaderAndIsr> changes = new TreeMap<>();
        for (TopicPartition tp : partitions) {
            List<Integer> replicas = replicas(view, tp);
            if (replicas == null) {
                results.put(tp, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
                continue;
            }
            LeaderAndIsr state = view.topics().get(tp.topic()).states().get(tp.partition());
            int preferred = replicas.isEmpty() ? LeaderAndIsr.NO_LEADER : replicas.get(0);
            if (state != null && preferred != LeaderAndIsr.NO_LEADER && state.leader() == preferred) {
                results.put(tp, ErrorCode.ELECTION_NOT_NEEDED);
            } else if (state != null && view.eligible(preferred) && state.isr().contains(preferred)) {
                changes.put(tp, state.next(preferred, state.isr()));
                results.put(tp, ErrorCode.NONE);
            } else {
                results.put(tp, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
            }
        }
        return changes;
    }

    /**
     * ElectLeaders UNCLEAN: a partition with no eligible leader gets its first eligible replica (in the ISR if any is,
     * else any), whatever the topic's setting (Kafka's OfflinePartitionLeaderElectionStrategy with unclean allowed).
     * A partition the controller has not given a first state yet gets ELIGIBLE_LEADERS_NOT_AVAILABLE (retriable).
     *
     * @param results filled per requested partition: NONE, ELECTION_NOT_NEEDED (it has an eligible leader),
     *     ELIGIBLE_LEADERS_NOT_AVAILABLE (no replica is eligible), UNKNOWN_TOPIC_OR_PARTITION
     */
    static Map<TopicPartition, LeaderAndIsr> unclean(ClusterView view, Collection<TopicPartition> partitions,
                                                     Map<TopicPartition, ErrorCode> results) {
        Map<TopicPartition, LeaderAndIsr> changes = new TreeMap<>();
        for (TopicPartition tp : partitions) {
            List<Integer> replicas = replicas(view, tp);
            if (replicas == null) {
                results.put(tp, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
                continue;
            }
            LeaderAndIsr state = view.topics().get(tp.topic()).states().get(tp.partition());
            if (state != null && state.leader() != LeaderAndIsr.NO_LEADER && view.eligible(state.leader())) {
                results.put(tp, ErrorCode.ELECTION_NOT_NEEDED);
                continue;
            }
            Integer clean = state == null ? null : firstIn(replicas, r -> view.eligible(r) && state.isr().contains(r));
            Integer any = firstIn(replicas, view::eligible);
            if (clean != null) {
                changes.put(tp, state.next(clean, filter(state.isr(), view::eligible)));
                results.put(tp, ErrorCode.NONE);
            } else if (state != null && any != null) {
                changes.put(tp, state.next(any, List.of(any)));
                results.put(tp, ErrorCode.NONE);
            } else {
                results.put(tp, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
            }
        }
        return changes;
    }

    /**
     * Controlled shutdown of {@code broker} (in {@code view.shuttingDown()}): each partition it leads goes to the
     * first other eligible ISR member, and it leaves the ISRs it is in as a follower; partitions it leads with no
     * other eligible ISR member stay as they are (Kafka keeps them until the broker's registration ends), and so do
     * offline partitions (their ISR names the replicas to elect cleanly) and ISRs it is the last member of.
     */
    static Map<TopicPartition, LeaderAndIsr> controlledShutdown(ClusterView view, int broker) {
        IntPredicate other = r -> r != broker && view.eligible(r);
        Map<TopicPartition, LeaderAndIsr> changes = new TreeMap<>();
        for (TopicView topic : view.topics().values()) {
            for (Map.Entry<Integer, LeaderAndIsr> e : topic.states().entrySet()) {
                LeaderAndIsr state = e.getValue();
                int p = e.getKey();
                if (p >= topic.assignment().size() || state.leader() == LeaderAndIsr.NO_LEADER) {
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic.name(), p);
                if (state.leader() == broker) {
                    Integer next = firstIn(topic.assignment().get(p), r -> other.test(r) && state.isr().contains(r));
                    if (next != null) {
                        changes.put(tp, state.next(next, filter(state.isr(), other)));
                    }
                } else if (state.isr().contains(broker) && state.isr().size() > 1) {
                    changes.put(tp, state.next(state.leader(), filter(state.isr(), r -> r != broker)));
                }
            }
        }
        return changes;
    }

    /**
     * Kafka's automatic leader rebalance: for each eligible broker, the share of the partitions it is the preferred
     * replica of that are led by another broker (or by none); where that share exceeds {@code imbalancePercentage}
     * percent, those partitions whose preferred replica is in the ISR are returned (to be passed to
     * {@link #preferred}), in partition order. Partitions without a state yet count as balanced.
     */
    static Collection<TopicPartition> imbalanced(ClusterView view, int imbalancePercentage) {
        Map<Integer, Integer> preferredOf = new TreeMap<>();
        Map<Integer, List<TopicPartition>> notLedBy = new TreeMap<>();
        Map<Integer, List<TopicPartition>> movable = new TreeMap<>();
        for (TopicView topic : view.topics().values()) {
            for (int p = 0; p < topic.assignment().size(); p++) {
                List<Integer> replicas = topic.assignment().get(p);
                if (replicas.isEmpty() || !view.eligible(replicas.get(0))) {
                    continue;
                }
                int preferred = replicas.get(0);
                preferredOf.merge(preferred, 1, Integer::sum);
                LeaderAndIsr state = topic.states().get(p);
                if (state != null && state.leader() != preferred) {
                    TopicPartition tp = new TopicPartition(topic.name(), p);
                    notLedBy.computeIfAbsent(preferred, b -> new ArrayList<>()).add(tp);
                    if (state.isr().contains(preferred)) {
                        movable.computeIfAbsent(preferred, b -> new ArrayList<>()).add(tp);
                    }
                }
            }
        }
        List<TopicPartition> result = new ArrayList<>();
        notLedBy.forEach((broker, partitions) -> {
            double ratio = (double) partitions.size() / preferredOf.get(broker);
            if (ratio > imbalancePercentage / 100.0) {
                result.addAll(movable.getOrDefault(broker, List.of()));
            }
        });
        result.sort(null);
        return result;
    }

    /** The replicas of {@code tp}, or null when its topic or partition does not exist. */
    private static List<Integer> replicas(ClusterView view, TopicPartition tp) {
        TopicView topic = view.topics().get(tp.topic());
        return topic == null || tp.partition() >= topic.assignment().size() ? null
                : topic.assignment().get(tp.partition());
    }

    private static Integer firstIn(List<Integer> replicas, IntPredicate test) {
        for (int r : replicas) {
            if (test.test(r)) {
                return r;
            }
        }
        return null;
    }

    private static List<Integer> filter(List<Integer> brokers, IntPredicate keep) {
        List<Integer> kept = new ArrayList<>(brokers.size());
        for (int b : brokers) {
            if (keep.test(b)) {
                kept.add(b);
            }
        }
        return kept;
    }
}
