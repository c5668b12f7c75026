package dev.strata.index.rocksdb.internal;

import dev.strata.api.log.IndexEntry;
import dev.strata.api.log.OffsetIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The offset index of one segment in the log directory's {@link IndexDb}: key = segment prefix + offset, value =
 * the 4-byte position. The entry count and the last entry are kept in memory (read back at open), so
 * {@link #lastEntry} and appends cost no read. Thread-safety: as {@link OffsetIndex} requires; RocksDB is
 * thread-safe and the cached values are published after the write.
 */
final class RocksOffsetIndex implements OffsetIndex {
    private final Path dir;
    private final long baseOffset;
    private final SegmentKeys keys;
    private volatile int entries;
    private volatile IndexEntry last;

    RocksOffsetIndex(IndexDb db, Path dir, long baseOffset) throws IOException {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.keys = new SegmentKeys(db, db.offsets(), dir, baseOffset);
        reload();
    }

    /** Counts the entries and finds the last one (at open and after a truncation). */
    private void reload() throws IOException {
        int[] n = {0};
        IndexEntry[] lastSeen = {null};
        keys.forEach(e -> {
            n[0]++;
            lastSeen[0] = entry(e);
        });
        entries = n[0];
        last = lastSeen[0];
    }

    private static IndexEntry entry(SegmentKeys.Entry e) {
        return new IndexEntry(e.key(), e.value().length == 4 ? ByteBuffer.wrap(e.value()).getInt() : -1);
    }

    @Override
    public long baseOffset() {
        return baseOffset;
    }

    @Override
    public void append(long offset, int position) throws IOException {
        IndexEntry previous = last;
        if (offset < baseOffset || (previous != null && offset <= previous.offset())) {
            throw new IllegalArgumentException("Offset " + offset + " does not follow the offset index of segment "
                    + baseOffset + " in " + dir);
        }
        if (position < 0) {
            throw new IllegalArgumentException("Negative position " + position);
        }
        keys.put(offset, ByteBuffer.allocate(4).putInt(position).array());
        last = new IndexEntry(offset, position);
        entries = entries + 1;
    }

    @Override
    public IndexEntry lookup(long targetOffset) throws IOException {
        IndexEntry latest = last;
        if (latest != null && latest.offset() <= targetOffset) {
            return latest; // the common case of a consumer at the tail: no read
        }
        if (targetOffset < baseOffset) {
            return new IndexEntry(baseOffset, 0);
        }
        SegmentKeys.Entry found = keys.floor(targetOffset);
        IndexEntry e = found == null ? null : entry(found);
        return e != null && e.position() >= 0 ? e : new IndexEntry(baseOffset, 0);
    }

    @Override
    public IndexEntry lastEntry() {
        IndexEntry latest = last;
        return latest == null ? new IndexEntry(baseOffset, 0) : latest;
    }

    @Override
    public int entries() {
        return entries;
    }

    @Override
    public void truncateTo(long offset) throws IOException {
        keys.deleteFrom(Math.max(offset, baseOffset));
        reload();
    }

    @Override
    public void flush() throws IOException {
        keys.sync();
    }

    @Override
    public void sanityCheck() throws IOException {
        IndexEntry[] previous = {null};
        keys.forEach(raw -> {
            IndexEntry e = entry(raw);
            IndexEntry p = previous[0];
            if (e.offset() < baseOffset || e.position() < 0
                    || (p != null && (e.position() < p.position() || e.offset() <= p.offset()))) {
                throw new IOException("RocksDB offset index of segment " + baseOffset + " in " + dir + ": entry "
                        + e + " does not follow " + p);
            }
            previous[0] = e;
        });
    }

    @Override
    public void close() {
        // The database is shared by the log directory: nothing of this segment to release.
    }

    @Override
    public void delete() throws IOException {
        keys.deleteAll();
        entries = 0;
        last = null;
    }

    @Override
    public String toString() {
        return "RocksOffsetIndex(" + dir + ", " + baseOffset + ", entries=" + entries + ")";
    }
}
