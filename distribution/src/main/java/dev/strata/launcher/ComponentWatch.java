package dev.strata.launcher;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Waits at start for Strata's components to run, and afterwards reports the ones that stop running.
 *
 * <p>At start a component may fail once and then succeed: a configuration that arrives a moment after the defaults
 * re-creates it. So a failure counts only once it has lasted {@link #FAILURE_GRACE_MILLIS}; a component still
 * waiting for a reference or configuration when the start timeout ends counts too.
 *
 * <p>{@link #awaitRunning} runs on the launcher's main thread; {@link #startWatching} starts one daemon thread that
 * owns the rest of the state.
 */
final class ComponentWatch {
    static final long FAILURE_GRACE_MILLIS = 1_000;
    private static final long POLL_MILLIS = 50;
    private static final long WATCH_MILLIS = 1_000;

    private final Supplier<StrataComponents.Snapshot> components;
    private final LongSupplier clock;
    private volatile Thread watcher;

    ComponentWatch(Supplier<StrataComponents.Snapshot> components, LongSupplier clockMillis) {
        this.components = components;
        this.clock = clockMillis;
    }

    /**
     * Polls until every Strata component runs (returns the final snapshot), a failure lasts the grace period, or
     * the timeout passes (returns the snapshot that shows why).
     */
    StrataComponents.Snapshot awaitRunning(long timeoutMillis) throws InterruptedException {
        long deadline = clock.getAsLong() + timeoutMillis;
        Map<String, Long> failingSince = new HashMap<>();
        while (true) {
            StrataComponents.Snapshot now = components.get();
            if (now.allRunning()) {
                return now;
            }
            long t = clock.getAsLong();
            failingSince.keySet().retainAll(now.failed().keySet());
            for (String name : now.failed().keySet()) {
                failingSince.putIfAbsent(name, t);
            }
            boolean lasting = failingSince.values().stream().anyMatch(since -> t - since >= FAILURE_GRACE_MILLIS);
            if (lasting || t >= deadline) {
                return now;
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        }
    }

    /**
     * Prints one line per change while the container runs: a component that failed or stopped running (ERROR),
     * and one that runs again. Reads the state once a second on a daemon thread.
     */
    void startWatching(StrataComponents.Snapshot initial, PrintStream out) {
        Thread thread = new Thread(() -> {
            StrataComponents.Snapshot previous = initial;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    TimeUnit.MILLISECONDS.sleep(WATCH_MILLIS);
                    StrataComponents.Snapshot now = components.get();
                    report(previous, now, out);
                    previous = now;
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    return; // the framework is stopping: its context is no longer valid
                }
            }
        }, "strata-component-watch");
        thread.setDaemon(true);
        watcher = thread;
        thread.start();
    }

    /** Stops reporting: called before the framework stops, whose components then stop on purpose. */
    void stopWatching() {
        Thread thread = watcher;
        if (thread != null) {
            thread.interrupt();
        }
    }

    static void report(StrataComponents.Snapshot before, StrataComponents.Snapshot after, PrintStream out) {
        after.failed().forEach((name, problem) -> {
            if (!problem.equals(before.failed().get(name))) {
                out.println("ERROR strata: component " + problem);
            }
        });
        after.waiting().forEach((name, problem) -> {
            if (!before.waiting().containsKey(name) && !after.failed().containsKey(name)) {
                out.println("ERROR strata: component " + problem);
            }
        });
        Set<String> notRunning = new TreeSet<>(before.failed().keySet());
        notRunning.addAll(before.waiting().keySet());
        for (String name : notRunning) {
            if (!after.failed().containsKey(name) && !after.waiting().containsKey(name)) {
                out.println("strata: component " + name + " runs again");
            }
        }
        out.flush();
    }
}
