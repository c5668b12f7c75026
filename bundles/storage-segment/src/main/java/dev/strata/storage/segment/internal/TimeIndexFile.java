package dev.strata.storage.segment.internal;

import dev.strata.api.log.TimeIndex;
import dev.strata.api.log.TimestampOffset;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Kafka-style sparse time index of one segment, {@code %020d.timeindex}: 12-byte entries of an 8-byte timestamp
 * and the 4-byte relative offset of the batch where the segment's max timestamp first reached it. Timestamps
 * strictly increase, offsets never decrease. Thread-safety: as {@link TimeIndex} requires (see
 * {@link MmapIndexFile}); a full index drops further entries.
 */
final class TimeIndexFile extends MmapIndexFile implements TimeIndex {
    static final int ENTRY_SIZE = 12;

    TimeIndexFile(Path file, long baseOffset, int maxBytes) throws IOException {
        super(file, baseOffset, maxBytes, ENTRY_SIZE);
    }

    /**
     * Adds {@code (timestamp, offset)} when the timestamp is above the last entry's and there is room; otherwise
     * does nothing (a sparser index only means a longer scan).
     */
    @Override
    public void maybeAppend(long timestamp, long offset) throws IOException {
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Offset " + offset + " does not fit index " + file);
        }
        View v = view();
        if (v.count() > 0) {
            int last = (v.count() - 1) * ENTRY_SIZE;
            if (v.buf().getLong(last) >= timestamp || v.buf().getInt(last + 8) > relative) {
                return;
            }
        }
        appendEntry((buf, pos) -> buf.putLong(pos, timestamp).putInt(pos + 8, (int) relative));
    }

    /** The entry with the largest timestamp at or below {@code timestamp}, or {@code (-1, baseOffset)}. */
    @Override
    public TimestampOffset lookup(long timestamp) {
        View v = view();
        int slot = floorSlot(v, timestamp, (buf, pos) -> buf.getLong(pos));
        return slot < 0 ? new TimestampOffset(-1, baseOffset) : entryAt(v, slot);
    }

    /** The last entry, or {@code (-1, baseOffset)} when empty. */
    @Override
    public TimestampOffset lastEntry() {
        View v = view();
        return v.count() == 0 ? new TimestampOffset(-1, baseOffset) : entryAt(v, v.count() - 1);
    }

    /** Removes entries whose offset is at or above {@code offset}. */
    @Override
    public void truncateTo(long offset) {
        View v = view();
        int keep = v.count();
        while (keep > 0 && baseOffset + v.buf().getInt((keep - 1) * ENTRY_SIZE + 8) >= offset) {
            keep--;
        }
        truncateToEntries(keep);
    }

    @Override
    public void sanityCheck() throws IOException {
        super.sanityCheck();
        View v = view();
        long previousTs = Long.MIN_VALUE;
        int previousOffset = -1;
        for (int i = 0; i < v.count(); i++) {
            long ts = v.buf().getLong(i * ENTRY_SIZE);
            int relative = v.buf().getInt(i * ENTRY_SIZE + 8);
            if ((i > 0 && ts <= previousTs) || relative < previousOffset || relative < 0) {
                throw new IOException("Time index " + file + " entry " + i + " (" + ts + ", " + relative
                        + ") does not follow (" + previousTs + ", " + previousOffset + ")");
            }
            previousTs = ts;
            previousOffset = relative;
        }
    }

    private TimestampOffset entryAt(View v, int slot) {
        int pos = slot * ENTRY_SIZE;
        return new TimestampOffset(v.buf().getLong(pos), baseOffset + v.buf().getInt(pos + 8));
    }
}
