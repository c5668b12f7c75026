package dev.strata.storage.segment.internal;

import dev.strata.api.log.OffsetIndexFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which index implementation one {@link SegmentedLog} uses, and the live switch of all its segments to another one
 * (an index swap). Kept apart from the log because a switch is a long, rare, multi-phase job (a bulk build without
 * the log's lock, then a catch-up and the switch under it) that appends and reads must not pay for.
 *
 * <p>Thread-safe: switches of one log are serialised by {@link #swapLock()}; the factory and type are published
 * (volatile) under the log's lock.
 */
final class LogIndexSwitch {
    private static final Logger LOG = LoggerFactory.getLogger(LogIndexSwitch.class);

    /** The factory new segments get. Written under the log's lock. */
    private volatile OffsetIndexFactory factory;
    private volatile String type;
    /** The index type being built by a swap, or null. */
    private volatile String migratingTo;
    /** Serialises index swaps of the log (one from the store's swap thread, one from an open racing it). */
    private final Object swapLock = new Object();

    LogIndexSwitch(OffsetIndexFactory factory, String type) {
        this.factory = factory;
        this.type = type;
    }

    OffsetIndexFactory factory() {
        return factory;
    }

    String type() {
        return type;
    }

    /** The index type a switch is building, or null. */
    String migratingTo() {
        return migratingTo;
    }

    /** Taken before the log's lock by index switches, and by rewrite commits so that no switch runs beside one. */
    Object swapLock() {
        return swapLock;
    }

    /**
     * Moves every segment of {@code log} to indexes from {@code to}: builds them from the segment files without the
     * lock while reads and appends go on with the old ones, then, under the lock, indexes what was appended
     * meanwhile (and any segment rolled meanwhile) and switches all segments at once. The old indexes are deleted
     * once no lookup uses them. On failure (or {@code stop}) the log keeps its old indexes and what was built is
     * dropped.
     *
     * @return entries built, or -1 when the log was closed (or stopped) first
     */
    long switchTo(SegmentedLog log, OffsetIndexFactory to, String toType, BooleanSupplier stop) throws IOException {
        synchronized (swapLock) {
            return switchLocked(log, to, toType, stop);
        }
    }

    private long switchLocked(SegmentedLog log, OffsetIndexFactory to, String toType, BooleanSupplier stop)
            throws IOException {
        if (factory == to) {
            return 0;
        }
        migratingTo = toType;
        Map<LogSegment, IndexBuild> builds = new HashMap<>();
        try {
            int interval = log.config().indexIntervalBytes();
            for (LogSegment s : log.segmentMap().values()) {
                if (log.isClosed() || stop.getAsBoolean()) {
                    return -1;
                }
                if (s.indexFactory() == to) {
                    continue; // switched by an earlier swap that failed half-way
                }
                IndexBuild b = IndexBuild.start(to, s);
                builds.put(s, b);
                b.catchUp(s, interval);
            }
            synchronized (log.lock()) {
                if (log.isClosed() || stop.getAsBoolean()) {
                    return -1;
                }
                interval = log.config().indexIntervalBytes();
                for (LogSegment s : log.segmentMap().values()) {
                    IndexBuild b = builds.get(s);
                    if (b == null && s.indexFactory() != to) {
                        b = IndexBuild.start(to, s); // rolled during the bulk: small
                        builds.put(s, b);
                    }
                    if (b != null) {
                        b.catchUp(s, interval);
                    }
                }
                long entries = 0;
                for (LogSegment s : log.segmentMap().values()) {
                    IndexBuild b = builds.remove(s);
                    if (b == null) {
                        continue;
                    }
                    entries += b.entries();
                    s.switchIndexes(b);
                }
                factory = to;
                type = toType;
                return entries;
            }
        } finally {
            migratingTo = null;
            for (IndexBuild b : builds.values()) {
                try {
                    b.abandon(); // segments deleted meanwhile, or a swap given up
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Dropping indexes built for {} failed: {}", log.topicPartition(), e.toString());
                }
            }
        }
    }
}
