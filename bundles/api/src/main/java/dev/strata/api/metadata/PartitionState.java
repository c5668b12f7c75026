package dev.strata.api.metadata;

import dev.strata.api.common.TopicPartition;
import java.util.List;

/**
 * Leadership of one partition: the leader broker id (-1 when none), its epoch, the assigned replicas (the first is the
 * preferred leader) and the in-sync replicas. On a single broker every partition is led by that broker with ISR = replicas = [it].
 */
public record PartitionState(TopicPartition tp, int leader, int leaderEpoch, List<Integer> replicas,
                             List<Integer> isr) {
    public PartitionState {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }

    /** The broker id that means no leader: the partition is offline. */
    public static final int NO_LEADER = -1;

    /** Whether some broker leads the partition now. */
    public boolean online() {
        return leader != NO_LEADER;
    }
}
