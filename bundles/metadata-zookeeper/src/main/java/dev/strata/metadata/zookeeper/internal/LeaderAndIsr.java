package dev.strata.metadata.zookeeper.internal;

import java.util.List;

/** What the controller writes for one partition: its leader (-1 for none), leader epoch and in-sync replicas. */
record LeaderAndIsr(int leader, int leaderEpoch, List<Integer> isr) {
    static final int NO_LEADER = -1;

    LeaderAndIsr {
        isr = List.copyOf(isr);
    }

    /** The next state: another leader or ISR, always with the next epoch (as Kafka's ZooKeeper controller does). */
    LeaderAndIsr next(int newLeader, List<Integer> newIsr) {
        return new LeaderAndIsr(newLeader, leaderEpoch + 1, newIsr);
    }
}
