package dev.strata.metadata.zookeeper.internal;

import java.util.List;
import java.util.Map;

/**
 * One topic as the controller sees it: its replica assignment (partition {@code p} on {@code assignment.get(p)},
 * the first the preferred leader), its config overrides and the partition states written so far (a partition
 * without an entry is new: the controller has not elected its first leader yet).
 */
record TopicView(String name, List<List<Integer>> assignment, Map<String, String> configs,
                 Map<Integer, LeaderAndIsr> states) {
    TopicView {
        assignment = assignment.stream().map(List::copyOf).toList();
        configs = Map.copyOf(configs);
        states = Map.copyOf(states);
    }
}
