package dev.strata.storage.segment.internal;

import dev.strata.api.log.OffsetIndex;
import dev.strata.api.log.OffsetIndexFactory;
import dev.strata.api.log.TimeIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offset and time index of one segment (both from the current {@link OffsetIndexFactory}), opened on use and
 * dropped when the open-file cache releases the segment's file, so an inactive segment costs no index either.
 *
 * <p>Every use goes through {@link #acquire()}, which counts the user in; an index that is dropped, switched to
 * another factory or deleted is closed (or deleted) only when the last user lets go. So a lookup never runs on a
 * closed index, which an index that is not a memory-mapped file (RocksDB) would not survive.
 *
 * <p>Thread-safe. Opening, dropping and switching hold this object's lock; {@code touch} (which may release other
 * segments) runs outside it, so two segments releasing each other cannot deadlock.
 */
final class SegmentIndexes {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentIndexes.class);

    private final Path dir;
    private final long baseOffset;
    private final SegmentChannel channel;
    private volatile OffsetIndexFactory factory;
    /** The indexes new users get, or null until opened again. Guarded by this for writes. */
    private volatile Indexes live;
    /** Every pair not yet closed: the live one and dropped ones that lookups still use. */
    private final Set<Indexes> unfinished = ConcurrentHashMap.newKeySet();
    /** The segment left the log: nothing opens the indexes again. Guarded by this. */
    private boolean gone;

    SegmentIndexes(Path dir, long baseOffset, OffsetIndexFactory factory, SegmentChannel channel) {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.factory = factory;
        this.channel = channel;
    }

    /** Both indexes for one use; {@link Indexes#close()} lets go of them. */
    Indexes acquire() throws IOException {
        while (true) {
            Indexes idx = live;
            boolean opened = false;
            if (idx == null) {
                synchronized (this) {
                    if (gone) {
                        throw new IOException("Segment " + baseOffset + " in " + dir + " left the log");
                    }
                    if (live == null) {
                        live = open(factory);
                        opened = true;
                    }
                    idx = live;
                }
            }
            if (opened) {
                touch();
            }
            if (idx.retain()) {
                return idx;
            }
            // Dropped between the read and the retain: take the next one.
        }
    }

    private Indexes open(OffsetIndexFactory f) throws IOException {
        OffsetIndex offsets = f.open(dir, baseOffset);
        TimeIndex times;
        try {
            times = f.openTimeIndex(dir, baseOffset);
        } catch (IOException | RuntimeException e) {
            offsets.close();
            throw e;
        }
        Indexes idx = new Indexes(f, offsets, times);
        unfinished.add(idx);
        return idx;
    }

    /** Counts the segment's file in the cache again after the indexes were opened, so both are released together. */
    private void touch() throws IOException {
        channel.size();
    }

    OffsetIndexFactory factory() {
        return factory;
    }

    /** Drops the indexes of a segment whose file the cache released; they are opened again on use. */
    void unload() {
        synchronized (this) {
            if (channel.isPinned()) {
                return;
            }
            try {
                retireLocked();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Closing the indexes of segment {} in {} failed: {}", baseOffset, dir, e.toString());
            }
        }
    }

    /**
     * Flushes and closes both (closed once the lookups in flight end); they are opened again on use.
     *
     * @throws IOException when closing right away failed
     */
    synchronized void close() throws IOException {
        retireLocked();
    }

    private void retireLocked() throws IOException {
        Indexes old = live;
        live = null;
        if (old != null) {
            old.releaseAndFinish();
        }
    }

    /**
     * For a segment leaving the log: closes both indexes and waits up to {@code waitMs} for the lookups in flight
     * on them (short: they never wait for the log), so that their files can be renamed and another segment with the
     * same base offset (a rewrite) can open its own. Nothing opens them again afterwards.
     *
     * @return whether every lookup ended in time
     */
    boolean retireForRemoval(long waitMs) throws IOException {
        synchronized (this) {
            gone = true;
            retireLocked();
            long deadline = System.nanoTime() + waitMs * 1_000_000;
            while (!unfinished.isEmpty()) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    LOG.warn("Indexes of segment {} in {} still in use after {} ms", baseOffset, dir, waitMs);
                    return false;
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Switches to the indexes {@code build} made; an inactive segment (its file not pinned) gets them finished
     * (final max timestamp, flushed) and closed until its next use, an active one keeps them open.
     */
    void switchTo(IndexBuild build) throws IOException {
        boolean active = channel.isPinned();
        if (!active) {
            build.finish();
        } else {
            build.offsets.flush();
            build.times.flush();
        }
        switchTo(build.factory, build.offsets, build.times, active);
    }

    /**
     * Switches to indexes that {@code to} built for this segment: new users get them, and the old ones are deleted
     * once the last lookup on them ends. {@code keepOpen} false closes the new ones (an inactive segment opens
     * them again on use).
     */
    void switchTo(OffsetIndexFactory to, OffsetIndex offsets, TimeIndex times, boolean keepOpen) throws IOException {
        OffsetIndexFactory from;
        boolean oldStillOpen = false;
        synchronized (this) {
            from = factory;
            factory = to;
            Indexes old = live;
            live = null;
            for (Indexes i : unfinished) {
                if (i.factory == from) {
                    i.deleteOnFinish = true;
                    oldStillOpen = true;
                }
            }
            Indexes fresh = new Indexes(to, offsets, times);
            unfinished.add(fresh);
            if (keepOpen) {
                live = fresh;
            } else {
                fresh.releaseAndFinish();
            }
            if (old != null) {
                old.releaseAndFinish();
            }
        }
        if (!oldStillOpen && from != to) {
            // Nothing of the old indexes is open: remove what the old factory keeps of them.
            from.delete(dir, baseOffset);
        }
    }

    /** Deletes both indexes (the next use creates them empty). */
    void delete() throws IOException {
        boolean open = false;
        OffsetIndexFactory f;
        synchronized (this) {
            f = factory;
            for (Indexes i : unfinished) {
                i.deleteOnFinish = true;
                open |= i.factory == f;
            }
            retireLocked();
            open &= unfinished.stream().anyMatch(i -> i.factory == f);
        }
        if (!open) {
            f.delete(dir, baseOffset);
        }
    }

    /**
     * The offset and time index of the segment as opened by one factory, counted: one count for being live, one
     * per user. Closed (or deleted) when the count reaches zero.
     */
    final class Indexes implements AutoCloseable {
        private final OffsetIndexFactory factory;
        private final OffsetIndex offsets;
        private final TimeIndex times;
        private final AtomicInteger refs = new AtomicInteger(1);
        /** Guarded by the SegmentIndexes lock (set there, read in finish under it). */
        private boolean deleteOnFinish;

        private Indexes(OffsetIndexFactory factory, OffsetIndex offsets, TimeIndex times) {
            this.factory = factory;
            this.offsets = offsets;
            this.times = times;
        }

        OffsetIndex offsets() {
            return offsets;
        }

        TimeIndex times() {
            return times;
        }

        private boolean retain() {
            while (true) {
                int r = refs.get();
                if (r == 0) {
                    return false;
                }
                if (refs.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
        }

        /** Lets go of the indexes after one use. */
        @Override
        public void close() {
            if (refs.decrementAndGet() == 0) {
                try {
                    finish();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Closing the indexes of segment {} in {} failed: {}", baseOffset, dir, e.toString());
                }
            }
        }

        /** Drops the live count; closes now (throwing what fails) when no user is left. */
        private void releaseAndFinish() throws IOException {
            if (refs.decrementAndGet() == 0) {
                finish();
            }
        }

        private void finish() throws IOException {
            synchronized (SegmentIndexes.this) {
                unfinished.remove(this);
                SegmentIndexes.this.notifyAll(); // a removal may wait for the last lookup
                try {
                    if (deleteOnFinish) {
                        offsets.delete();
                    } else {
                        offsets.close();
                    }
                } finally {
                    if (deleteOnFinish) {
                        times.delete();
                    } else {
                        times.close();
                    }
                }
            }
        }
    }
}
