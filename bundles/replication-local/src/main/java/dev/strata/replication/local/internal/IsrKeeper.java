package dev.strata.replication.local.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import dev.strata.api.replication.ReplicatedPartition;
import java.util.HashSet;
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
 * leader's log is empty. So nothing appended counts as committed (the high watermark stays) until the stored ISR is
 * the leader alone; otherwise an election could pick a replica that lacks an acknowledged record.
 * <ul>
 *   <li>A partition is <em>narrow</em> once its stored ISR is this broker alone (for its current leadership). Only
 *       then does {@link #commit} move the high watermark on the produce path (one set lookup).</li>
 *   <li>Appended to while not narrow, a partition is <em>settled</em> on this class's own thread: its ISR is shrunk
 *       to the leader through {@link MetadataStore#alterIsr}, then it is narrow and its high watermark moves to its
 *       log end offset (acks=-1 producers and waiting fetches are answered then). Retriable failures are retried with
 *       a growing backoff while the leadership lasts; FENCED_LEADER_EPOCH means the leadership moved.</li>
 *   <li>When a broker (re)joins the cluster, every partition led here whose log is still empty takes that broker
 *       back into its ISR if it is a replica (after a controlled shutdown took it out): an empty follower is caught
 *       up with an empty leader, as Kafka's leader would find at its first fetch. Only joins count, so a broker in
 *       controlled shutdown, still registered, is not taken back.</li>
 * </ul>
 *
 * <p>Thread-safety: thread-safe. Settling and expanding run on one thread, so they never interleave.
 */
final class IsrKeeper implements MetadataListener {
    private static final Logger LOG = LoggerFactory.getLogger(IsrKeeper.class);
    static final long FIRST_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5_000;

    private final MetadataStore metadata;
    /** The partitions led here whose stored ISR is this broker alone: appends to them commit at once. */
    private final Set<TopicPartition> narrow = ConcurrentHashMap.newKeySet();
    /** The partitions with a settle queued (so an append queues one at most). */
    private final Set<TopicPartition> settling = ConcurrentHashMap.newKeySet();
    /** The partitions whose shrink was logged: once each. */
    private final Set<TopicPartition> logged = ConcurrentHashMap.newKeySet();
    /** The partitions led here now, with their handles. */
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

    /** The partition is led here now (at this handle's current epoch): commit what it has once that is safe. */
    void opened(ReplicatedPartition partition) {
        TopicPartition tp = partition.topicPartition();
        narrow.remove(tp);
        led.put(tp, partition);
        PartitionState state = metadata.partitionState(tp).orElse(null);
        if (state != null && isAlone(state) && state.leaderEpoch() == partition.leaderEpoch()) {
            narrow.add(tp);
            partition.advanceHighWatermark(partition.logEndOffset());
        } else if (partition.logEndOffset() > 0) {
            queueSettle(partition, 0);
        } else {
            partition.advanceHighWatermark(partition.logEndOffset()); // empty: nothing to commit
        }
    }

    /**
     * Records up to the partition's log end offset were appended: moves the high watermark when the partition is
     * narrow, else queues a settle, which moves it once the ISR is the leader alone. Never blocks.
     */
    void commit(ReplicatedPartition partition, long logEndOffset) {
        TopicPartition tp = partition.topicPartition();
        if (narrow.contains(tp)) {
            partition.advanceHighWatermark(logEndOffset);
        } else {
            queueSettle(partition, 0);
        }
    }

    /** The partition is no longer led here (or was closed). */
    void forget(ReplicatedPartition partition) {
        TopicPartition tp = partition.topicPartition();
        if (led.remove(tp, partition)) {
            narrow.remove(tp);
        }
    }

    void close() {
        metadata.removeListener(this);
        executor.shutdownNow();
    }

    private boolean isAlone(PartitionState state) {
        return state.isr().equals(List.of(metadata.localBrokerId()));
    }

    private void queueSettle(ReplicatedPartition partition, long delayMs) {
        if (delayMs == 0 && !settling.add(partition.topicPartition())) {
            return; // one is queued already; it reads the log end offset when it runs
        }
        try {
            executor.schedule(() -> settle(partition, delayMs), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            settling.remove(partition.topicPartition()); // stopping
        }
    }

    /** Shrinks the ISR to the leader if it is not, then commits everything appended so far. */
    private void settle(ReplicatedPartition partition, long lastDelayMs) {
        TopicPartition tp = partition.topicPartition();
        settling.remove(tp); // an append from now on queues another settle unless this one makes it narrow
        if (led.get(tp) != partition) {
            return; // no longer led here through this handle
        }
        int self = metadata.localBrokerId();
        int epoch = partition.leaderEpoch();
        try {
            PartitionState state = metadata.partitionState(tp).orElse(null);
            if (state == null || state.leader() != self || state.leaderEpoch() != epoch) {
                return; // deleted, or led elsewhere now: the broker closes the handle
            }
            if (!isAlone(state)) {
                PartitionState now = metadata.alterIsr(tp, epoch, List.of(self));
                if (logged.add(tp)) {
                    LOG.info("replication-local copies no data to followers: ISR of {} is now {}", tp, now.isr());
                }
            }
            narrow.add(tp);
            partition.advanceHighWatermark(partition.logEndOffset());
        } catch (StrataException e) {
            if (e.error() == ErrorCode.FENCED_LEADER_EPOCH || e.error() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
                LOG.debug("ISR of {} not shrunk: {}", tp, e.getMessage());
            } else if (e.error().retriable()) {
                long next = Math.min(MAX_BACKOFF_MS, Math.max(FIRST_BACKOFF_MS, lastDelayMs * 2));
                LOG.debug("Shrinking the ISR of {} failed ({}); retrying in {} ms", tp, e.getMessage(), next);
                queueSettle(partition, next);
            } else {
                LOG.warn("Could not shrink the ISR of {} to the leader: {} {}", tp, e.error(), e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not shrink the ISR of {} to the leader", tp, e);
        }
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
        Set<Integer> ids = new HashSet<>();
        metadata.liveBrokers().forEach(b -> ids.add(b.id()));
        return ids;
    }

    private void takeBackJoined() {
        Set<Integer> now = liveIds();
        Set<Integer> joined = new HashSet<>(now);
        joined.removeAll(live);
        live = now;
        if (joined.isEmpty()) {
            return;
        }
        for (ReplicatedPartition p : led.values()) {
            if (p.logEndOffset() == 0) {
                expand(p, joined, 0);
            }
        }
    }

    /** Adds the {@code joined} replicas of an empty partition to its ISR, in assignment order. */
    private void expand(ReplicatedPartition p, Set<Integer> joined, long lastDelayMs) {
        TopicPartition tp = p.topicPartition();
        if (led.get(tp) != p) {
            return;
        }
        // Not narrow from here on: an append racing with this commits only after a settle (queued by the append,
        // run after this on the same thread) has shrunk the ISR again.
        boolean wasNarrow = narrow.remove(tp);
        if (p.logEndOffset() != 0) {
            if (wasNarrow) {
                narrow.add(tp); // it has data: the ISR stays as it is
                p.advanceHighWatermark(p.logEndOffset());
            }
            return;
        }
        int self = metadata.localBrokerId();
        int epoch = p.leaderEpoch();
        try {
            PartitionState state = metadata.partitionState(tp).orElse(null);
            if (state == null || state.leader() != self || state.leaderEpoch() != epoch) {
                return;
            }
            List<Integer> isr = state.replicas().stream()
                    .filter(r -> state.isr().contains(r) || joined.contains(r)).toList();
            if (isr.equals(state.isr())) {
                if (wasNarrow) {
                    narrow.add(tp);
                }
                return;
            }
            PartitionState after = metadata.alterIsr(tp, epoch, isr);
            LOG.info("ISR of {} is now {}: a replica rejoined and the log is still empty, so it is in sync", tp,
                    after.isr());
        } catch (StrataException e) {
            if (e.error().retriable() && e.error() != ErrorCode.FENCED_LEADER_EPOCH) {
                long next = Math.min(MAX_BACKOFF_MS, Math.max(FIRST_BACKOFF_MS, lastDelayMs * 2));
                try {
                    executor.schedule(() -> expand(p, joined, next), next, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException stopping) {
                    // stopping
                }
            } else {
                LOG.debug("ISR of {} not expanded: {}", tp, e.getMessage());
            }
            if (wasNarrow) {
                queueSettle(p, 0); // re-check: narrow again if the ISR is still the leader alone
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not take rejoined replicas back into the ISR of {}", tp, e);
            if (wasNarrow) {
                queueSettle(p, 0);
            }
        }
    }
}
