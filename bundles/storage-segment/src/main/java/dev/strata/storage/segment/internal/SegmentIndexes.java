package dev.strata.storage.segment.internal;

import dev.strata.api.log.OffsetIndex;
import dev.strata.api.log.OffsetIndexFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offset index (from the {@link OffsetIndexFactory} service) and the time index of one segment, opened on use
 * and dropped when the open-file cache releases the segment's file, so an inactive segment costs no mapping either.
 * Readers may keep using an index dropped meanwhile: a closed index still answers lookups (the
 * {@link OffsetIndex} contract; the mmap indexes keep their mapping until it is garbage).
 *
 * <p>Thread-safe. Opening and dropping hold this object's lock; {@code touch} (which may release other segments)
 * runs outside it, so two segments releasing each other cannot deadlock.
 */
final class SegmentIndexes {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentIndexes.class);

    private final Path dir;
    private final long baseOffset;
    private final OffsetIndexFactory factory;
    private final int maxBytes;
    private final SegmentChannel channel;
    private volatile OffsetIndex offsetIndex;
    private volatile TimeIndexFile timeIndex;

    SegmentIndexes(Path dir, long baseOffset, OffsetIndexFactory factory, int maxBytes, SegmentChannel channel) {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.factory = factory;
        this.maxBytes = maxBytes;
        this.channel = channel;
    }

    OffsetIndex offsets() throws IOException {
        OffsetIndex idx = offsetIndex;
        if (idx != null) {
            return idx;
        }
        synchronized (this) {
            if (offsetIndex == null) {
                offsetIndex = factory.open(dir, baseOffset, maxBytes);
            }
            idx = offsetIndex;
        }
        touch();
        return idx;
    }

    TimeIndexFile times() throws IOException {
        TimeIndexFile idx = timeIndex;
        if (idx != null) {
            return idx;
        }
        synchronized (this) {
            if (timeIndex == null) {
                // segment.index.bytes may be as small as one 8-byte offset entry; a time entry needs 12.
                timeIndex = new TimeIndexFile(LogFiles.timeIndexFile(dir, baseOffset), baseOffset,
                        Math.max(maxBytes, TimeIndexFile.ENTRY_SIZE));
            }
            idx = timeIndex;
        }
        touch();
        return idx;
    }

    /** Counts the segment's file in the cache again after an index was opened, so both are released together. */
    private void touch() throws IOException {
        channel.size();
    }

    /** Drops the indexes of a segment whose file the cache released; they are opened again on use. */
    void unload() {
        synchronized (this) {
            if (channel.isPinned()) {
                return;
            }
            try {
                closeLocked();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Closing the indexes of segment {} in {} failed: {}", baseOffset, dir, e.toString());
            }
        }
    }

    /** Closes the offset index (which trims it); it is opened again on use. */
    synchronized void closeOffsetIndex() throws IOException {
        OffsetIndex old = offsetIndex;
        offsetIndex = null;
        if (old != null) {
            old.close();
        }
    }

    /** Flushes and closes both; they are opened again on use. */
    synchronized void close() throws IOException {
        closeLocked();
    }

    private void closeLocked() throws IOException {
        OffsetIndex o = offsetIndex;
        TimeIndexFile t = timeIndex;
        offsetIndex = null;
        timeIndex = null;
        try {
            if (o != null) {
                o.close();
            }
        } finally {
            if (t != null) {
                t.close();
            }
        }
    }

    /** Deletes both index files (the next use creates them empty). */
    void delete() throws IOException {
        synchronized (this) {
            OffsetIndex o = offsetIndex;
            TimeIndexFile t = timeIndex;
            offsetIndex = null;
            timeIndex = null;
            if (o != null) {
                o.delete();
            }
            if (t != null) {
                t.delete();
            }
        }
        factory.delete(dir, baseOffset);
        Files.deleteIfExists(LogFiles.timeIndexFile(dir, baseOffset));
    }
}
