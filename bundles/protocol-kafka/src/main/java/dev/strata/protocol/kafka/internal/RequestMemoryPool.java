package dev.strata.protocol.kafka.internal;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The memory all connections together may hold for requests ({@code queued.max.request.bytes}), like Kafka's
 * {@code MemoryPool}: a request's size is reserved when its size prefix arrives, before any of its body is read, and
 * released when the request has been handled (or its connection closed). A connection that cannot reserve waits in
 * line, not reading from its socket, and is called back once its bytes are reserved for it.
 *
 * <p>Strict: the bytes reserved never exceed the capacity (Kafka's pool may overshoot by one request). First fit:
 * a request that fits is reserved at once even while larger ones wait, and released memory goes to the waiters that
 * fit, in arrival order. So peers holding most of the pool with large half-sent requests (until the read timeout
 * closes them) do not hold up ordinary small requests; the price is that under sustained pressure a large request
 * can wait behind a stream of small ones. Nothing larger than the capacity can ever be reserved:
 * {@link FrameDecoder} refuses such frames.
 *
 * <p>Thread-safe. {@link Waiter#granted} is called without the pool's lock held, on the thread that released memory.
 */
final class RequestMemoryPool {
    /** A reservation waiting for memory. */
    interface Waiter {
        int bytes();

        /** The bytes are now reserved for this waiter, which owns them (and must release them). Any thread. */
        void granted();
    }

    private final long capacity;
    private final Collection<Waiter> waiters = new LinkedHashSet<>();
    private long used;
    private long peak;

    /** @param capacity the bytes that may be reserved at once; &le; 0 for no limit (Kafka's -1) */
    RequestMemoryPool(long capacity) {
        this.capacity = capacity <= 0 ? Long.MAX_VALUE : capacity;
    }

    /** Reserves {@code waiter.bytes()} now (true), or queues the waiter to be {@link Waiter#granted} later (false). */
    synchronized boolean reserveOrWait(Waiter waiter) {
        if (capacity - used >= waiter.bytes()) {
            take(waiter.bytes());
            return true;
        }
        waiters.add(waiter);
        return false;
    }

    /** Returns reserved bytes and grants waiting reservations that now fit, in order. */
    void release(long bytes) {
        List<Waiter> granted;
        synchronized (this) {
            used -= bytes;
            if (used < 0) {
                throw new IllegalStateException("released more than reserved: " + used);
            }
            granted = grantWaiting();
        }
        granted.forEach(Waiter::granted);
    }

    /**
     * Takes a waiter out of line (its connection closed). Returns false if it was no longer waiting: then it has been
     * granted, or is about to be, and the grant must be released by its owner.
     */
    synchronized boolean cancel(Waiter waiter) {
        return waiters.remove(waiter);
    }

    private List<Waiter> grantWaiting() {
        List<Waiter> granted = new ArrayList<>();
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext() && used < capacity; ) {
            Waiter w = it.next();
            if (capacity - used >= w.bytes()) {
                it.remove();
                take(w.bytes());
                granted.add(w);
            }
        }
        return granted;
    }

    private void take(int bytes) {
        used += bytes;
        peak = Math.max(peak, used);
    }

    /** The capacity; {@code Long.MAX_VALUE} when unbounded. */
    long capacity() {
        return capacity;
    }

    synchronized long used() {
        return used;
    }

    /** The most ever reserved at once. */
    synchronized long peak() {
        return peak;
    }

    synchronized int waiting() {
        return waiters.size();
    }
}
