package dev.strata.index.rocksdb.internal;

import dev.strata.api.log.TimeIndex;
import dev.strata.api.log.TimestampOffset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The time index of one segment in the log directory's {@link IndexDb}: key = segment prefix + timestamp, value =
 * the 8-byte offset. Timestamps rise and offsets never fall, so a truncation by offset removes a suffix.
 * Thread-safety: as {@link TimeIndex} requires.
 */
final class RocksTimeIndex implements TimeIndex {
    private final Path dir;
    private final long baseOffset;
    private final SegmentKeys keys;
    private volatile int entries;
    private volatile TimestampOffset last;

    RocksTimeIndex(IndexDb db, Path dir, long baseOffset) throws IOException {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.keys = new SegmentKeys(db, db.times(), dir, baseOffset);
        reload();
    }

    private void reload() throws IOException {
        int[] n = {0};
        TimestampOffset[] lastSeen = {null};
        keys.forEach(e -> {
            n[0]++;
            lastSeen[0] = entry(e);
        });
        entries = n[0];
        last = lastSeen[0];
    }

    private static TimestampOffset entry(SegmentKeys.Entry e) {
        return new TimestampOffset(e.key(), e.value().length == 8 ? ByteBuffer.wrap(e.value()).getLong() : -1);
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
        keys.put(timestamp, ByteBuffer.allocate(8).putLong(offset).array());
        last = new TimestampOffset(timestamp, offset);
        entries = entries + 1;
    }

    @Override
    public TimestampOffset lookup(long timestamp) throws IOException {
        TimestampOffset latest = last;
        if (latest != null && latest.timestamp() <= timestamp) {
            return latest;
        }
        SegmentKeys.Entry found = keys.floor(timestamp);
        TimestampOffset e = found == null ? null : entry(found);
        return e != null && e.offset() >= baseOffset ? e : new TimestampOffset(-1, baseOffset);
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
        keys.deleteFromTopWhile(e -> entry(e).offset() >= offset); // offsets never fall: a suffix goes
        reload();
    }

    @Override
    public void flush() throws IOException {
        keys.sync();
    }

    @Override
    public void sanityCheck() throws IOException {
        TimestampOffset[] previous = {null};
        keys.forEach(raw -> {
            TimestampOffset e = entry(raw);
            TimestampOffset p = previous[0];
            if (e.offset() < baseOffset || (p != null && e.offset() < p.offset())) {
                throw new IOException("RocksDB time index of segment " + baseOffset + " in " + dir + ": entry " + e
                        + " does not follow " + p);
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
}
