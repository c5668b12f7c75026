package dev.strata.broker.internal;

import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long-poll fetches waiting for data. A fetch that found fewer than minBytes is parked here, watched on each of its
 * partitions; appends report their size and complete the fetches that now have enough; a task on the shared
 * scheduler completes it at its deadline. No thread waits per request and nothing polls. A fetch completes with a
 * fresh read of its partitions, on the thread that completed it (an appender or the scheduler).
 *
 * <p>Thread-safety: thread-safe. Watcher sets are updated atomically per partition; each fetch completes once.
 */
final class DelayedFetchPurgatory implements Partition.AppendListener {
    private static final Logger LOG = LoggerFactory.getLogger(DelayedFetchPurgatory.class);

    private final FetchReader reader;
    private final ScheduledExecutorService scheduler;
    private final Map<TopicPartition, Set<DelayedFetch>> watchers = new ConcurrentHashMap<>();
    private final Set<DelayedFetch> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean shutdown;

    DelayedFetchPurgatory(FetchReader reader, ScheduledExecutorService scheduler) {
        this.reader = reader;
        this.scheduler = scheduler;
    }

    /**
     * Parks a fetch whose first read found too little.
     *
     * @param firstRead the read already done, answered if the fetch cannot be parked
     * @param remainingWaitMs how much of the fetch's maxWaitMs is left
     */
    CompletableFuture<List<FetchResult>> park(FetchParams params, FetchReader.Read firstRead, long remainingWaitMs) {
        CompletableFuture<List<FetchResult>> future = new CompletableFuture<>();
        DelayedFetch fetch = new DelayedFetch(params, future, firstRead.bytes());
        if (shutdown || remainingWaitMs <= 0) {
            future.complete(firstRead.results());
            return future;
        }
        firstRead.release(); // the fetch is answered by a fresh read when it completes
        pending.add(fetch);
        for (TopicPartition tp : fetch.partitions()) {
            watchers.compute(tp, (k, set) -> {
                Set<DelayedFetch> s = set != null ? set : ConcurrentHashMap.newKeySet();
                s.add(fetch);
                return s;
            });
        }
        try {
            fetch.setTimeout(scheduler.schedule(() -> complete(fetch), remainingWaitMs, TimeUnit.MILLISECONDS));
        } catch (RejectedExecutionException e) {
            complete(fetch); // shutting down
            return future;
        }
        // Data that arrived between the first read and the watch being in place was not counted: look again.
        if (reader.logsMovedSince(params, firstRead)) {
            FetchReader.Read again = reader.read(params);
            again.release(); // only its size counts here
            if (again.failed() || fetch.raiseAvailableTo(again.bytes())) {
                complete(fetch);
            }
        }
        return future;
    }

    /** Called after every append (and with 0 bytes when a partition is deleted, to answer its waiters now). */
    @Override
    public void onAppend(TopicPartition tp, int bytes) {
        Set<DelayedFetch> set = watchers.get(tp);
        if (set == null || set.isEmpty()) {
            return;
        }
        List<DelayedFetch> ready = new ArrayList<>();
        for (DelayedFetch f : set) {
            if (!f.isCompleted() && f.addBytes(tp, bytes)) {
                ready.add(f);
            }
        }
        for (DelayedFetch f : ready) {
            complete(f);
        }
    }

    private void complete(DelayedFetch fetch) {
        if (!fetch.tryClaim()) {
            return;
        }
        pending.remove(fetch);
        for (TopicPartition tp : fetch.partitions()) {
            watchers.computeIfPresent(tp, (k, s) -> {
                s.remove(fetch);
                return s.isEmpty() ? null : s;
            });
        }
        try {
            FetchReader.Read read = reader.read(fetch.params);
            if (!fetch.future.complete(read.results())) {
                read.release(); // answered otherwise meanwhile (cancelled): nobody will send these slices
            }
        } catch (RuntimeException e) {
            LOG.error("Completing a delayed fetch failed", e);
            fetch.future.complete(fetch.params.partitions().stream()
                    .map(p -> FetchResult.error(p.tp(), ErrorCode.UNKNOWN_SERVER_ERROR)).toList());
        }
    }

    int pendingCount() {
        return pending.size();
    }

    /** Answers every parked fetch now with what is there (before the logs close). */
    void shutdown() {
        shutdown = true;
        for (DelayedFetch f : List.copyOf(pending)) {
            complete(f);
        }
    }
}
