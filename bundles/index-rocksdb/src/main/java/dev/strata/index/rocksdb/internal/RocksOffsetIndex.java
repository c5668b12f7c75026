package dev.strata.index.rocksdb.internal;

import dev.strata.api.log.IndexEntry;
import dev.strata.api.log.OffsetIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.rocksdb.RocksIterator;

/**
 * The offset index of one segment in the log directory's {@link IndexDb}: key = segment prefix + offset, value =
 * the 4-byte position. The entry count and the last entry are kept in memory (read back at open), so
 * {@link #lastEntry} and appends cost no read. Thread-safety: as {@link OffsetIndex} requires; RocksDB is
 * thread-safe and the cached values are published after the write.
 */
final class RocksOffsetIndex implements OffsetIndex {
    private final IndexDb db;
    private final Path dir;
    private final long baseOffset;
    private final byte[] prefix;
    private volatile int entries;
    private volatile IndexEntry last;

    RocksOffsetIndex(IndexDb db, Path dir, long baseOffset) throws IOException {
        this.db = db;
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.prefix = IndexDb.prefix(dir, baseOffset);
        reload();
    }

    /** Counts the entries and finds the last one (at open and after a truncation). */
    private void reload() throws IOException {
        db.use(rdb -> {
            int n = 0;
            IndexEntry lastSeen = null;
            try (RocksIterator it = IndexDb.iterator(rdb, db.offsets())) {
                for (it.seek(IndexDb.key(prefix, Long.MIN_VALUE)); it.isValid() && IndexDb.hasPrefix(it.key(), prefix);
                     it.next()) {
                    n++;
                    lastSeen = entry(it.key(), it.value());
                }
                it.status();
            }
            entries = n;
            last = lastSeen;
            return null;
        });
    }

    private static IndexEntry entry(byte[] key, byte[] value) {
        return new IndexEntry(IndexDb.keyValue(key), value.length == 4 ? ByteBuffer.wrap(value).getInt() : -1);
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
        db.use(rdb -> {
            rdb.put(db.offsets(), IndexDb.key(prefix, offset), ByteBuffer.allocate(4).putInt(position).array());
            return null;
        });
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
        return db.use(rdb -> {
            try (RocksIterator it = IndexDb.iterator(rdb, db.offsets())) {
                it.seekForPrev(IndexDb.key(prefix, targetOffset));
                if (it.isValid() && IndexDb.hasPrefix(it.key(), prefix)) {
                    IndexEntry e = entry(it.key(), it.value());
                    if (e.position() >= 0) {
                        return e;
                    }
                }
                it.status();
                return new IndexEntry(baseOffset, 0);
            }
        });
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
        long from = Math.max(offset, baseOffset);
        db.use(rdb -> {
            rdb.deleteRange(db.offsets(), IndexDb.key(prefix, from), IndexDb.key(prefix, Long.MAX_VALUE));
            rdb.delete(db.offsets(), IndexDb.key(prefix, Long.MAX_VALUE));
            return null;
        });
        reload();
    }

    @Override
    public void flush() throws IOException {
        db.sync();
    }

    @Override
    public void sanityCheck() throws IOException {
        db.use(rdb -> {
            long previous = Long.MIN_VALUE;
            int previousPosition = -1;
            try (RocksIterator it = IndexDb.iterator(rdb, db.offsets())) {
                for (it.seek(IndexDb.key(prefix, Long.MIN_VALUE)); it.isValid() && IndexDb.hasPrefix(it.key(), prefix);
                     it.next()) {
                    IndexEntry e = entry(it.key(), it.value());
                    if (e.offset() < baseOffset || e.position() < previousPosition || e.offset() <= previous) {
                        throw new IOException("RocksDB offset index of segment " + baseOffset + " in " + dir
                                + ": entry " + e + " does not follow (" + previous + ", " + previousPosition + ")");
                    }
                    previous = e.offset();
                    previousPosition = e.position();
                }
                it.status();
            }
            return null;
        });
    }

    @Override
    public void close() {
        // The database is shared by the log directory: nothing of this segment to release.
    }

    @Override
    public void delete() throws IOException {
        db.deleteSegment(db.offsets(), prefix);
        entries = 0;
        last = null;
    }

    @Override
    public String toString() {
        return "RocksOffsetIndex(" + dir + ", " + baseOffset + ", entries=" + entries + ")";
    }
}
