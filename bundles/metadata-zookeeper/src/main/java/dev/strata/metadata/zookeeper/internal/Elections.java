package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import java.util.Collection;
import java.util.Map;

/**
 * The controller's decisions, as Kafka's ZooKeeper-mode controller makes them (PartitionStateMachine and its
 * leader election strategies), computed from a {@link ClusterView} without touching ZooKeeper: the caller writes
 * the returned states (conditionally) and logs. Each result holds only the partitions whose state changes; a new
 * state always carries the next leader epoch (the first state of a partition has epoch 0).
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
     *   <li>an offline partition (leader -1) with an eligible ISR member: it becomes leader;</li>
     *   <li>a led partition whose ISR holds ineligible followers: they leave the ISR.</li>
     * </ul>
     *
     * @param uncleanElected filled with the partitions elected out of their ISR (the caller logs the possible loss)
     */
    static Map<TopicPartition, LeaderAndIsr> reconcile(ClusterView view, Collection<TopicPartition> uncleanElected) {
        throw new UnsupportedOperationException("issue 11: being built");
    }

    /**
     * Preferred-replica election (ElectLeaders PREFERRED, and the automatic leader rebalance): each partition's first
     * replica becomes leader when it is eligible and in the ISR.
     *
     * @param results filled per requested partition: NONE (a new state is returned), ELECTION_NOT_NEEDED (already
     *     led by it), PREFERRED_LEADER_NOT_AVAILABLE (not eligible or not in the ISR), UNKNOWN_TOPIC_OR_PARTITION
     */
    static Map<TopicPartition, LeaderAndIsr> preferred(ClusterView view, Collection<TopicPartition> partitions,
                                                       Map<TopicPartition, ErrorCode> results) {
        throw new UnsupportedOperationException("issue 11: being built");
    }

    /**
     * ElectLeaders UNCLEAN: a partition with no leader gets its first eligible replica (in the ISR if any is, else
     * any), whatever the topic's setting.
     *
     * @param results filled per requested partition: NONE, ELECTION_NOT_NEEDED (it has a leader),
     *     ELIGIBLE_LEADERS_NOT_AVAILABLE (no replica is eligible), UNKNOWN_TOPIC_OR_PARTITION
     */
    static Map<TopicPartition, LeaderAndIsr> unclean(ClusterView view, Collection<TopicPartition> partitions,
                                                     Map<TopicPartition, ErrorCode> results) {
        throw new UnsupportedOperationException("issue 11: being built");
    }

    /**
     * Controlled shutdown of {@code broker} (in {@code view.shuttingDown()}): each partition it leads goes to the
     * first other eligible ISR member, and it leaves the ISRs it is in as a follower; partitions it leads with no
     * other eligible ISR member stay as they are (Kafka keeps them until the broker's registration ends).
     */
    static Map<TopicPartition, LeaderAndIsr> controlledShutdown(ClusterView view, int broker) {
        throw new UnsupportedOperationException("issue 11: being built");
    }

    /**
     * Kafka's automatic leader rebalance: for each eligible broker, the share of the partitions it is the preferred
     * replica of that are led by another broker; where that share exceeds {@code imbalancePercentage} percent, those
     * partitions whose preferred replica is in the ISR are returned (to be passed to {@link #preferred}).
     */
    static Collection<TopicPartition> imbalanced(ClusterView view, int imbalancePercentage) {
        throw new UnsupportedOperationException("issue 11: being built");
    }
}
