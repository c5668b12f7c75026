package dev.strata.index.rocksdb.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksIterator;

/**
 * The keys of one segment in one column family of the log directory's {@link IndexDb}: the segment's prefix and
 * an ordered 8-byte long (an offset or a timestamp), each with a small value. What the offset and the time index
 * both read and write. Thread-safe (RocksDB is; every call is one {@link IndexDb#use}).
 */
final class SegmentKeys {
    /** One stored entry: the long of its key and its value. */
    record Entry(long key, byte[] value) {
    }

    /** An action on an entry that may fail with an I/O error (a sanity check). */
    @FunctionalInterface
    interface EntryAction {
        void accept(Entry e) throws IOException;
    }

    private final IndexDb db;
    private final ColumnFamilyHandle family;
    private final byte[] prefix;

    SegmentKeys(IndexDb db, ColumnFamilyHandle family, Path dir, long baseOffset) {
        this.db = db;
        this.family = family;
        this.prefix = IndexDb.prefix(dir, baseOffset);
    }

    void put(long key, byte[] value) throws IOException {
        db.use(rdb -> {
            rdb.put(family, IndexDb.key(prefix, key), value);
            return null;
        });
    }

    /** Every entry of the segment, in ascending key order. */
    void forEach(EntryAction action) throws IOException {
        db.use(rdb -> {
            try (RocksIterator it = IndexDb.iterator(rdb, family)) {
                for (it.seek(IndexDb.key(prefix, Long.MIN_VALUE)); valid(it); it.next()) {
                    action.accept(new Entry(IndexDb.keyValue(it.key()), it.value()));
                }
                it.status();
            }
            return null;
        });
    }

    /** The entry with the greatest key at or below {@code key}, or null when there is none. */
    Entry floor(long key) throws IOException {
        return db.use(rdb -> {
            try (RocksIterator it = IndexDb.iterator(rdb, family)) {
                it.seekForPrev(IndexDb.key(prefix, key));
                if (valid(it)) {
                    return new Entry(IndexDb.keyValue(it.key()), it.value());
                }
                it.status();
                return null;
            }
        });
    }

    /** Deletes the entries from the greatest key down for as long as {@code doomed} holds. */
    void deleteFromTopWhile(Predicate<Entry> doomed) throws IOException {
        db.use(rdb -> {
            List<byte[]> keys = new ArrayList<>();
            try (RocksIterator it = IndexDb.iterator(rdb, family)) {
                for (it.seekForPrev(IndexDb.key(prefix, Long.MAX_VALUE)); valid(it); it.prev()) {
                    if (!doomed.test(new Entry(IndexDb.keyValue(it.key()), it.value()))) {
                        break;
                    }
                    keys.add(it.key());
                }
                it.status();
            }
            for (byte[] k : keys) {
                rdb.delete(family, k);
            }
            return null;
        });
    }

    /** Deletes every entry with a key at or above {@code key}. */
    void deleteFrom(long key) throws IOException {
        db.use(rdb -> {
            rdb.deleteRange(family, IndexDb.key(prefix, key), IndexDb.key(prefix, Long.MAX_VALUE));
            rdb.delete(family, IndexDb.key(prefix, Long.MAX_VALUE));
            return null;
        });
    }

    void deleteAll() throws IOException {
        db.deleteSegment(family, prefix);
    }

    void sync() throws IOException {
        db.sync();
    }

    private boolean valid(RocksIterator it) {
        return it.isValid() && IndexDb.hasPrefix(it.key(), prefix);
    }
}
