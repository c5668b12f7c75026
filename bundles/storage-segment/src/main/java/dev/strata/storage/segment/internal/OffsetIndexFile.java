package dev.strata.storage.segment.internal;

import dev.strata.api.log.IndexEntry;
import dev.strata.api.log.OffsetIndex;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Kafka-style sparse offset index of one segment, {@code %020d.index}: 8-byte entries of a 4-byte offset relative
 * to the segment's base offset and the 4-byte position of that batch in the segment file, in increasing offset
 * order, memory-mapped. Thread-safety: as {@link OffsetIndex} requires (see {@link MmapIndexFile}); a full index
 * drops further entries.
 */
final class OffsetIndexFile extends MmapIndexFile implements OffsetIndex {
    static final int ENTRY_SIZE = 8;

    OffsetIndexFile(Path file, long baseOffset, int maxBytes) throws IOException {
        super(file, baseOffset, maxBytes, ENTRY_SIZE);
    }

    @Override
    public void append(long offset, int position) throws IOException {
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Offset " + offset + " does not fit index " + file);
        }
        if (position < 0) {
            throw new IllegalArgumentException("Negative position " + position);
        }
        View v = view();
        if (v.count() > 0) {
            int lastPos = (v.count() - 1) * ENTRY_SIZE;
            if (v.buf().getInt(lastPos) >= relative) {
                throw new IllegalArgumentException("Offset " + offset + " is not above the last entry of " + file);
            }
        }
        appendEntry((buf, pos) -> buf.putInt(pos, (int) relative).putInt(pos + 4, position));
    }

    @Override
    public IndexEntry lookup(long targetOffset) {
        View v = view();
        int slot = floorSlot(v, targetOffset - baseOffset, (buf, pos) -> buf.getInt(pos));
        return slot < 0 ? new IndexEntry(baseOffset, 0) : entryAt(v, slot);
    }

    @Override
    public IndexEntry lastEntry() {
        View v = view();
        return v.count() == 0 ? new IndexEntry(baseOffset, 0) : entryAt(v, v.count() - 1);
    }

    @Override
    public void truncateTo(long offset) {
        View v = view();
        int slot = floorSlot(v, offset - baseOffset - 1, (buf, pos) -> buf.getInt(pos));
        truncateToEntries(slot + 1);
    }

    @Override
    public void sanityCheck() throws IOException {
        super.sanityCheck();
        View v = view();
        long previous = -1;
        int previousPosition = -1;
        for (int i = 0; i < v.count(); i++) {
            long relative = v.buf().getInt(i * ENTRY_SIZE);
            int position = v.buf().getInt(i * ENTRY_SIZE + 4);
            if (relative <= previous || position < previousPosition || relative < 0) {
                throw new IOException("Offset index " + file + " entry " + i + " (" + relative + ", " + position
                        + ") does not follow (" + previous + ", " + previousPosition + ")");
            }
            previous = relative;
            previousPosition = position;
        }
    }

    private IndexEntry entryAt(View v, int slot) {
        int pos = slot * ENTRY_SIZE;
        return new IndexEntry(baseOffset + v.buf().getInt(pos), v.buf().getInt(pos + 4));
    }
}
