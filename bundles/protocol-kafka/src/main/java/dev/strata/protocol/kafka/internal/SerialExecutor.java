package dev.strata.protocol.kafka.internal;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one connection's request handlers one after another on a shared pool, in the order they were submitted.
 * Requests from one connection therefore start in order (a producer's batches reach the log in the order it sent
 * them), while their results, which are futures, may complete in any order. Thread-safe.
 */
final class SerialExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

    private static final int MAX_TASKS_PER_TURN = 16;

    private final Executor pool;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    /** @throws java.util.concurrent.RejectedExecutionException when the pool is shut down */
    @Override
    public void execute(Runnable task) {
        synchronized (tasks) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        try {
            pool.execute(this::drain);
        } catch (RuntimeException e) {
            synchronized (tasks) {
                tasks.clear();
                running = false;
            }
            throw e;
        }
    }

    private void drain() {
        for (int done = 0; ; done++) {
            if (done == MAX_TASKS_PER_TURN) {
                // Give other connections a turn on this pool thread.
                try {
                    pool.execute(this::drain);
                    return;
                } catch (RuntimeException e) {
                    LOG.debug("Pool no longer accepts work; finishing this connection's queue here", e);
                }
            }
            Runnable task;
            synchronized (tasks) {
                task = tasks.poll();
                if (task == null) {
                    running = false;
                    return;
                }
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("Request task failed", e);
            }
        }
    }
}
