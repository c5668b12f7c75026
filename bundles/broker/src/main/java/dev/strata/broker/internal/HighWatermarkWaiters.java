package dev.strata.broker.internal;

import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;

/**
 * The acks=-1 appends of one partition waiting for its high watermark: each completes with true once the high
 * watermark reaches its offset, or with false when the partition goes offline. The partition completes them
 * outside its lock, so that no caller's callback runs under it. Thread-safe.
 */
final class HighWatermarkWaiters {
    private record Waiter(long offset, CompletableFuture<Boolean> future) {
    }

    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final LongSupplier highWatermark;
    private volatile boolean failed;

    /** @param highWatermark the partition's high watermark now */
    HighWatermarkWaiters(LongSupplier highWatermark) {
        this.highWatermark = highWatermark;
    }

    /** Completes with true once the high watermark reaches {@code offset}. The caller bounds the wait. */
    CompletableFuture<Boolean> await(long offset) {
        if (highWatermark.getAsLong() >= offset) {
            return CompletableFuture.completedFuture(Boolean.TRUE);
        }
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        Waiter w = new Waiter(offset, f);
        waiters.add(w);
        f.whenComplete((r, e) -> waiters.remove(w));
        if (highWatermark.getAsLong() >= offset) { // it moved while we registered
            f.complete(Boolean.TRUE);
        } else if (failed) {
            f.complete(Boolean.FALSE);
        }
        return f;
    }

    /** Completes the waits the high watermark has reached. */
    void completeReached() {
        if (waiters.isEmpty()) {
            return;
        }
        long hw = highWatermark.getAsLong();
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.offset() <= hw) {
                it.remove();
                w.future().complete(Boolean.TRUE);
            }
        }
    }

    /** The partition went offline: every wait, now and later, completes with false. */
    void failAll() {
        failed = true;
        failCurrent();
    }

    /** Leadership moved away: the waits registered now complete with false (later ones are the caller's concern). */
    void failCurrent() {
        Waiter w;
        while ((w = waiters.poll()) != null) {
            w.future().complete(Boolean.FALSE);
        }
    }
}
