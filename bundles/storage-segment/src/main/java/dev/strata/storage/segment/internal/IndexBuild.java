package dev.strata.storage.segment.internal;

import dev.strata.api.log.OffsetIndex;
import dev.strata.api.log.OffsetIndexFactory;
import dev.strata.api.log.TimeIndex;
import dev.strata.record.RecordBatch;
import java.io.IOException;

/**
 * The indexes of one segment being built by another {@link OffsetIndexFactory} (a live index swap), from the
 * segment file and beside reads and appends that go on with the old indexes. The bulk is built without the log's
 * lock from the bytes published then; the tail written meanwhile is indexed under the lock just before the switch.
 * Entries follow the same policy as the segment's own (one every {@code index.interval.bytes}).
 *
 * <p>Not thread-safe: one swap drives it.
 */
final class IndexBuild {
    final OffsetIndexFactory factory;
    final OffsetIndex offsets;
    final TimeIndex times;
    private final long baseOffset;
    /** Bytes of the segment indexed so far. */
    private int position;
    /** The segment's truncation count when the indexed bytes were read. */
    private int truncations;
    private long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    private long offsetOfMaxTimestamp;
    private int bytesSinceEntry;

    private IndexBuild(OffsetIndexFactory factory, OffsetIndex offsets, TimeIndex times, long baseOffset) {
        this.factory = factory;
        this.offsets = offsets;
        this.times = times;
        this.baseOffset = baseOffset;
        this.offsetOfMaxTimestamp = baseOffset;
    }

    /** Opens empty indexes for the segment (removing whatever {@code factory} kept of it before). */
    static IndexBuild start(OffsetIndexFactory factory, LogSegment segment) throws IOException {
        factory.delete(segment.dir(), segment.baseOffset());
        OffsetIndex offsets = factory.open(segment.dir(), segment.baseOffset());
        try {
            return new IndexBuild(factory, offsets, factory.openTimeIndex(segment.dir(), segment.baseOffset()),
                    segment.baseOffset());
        } catch (IOException | RuntimeException e) {
            offsets.delete();
            throw e;
        }
    }

    /**
     * Indexes the segment's batches from where this build stopped up to its published size, from the start again
     * when the segment was truncated since.
     */
    void catchUp(LogSegment segment, int interval) throws IOException {
        int limit = segment.size();
        int cuts = segment.truncations();
        if (cuts != truncations || limit < position) {
            offsets.truncateTo(baseOffset);
            times.truncateTo(baseOffset);
            position = 0;
            maxTimestamp = RecordBatch.NO_TIMESTAMP;
            offsetOfMaxTimestamp = baseOffset;
            bytesSinceEntry = 0;
            truncations = cuts;
        }
        BatchScanner scan = segment.scanner(limit);
        while (position < limit) {
            BatchHeader h = scan.headerAt(position);
            if (h == null) {
                break; // damage the reads skip; the entries so far are right, the rest is scanned on lookup
            }
            if (h.maxTimestamp() > maxTimestamp) {
                maxTimestamp = h.maxTimestamp();
                offsetOfMaxTimestamp = h.baseOffset();
            }
            if (bytesSinceEntry >= interval) {
                if (h.baseOffset() > offsets.lastEntry().offset()) {
                    offsets.append(h.baseOffset(), position);
                }
                times.maybeAppend(maxTimestamp, offsetOfMaxTimestamp);
                bytesSinceEntry = 0;
            }
            bytesSinceEntry += h.size();
            position = h.end();
        }
    }

    /** Records the segment's final max timestamp, as a segment that stops being active does. */
    void finish() throws IOException {
        if (maxTimestamp >= 0) {
            times.maybeAppend(maxTimestamp, offsetOfMaxTimestamp);
        }
        offsets.flush();
        times.flush();
    }

    /** Entries built (for the swap's log line). */
    int entries() {
        return offsets.entries();
    }

    /** Drops what was built (a swap given up, or a segment deleted meanwhile). */
    void abandon() throws IOException {
        try {
            offsets.delete();
        } finally {
            times.delete();
        }
    }
}
