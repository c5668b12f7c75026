package dev.strata.storage.segment.internal;

import dev.strata.api.log.OffsetIndex;
import dev.strata.api.log.TimeIndex;
import dev.strata.record.RecordBatch;
import java.io.IOException;
import java.util.Arrays;

/**
 * The index entries of a segment being rewritten ({@link SegmentRewrite}), collected in memory as its batches are
 * written, with the policy of the segment's own indexes (one entry every {@code index.interval.bytes}). They are
 * written to the log's index factory only at the commit: the replaced segment with the same base offset owns that
 * factory's indexes until then. A few bytes per entry (one every 4 KiB of batches by default).
 *
 * <p>Not thread-safe: one rewrite drives it.
 */
final class RewriteIndex {
    private final long baseOffset;
    private final int interval;
    private long[] offsets = new long[64];
    private int[] positions = new int[64];
    private long[] timestamps = new long[64];
    private long[] timeOffsets = new long[64];
    private int offsetEntries;
    private int timeEntries;
    private long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    private long offsetOfMaxTimestamp;
    private int bytesSinceEntry;
    private long nextOffset;

    RewriteIndex(long baseOffset, int interval) {
        this.baseOffset = baseOffset;
        this.interval = interval;
        this.offsetOfMaxTimestamp = baseOffset;
        this.nextOffset = baseOffset;
    }

    /** Indexes one batch written at {@code position}. */
    void add(BatchHeader h, int position) {
        if (h.maxTimestamp() > maxTimestamp) {
            maxTimestamp = h.maxTimestamp();
            offsetOfMaxTimestamp = h.baseOffset();
        }
        if (bytesSinceEntry >= interval) {
            long lastIndexed = offsetEntries == 0 ? baseOffset : offsets[offsetEntries - 1];
            if (h.baseOffset() > lastIndexed) {
                if (offsetEntries == offsets.length) {
                    offsets = Arrays.copyOf(offsets, offsetEntries * 2);
                    positions = Arrays.copyOf(positions, offsetEntries * 2);
                }
                offsets[offsetEntries] = h.baseOffset();
                positions[offsetEntries++] = position;
            }
            if (timeEntries == 0 || maxTimestamp > timestamps[timeEntries - 1]) {
                if (timeEntries == timestamps.length) {
                    timestamps = Arrays.copyOf(timestamps, timeEntries * 2);
                    timeOffsets = Arrays.copyOf(timeOffsets, timeEntries * 2);
                }
                timestamps[timeEntries] = maxTimestamp;
                timeOffsets[timeEntries++] = offsetOfMaxTimestamp;
            }
            bytesSinceEntry = 0;
        }
        bytesSinceEntry += h.size();
        nextOffset = h.nextOffset();
    }

    /** Writes the entries to the (empty) indexes of the rewritten segment. */
    void writeTo(OffsetIndex offsetIndex, TimeIndex timeIndex) throws IOException {
        for (int i = 0; i < offsetEntries; i++) {
            offsetIndex.append(offsets[i], positions[i]);
        }
        for (int i = 0; i < timeEntries; i++) {
            timeIndex.maybeAppend(timestamps[i], timeOffsets[i]);
        }
    }

    long maxTimestamp() {
        return maxTimestamp;
    }

    long offsetOfMaxTimestamp() {
        return offsetOfMaxTimestamp;
    }

    int bytesSinceEntry() {
        return bytesSinceEntry;
    }

    /** One past the last offset written, the base offset while empty. */
    long nextOffset() {
        return nextOffset;
    }
}
