package dev.strata.broker.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests of one partition waiting for its next log (its store being swapped), in arrival order, and the
 * thread that resumes them once the log is back. While that thread resumes them, requests from other threads queue
 * behind them, so a producer's later batch cannot overtake its held earlier one.
 *
 * <p>Thread-safety: guarded by the partition lock; every method but {@link #run} is called with it held.
 */
final class HeldRequests {
    private static final Logger LOG = LoggerFactory.getLogger(HeldRequests.class);

    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private Thread resumer;

    void add(Runnable request) {
        queue.add(request);
    }

    /** All queued requests, oldest first; the queue is empty afterwards. */
    List<Runnable> takeAll() {
        if (queue.isEmpty()) {
            return List.of();
        }
        List<Runnable> all = new ArrayList<>(queue);
        queue.clear();
        return all;
    }

    /** Whether another thread is resuming the held requests (a request on this thread must queue behind them). */
    boolean resumedByAnotherThread() {
        return resumer != null && resumer != Thread.currentThread();
    }

    void startResuming() {
        resumer = Thread.currentThread();
    }

    void stopResuming() {
        resumer = null;
    }

    /** Runs {@code requests} in order on this thread, without the partition lock. */
    static void run(List<Runnable> requests, Object partition) {
        for (Runnable r : requests) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("{}: a request held during a log store swap failed", partition, e);
            }
        }
    }
}
