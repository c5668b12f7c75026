package dev.strata.storage.segment.internal;

import dev.strata.api.log.LogSliceSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slices a log has handed out and not yet released. A log that is closed (its store swapped or stopped) or
 * deleted while a zero-copy send still reads it closes its segment files only when the last of them is released,
 * or after a grace period, so the send finishes on the files it started on.
 *
 * <p>Thread-safe.
 */
final class ReadHolds {
    private static final Logger LOG = LoggerFactory.getLogger(ReadHolds.class);
    /** How long a closed log waits for slices that are never released (a bug elsewhere) before closing anyway. */
    static final long GRACE_MS = 60_000;

    private final String name;
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicBoolean actionDone = new AtomicBoolean();
    private volatile Runnable whenReleased;

    ReadHolds(String name) {
        this.name = name;
    }

    /** A source that reads through {@code inner} and counts as held until its first release. */
    LogSliceSource hold(LogSliceSource inner) {
        return hold(inner, null);
    }

    /**
     * A source that reads through {@code inner} and counts as held, here and in {@code also} (the segment it reads,
     * whose files go only after its slices once it leaves the log), until its first release.
     */
    LogSliceSource hold(LogSliceSource inner, ReadHolds also) {
        held.incrementAndGet();
        if (also != null) {
            also.held.incrementAndGet();
        }
        return new Held(inner, also);
    }

    int held() {
        return held.get();
    }

    /**
     * Runs {@code action} once: now when nothing is held, else at the last release, or after {@link #GRACE_MS} on
     * {@code timer} (when given) if slices are still held then.
     */
    void whenReleased(Runnable action, ScheduledExecutorService timer) {
        whenReleased = action;
        if (held.get() == 0) {
            runOnce();
            return;
        }
        LOG.debug("{}: closing its files once {} slice(s) in use are released", name, held.get());
        if (timer != null) {
            try {
                timer.schedule(() -> {
                    int left = held.get();
                    if (left > 0 && !actionDone.get()) {
                        LOG.warn("{}: {} slice(s) still unreleased after {} ms; closing its files now", name, left,
                                GRACE_MS);
                        runOnce();
                    }
                }, GRACE_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                LOG.debug("{}: no grace timer (store stopping); files close at the last release", name);
            }
        }
    }

    private void runOnce() {
        Runnable action = whenReleased;
        if (action != null && actionDone.compareAndSet(false, true)) {
            action.run();
        }
    }

    private void released() {
        if (held.decrementAndGet() == 0 && whenReleased != null) {
            runOnce();
        }
    }

    private final class Held implements LogSliceSource {
        private final LogSliceSource inner;
        private final ReadHolds also;
        private final AtomicBoolean released = new AtomicBoolean();

        Held(LogSliceSource inner, ReadHolds also) {
            this.inner = inner;
            this.also = also;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return inner.read(dst, position);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return inner.transferTo(position, count, target);
        }

        @Override
        public long size() throws IOException {
            return inner.size();
        }

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) {
                released();
                if (also != null) {
                    also.released();
                }
            }
        }
    }
}
