package dev.strata.broker.internal;

import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.common.TopicPartition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A fetch parked until enough bytes arrive or its wait runs out. It counts the bytes appended to its partitions
 * since it was parked (each partition capped at that partition's maxBytes) instead of re-reading the log on every
 * append; the real read happens once, when it completes.
 *
 * <p>Thread-safety: thread-safe. Byte counting is synchronized; completion is claimed exactly once through an
 * atomic flag.
 */
final class DelayedFetch {
    final FetchParams params;
    final CompletableFuture<List<FetchResult>> future;
    private final Map<TopicPartition, Integer> partitionMaxBytes = new HashMap<>();
    private final Map<TopicPartition, Long> available = new HashMap<>();
    private final AtomicBoolean completed = new AtomicBoolean();
    private long accumulated;
    private volatile ScheduledFuture<?> timeout;

    DelayedFetch(FetchParams params, CompletableFuture<List<FetchResult>> future, long bytesAlreadyAvailable) {
        this.params = params;
        this.future = future;
        for (FetchPartition p : params.partitions()) {
            partitionMaxBytes.merge(p.tp(), Math.max(p.maxBytes(), 0), Math::max);
        }
        this.accumulated = bytesAlreadyAvailable;
    }

    /** Partitions to watch. */
    Set<TopicPartition> partitions() {
        return partitionMaxBytes.keySet();
    }

    /** Adds appended bytes; true when the fetch now has enough (or was woken with 0 bytes to answer now). */
    synchronized boolean addBytes(TopicPartition tp, int bytes) {
        if (bytes <= 0) {
            return true;
        }
        Integer cap = partitionMaxBytes.get(tp);
        if (cap == null) {
            return false;
        }
        long before = available.getOrDefault(tp, 0L);
        long after = Math.min((long) cap, before + bytes);
        available.put(tp, after);
        accumulated += after - before;
        return accumulated >= params.minBytes();
    }

    /** Takes a fresh read's byte count into account; true when that is enough. */
    synchronized boolean raiseAvailableTo(long bytes) {
        accumulated = Math.max(accumulated, bytes);
        return accumulated >= params.minBytes();
    }

    /** Claims completion; only the first caller gets true. */
    boolean tryClaim() {
        if (!completed.compareAndSet(false, true)) {
            return false;
        }
        ScheduledFuture<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
        return true;
    }

    boolean isCompleted() {
        return completed.get();
    }

    void setTimeout(ScheduledFuture<?> timeout) {
        this.timeout = timeout;
        if (completed.get()) {
            timeout.cancel(false);
        }
    }
}
