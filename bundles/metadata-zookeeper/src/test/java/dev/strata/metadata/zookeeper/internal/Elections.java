package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TEST-ONLY STAND-IN, to be deleted when the real Elections (branch issue11-zkctl) is merged: it shadows the main
 * class on the unit-test class path (test classes come first) with the simplest decisions its javadoc describes,
 * so the store's tests can run before then. Not packaged: main code keeps the real class.
 */
final class Elections {
    private Elections() {
    }

    static Map<TopicPartition, LeaderAndIsr> reconcile(ClusterView view, Collection<TopicPartition> uncleanElected) {
        Map<TopicPartition, LeaderAndIsr> out = new LinkedHashMap<>();
        for (TopicView t : view.topics().values()) {
            for (int p = 0; p < t.assignment().size(); p++) {
                TopicPartition tp = new TopicPartition(t.name(), p);
                List<Integer> replicas = t.assignment().get(p);
                LeaderAndIsr s = t.states().get(p);
                if (s == null) {
                    List<Integer> eligible = replicas.stream().filter(view::eligible).toList();
                    out.put(tp, eligible.isEmpty() ? new LeaderAndIsr(-1, 0, replicas)
                            : new LeaderAndIsr(eligible.get(0), 0, eligible));
                    continue;
                }
                List<Integer> isr = s.isr().stream().filter(view::eligible).toList();
                if (s.leader() != -1 && view.eligible(s.leader())) {
                    if (isr.size() != s.isr().size()) {
                        out.put(tp, s.next(s.leader(), isr));
                    }
                    continue;
                }
                Integer leader = replicas.stream().filter(isr::contains).findFirst().orElse(null);
                if (leader != null) {
                    out.put(tp, s.next(leader, isr));
                } else if (s.leader() != -1) {
                    out.put(tp, s.next(-1, s.isr()));
                }
            }
        }
        return out;
    }

    static Map<TopicPartition, LeaderAndIsr> preferred(ClusterView view, Collection<TopicPartition> partitions,
                                                       Map<TopicPartition, ErrorCode> results) {
        Map<TopicPartition, LeaderAndIsr> out = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            TopicView t = view.topics().get(tp.topic());
            if (t == null || tp.partition() >= t.assignment().size() || !t.states().containsKey(tp.partition())) {
                results.put(tp, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
                continue;
            }
            int first = t.assignment().get(tp.partition()).get(0);
            LeaderAndIsr s = t.states().get(tp.partition());
            if (s.leader() == first) {
                results.put(tp, ErrorCode.ELECTION_NOT_NEEDED);
            } else if (!view.eligible(first) || !s.isr().contains(first)) {
                results.put(tp, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
            } else {
                out.put(tp, s.next(first, s.isr()));
                results.put(tp, ErrorCode.NONE);
            }
        }
        return out;
    }

    static Map<TopicPartition, LeaderAndIsr> unclean(ClusterView view, Collection<TopicPartition> partitions,
                                                     Map<TopicPartition, ErrorCode> results) {
        Map<TopicPartition, LeaderAndIsr> out = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            TopicView t = view.topics().get(tp.topic());
            if (t == null || tp.partition() >= t.assignment().size() || !t.states().containsKey(tp.partition())) {
                results.put(tp, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
                continue;
            }
            LeaderAndIsr s = t.states().get(tp.partition());
            Integer leader = t.assignment().get(tp.partition()).stream().filter(view::eligible).findFirst()
                    .orElse(null);
            if (s.leader() != -1) {
                results.put(tp, ErrorCode.ELECTION_NOT_NEEDED);
            } else if (leader == null) {
                results.put(tp, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
            } else {
                out.put(tp, s.next(leader, List.of(leader)));
                results.put(tp, ErrorCode.NONE);
            }
        }
        return out;
    }

    static Map<TopicPartition, LeaderAndIsr> controlledShutdown(ClusterView view, int broker) {
        Map<TopicPartition, LeaderAndIsr> out = new LinkedHashMap<>();
        for (TopicView t : view.topics().values()) {
            t.states().forEach((p, s) -> {
                List<Integer> others = new ArrayList<>(s.isr().stream().filter(b -> b != broker && view.eligible(b))
                        .toList());
                if (s.leader() == broker && !others.isEmpty()) {
                    out.put(new TopicPartition(t.name(), p), s.next(others.get(0), others));
                } else if (s.leader() != broker && s.isr().contains(broker)) {
                    out.put(new TopicPartition(t.name(), p), s.next(s.leader(),
                            s.isr().stream().filter(b -> b != broker).toList()));
                }
            });
        }
        return out;
    }

    static Collection<TopicPartition> imbalanced(ClusterView view, int imbalancePercentage) {
        return List.of();
    }
}
