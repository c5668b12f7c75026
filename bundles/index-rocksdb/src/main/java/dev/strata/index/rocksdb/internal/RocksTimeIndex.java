package dev.strata.index.rocksdb.internal;

import dev.strata.api.log.TimeIndex;
import dev.strata.api.log.TimestampOffset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.RocksIterator;

/**
 * The time index of one segment in the log directory's {@link IndexDb}: key = segment prefix + timestamp, value =
 * the 8-byte offset. Timestamps rise and offsets never fall, so a truncation by offset removes a suffix.
 * Thread-safety: as {@link TimeIndex} requires.
 */
final class RocksTimeIndex implements TimeIndex {
    private final IndexDb db;
    private final Path dir;
    private final long baseOffset;
    private final byte[] prefix;
    private volatile int entries;
    private volatile TimestampOffset last;

    RocksTimeIndex(IndexDb db, Path dir, long baseOffset) throws IOException {
        this.db = db;
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.prefix = IndexDb.prefix(dir, baseOffset);
        reload();
    }

    private void reload() throws IOException {
        db.use(rdb -> {
            int n = 0;
            TimestampOffset lastSeen = null;
            try (RocksIterator it = IndexDb.iterator(rdb, db.times())) {
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

    private static TimestampOffset entry(byte[] key, byte[] value) {
        return new TimestampOffset(IndexDb.keyValue(key), value.length == 8 ? ByteBuffer.wrap(value).getLong() : -1);
    }

    @Override
    public long baseOffset() {
        return baseOffset;
    }

    @Override
    public void maybeAppend(long timestamp, long offset) throws IOException {
        if (offset < baseOffset) {
            throw new IllegalArgumentException("Offset " + offset + " is below the base offset of segment "
                    + baseOffset + " in " + dir);
        }
        TimestampOffset previous = last;
        if (previous != null && (timestamp <= previous.timestamp() || offset < previous.offset())) {
            return;
        }
        db.use(rdb -> {
            rdb.put(db.times(), IndexDb.key(prefix, timestamp), ByteBuffer.allocate(8).putLong(offset).array());
            return null;
        });
        last = new TimestampOffset(timestamp, offset);
        entries = entries + 1;
    }

    @Override
    public TimestampOffset lookup(long timestamp) throws IOException {
        TimestampOffset latest = last;
        if (latest != null && latest.timestamp() <= timestamp) {
            return latest;
        }
        return db.use(rdb -> {
            try (RocksIterator it = IndexDb.iterator(rdb, db.times())) {
                it.seekForPrev(IndexDb.key(prefix, timestamp));
                if (it.isValid() && IndexDb.hasPrefix(it.key(), prefix)) {
                    TimestampOffset e = entry(it.key(), it.value());
                    if (e.offset() >= baseOffset) {
                        return e;
                    }
                }
                it.status();
                return new TimestampOffset(-1, baseOffset);
            }
        });
    }

    @Override
    public TimestampOffset lastEntry() {
        TimestampOffset latest = last;
        return latest == null ? new TimestampOffset(-1, baseOffset) : latest;
    }

    @Override
    public int entries() {
        return entries;
    }

    @Override
    public void truncateTo(long offset) throws IOException {
        db.use(rdb -> {
            List<byte[]> doomed = new ArrayList<>();
            try (RocksIterator it = IndexDb.iterator(rdb, db.times())) {
                for (it.seekForPrev(IndexDb.key(prefix, Long.MAX_VALUE));
                     it.isValid() && IndexDb.hasPrefix(it.key(), prefix); it.prev()) {
                    if (entry(it.key(), it.value()).offset() < offset) {
                        break;
                    }
                    doomed.add(it.key());
                }
                it.status();
            }
            for (byte[] key : doomed) {
                rdb.delete(db.times(), key);
            }
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
            TimestampOffset previous = null;
            try (RocksIterator it = IndexDb.iterator(rdb, db.times())) {
                for (it.seek(IndexDb.key(prefix, Long.MIN_VALUE)); it.isValid() && IndexDb.hasPrefix(it.key(), prefix);
                     it.next()) {
                    TimestampOffset e = entry(it.key(), it.value());
                    if (e.offset() < baseOffset || (previous != null && e.offset() < previous.offset())) {
                        throw new IOException("RocksDB time index of segment " + baseOffset + " in " + dir
                                + ": entry " + e + " does not follow " + previous);
                    }
                    previous = e;
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
        db.deleteSegment(db.times(), prefix);
        entries = 0;
        last = null;
    }
}
