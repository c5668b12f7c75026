package dev.strata.replication.local.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.PartitionState;
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
 * Shrinks the ISR of each partition led here to the leader alone once it has data, through
 * {@link MetadataStore#alterIsr}, on its own thread: {@link #hasData} is called on the produce path under the
 * partition's lock and only records the partition (once per leadership). Retriable failures are retried with a
 * growing backoff while the leadership lasts; FENCED_LEADER_EPOCH means the leadership moved, and ends the attempt.
 *
 * <p>Thread-safety: thread-safe.
 */
final class IsrShrinker {
    private static final Logger LOG = LoggerFactory.getLogger(IsrShrinker.class);
    static final long FIRST_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5_000;

    private final MetadataStore metadata;
    /** Per partition, the leader epoch whose ISR is being (or was) shrunk: one attempt per leadership. */
    private final Map<TopicPartition, Integer> handled = new ConcurrentHashMap<>();
    /** The partitions whose shrink was logged: once each. */
    private final Set<TopicPartition> logged = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "strata-replication-isr");
        t.setDaemon(true);
        return t;
    });

    IsrShrinker(MetadataStore metadata) {
        this.metadata = metadata;
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
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
    }

    void close() {
        executor.shutdownNow();
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
