package dev.strata.replication.local.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import dev.strata.api.replication.ReplicatedPartition;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the ISR of each partition led here true while no follower copies data: a follower is in sync only while the
 * leader's log is empty.
 * <ul>
 *   <li>Once a partition has data, its ISR shrinks to the leader alone, through {@link MetadataStore#alterIsr}, on
 *       this class's own thread: {@link #hasData} is called on the produce path under the partition's lock and only
 *       records the partition (once per leadership). Retriable failures are retried with a growing backoff while
 *       the leadership lasts; FENCED_LEADER_EPOCH means the leadership moved, and ends the attempt.</li>
 *   <li>When a broker (re)joins the cluster, every partition led here whose log is still empty takes that broker
 *       back into its ISR if it is a replica (after a controlled shutdown took it out): an empty follower is caught
 *       up with an empty leader, as Kafka's leader would find at its first fetch. Only joins count, so a broker in
 *       controlled shutdown, still registered, is not taken back.</li>
 * </ul>
 *
 * <p>Thread-safety: thread-safe.
 */
final class IsrKeeper implements MetadataListener {
    private static final Logger LOG = LoggerFactory.getLogger(IsrKeeper.class);
    static final long FIRST_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5_000;

    private final MetadataStore metadata;
    /** Per partition, the leader epoch whose ISR is being (or was) shrunk: one attempt per leadership. */
    private final Map<TopicPartition, Integer> handled = new ConcurrentHashMap<>();
    /** The partitions whose shrink was logged: once each. */
    private final Set<TopicPartition> logged = ConcurrentHashMap.newKeySet();
    /** The partitions led here now, with their handles (to see whether their log is still empty). */
    private final Map<TopicPartition, ReplicatedPartition> led = new ConcurrentHashMap<>();
    /** The live brokers last seen, to tell joins apart (after the constructor, touched on the executor only). */
    private Set<Integer> live;
    private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "strata-replication-isr");
        t.setDaemon(true);
        return t;
    });

    IsrKeeper(MetadataStore metadata) {
        this.metadata = metadata;
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.live = liveIds(); // now, not on the executor: a join announced before that task ran would be missed
        metadata.addListener(this);
    }

    /** The partition is led here now (at this handle's current epoch). */
    void opened(ReplicatedPartition partition) {
        led.put(partition.topicPartition(), partition);
        if (partition.logEndOffset() > 0) {
            hasData(partition);
        }
    }

    /** The partition led here has data: shrink its ISR unless that was done for this leadership. Never blocks. */
    void hasData(ReplicatedPartition partition) {
        TopicPartition tp = partition.topicPartition();
        int epoch = partition.leaderEpoch();
        Integer before = handled.get(tp);
        if (before != null && before == epoch) {
            return; // the common case: one map lookup per append
        }
        Integer raced = handled.put(tp, epoch);
        if (raced != null && raced == epoch) {
            return; // another append of this leadership got here first
        }
        submit(tp, epoch, 0);
    }

    /** The partition is no longer led here (or was closed). */
    void forget(ReplicatedPartition partition) {
        handled.remove(partition.topicPartition());
        led.remove(partition.topicPartition(), partition);
    }

    void close() {
        metadata.removeListener(this);
        executor.shutdownNow();
    }

    @Override
    public void topicCreated(TopicMetadata topic) {
    }

    @Override
    public void topicDeleted(TopicMetadata topic) {
    }

    /** Brokers or the controller changed: look for joined brokers on this class's thread (listeners must not block). */
    @Override
    public void clusterChanged() {
        try {
            executor.execute(this::takeBackJoined);
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    private Set<Integer> liveIds() {
        Set<Integer> ids = new java.util.HashSet<>();
        metadata.liveBrokers().forEach(b -> ids.add(b.id()));
        return ids;
    }

    private void takeBackJoined() {
        Set<Integer> now = liveIds();
        Set<Integer> joined = new java.util.HashSet<>(now);
        joined.removeAll(live);
        live = now;
        if (joined.isEmpty()) {
            return;
        }
        for (ReplicatedPartition p : led.values()) {
            if (p.logEndOffset() == 0) {
                expand(p.topicPartition(), p.leaderEpoch(), joined, 0);
            }
        }
    }

    /** Adds the {@code joined} replicas of an empty partition to its ISR, in assignment order. */
    private void expand(TopicPartition tp, int epoch, Set<Integer> joined, long lastDelayMs) {
        ReplicatedPartition p = led.get(tp);
        if (p == null || p.leaderEpoch() != epoch || p.logEndOffset() != 0) {
            return; // no longer led here, another leadership, or it has data now
        }
        int self = metadata.localBrokerId();
        try {
            PartitionState state = metadata.partitionState(tp).orElse(null);
            if (state == null || state.leader() != self || state.leaderEpoch() != epoch) {
                return;
            }
            List<Integer> isr = state.replicas().stream()
                    .filter(r -> state.isr().contains(r) || joined.contains(r)).toList();
            if (isr.equals(state.isr())) {
                return;
            }
            PartitionState after = metadata.alterIsr(tp, epoch, isr);
            LOG.info("ISR of {} is now {}: a replica rejoined and the log is still empty, so it is in sync", tp,
                    after.isr());
        } catch (StrataException e) {
            if (e.error().retriable() && e.error() != ErrorCode.FENCED_LEADER_EPOCH) {
                long next = Math.min(MAX_BACKOFF_MS, Math.max(FIRST_BACKOFF_MS, lastDelayMs * 2));
                try {
                    executor.schedule(() -> expand(tp, epoch, joined, next), next, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException stopping) {
                    // stopping
                }
            } else {
                LOG.debug("ISR of {} not expanded: {}", tp, e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not take rejoined replicas back into the ISR of {}", tp, e);
        }
    }

    private void submit(TopicPartition tp, int epoch, long delayMs) {
        try {
            executor.schedule(() -> shrink(tp, epoch, delayMs), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    private void shrink(TopicPartition tp, int epoch, long lastDelayMs) {
        Integer current = handled.get(tp);
        if (current == null || current != epoch) {
            return; // leadership moved or the partition was closed meanwhile
        }
        int self = metadata.localBrokerId();
        try {
            PartitionState state = metadata.partitionState(tp).orElse(null);
            if (state == null || state.leader() != self || state.leaderEpoch() != epoch
                    || state.isr().equals(List.of(self))) {
                return; // deleted, led elsewhere, or nothing to take out
            }
            PartitionState now = metadata.alterIsr(tp, epoch, List.of(self));
            if (logged.add(tp)) {
                LOG.info("replication-local copies no data to followers: ISR of {} is now {}", tp, now.isr());
            }
        } catch (StrataException e) {
            if (e.error() == ErrorCode.FENCED_LEADER_EPOCH || e.error() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
                LOG.debug("ISR of {} not shrunk: {}", tp, e.getMessage());
            } else if (e.error().retriable()) {
                long next = Math.min(MAX_BACKOFF_MS, Math.max(FIRST_BACKOFF_MS, lastDelayMs * 2));
                LOG.debug("Shrinking the ISR of {} failed ({}); retrying in {} ms", tp, e.getMessage(), next);
                submit(tp, epoch, next);
            } else {
                LOG.warn("Could not shrink the ISR of {} to the leader: {} {}", tp, e.error(), e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not shrink the ISR of {} to the leader", tp, e);
        }
    }
}
