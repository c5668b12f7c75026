package dev.strata.index.rocksdb.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The RocksDB of one log directory, in {@value #DIR_NAME} under it (a name the broker's scan of partition
 * directories, {@code <topic>-<partition>}, never matches). Two column families, one for offset entries and one for
 * time entries; a key is the partition directory's name, the segment's base offset and the entry's offset (or
 * timestamp), big-endian with the sign bit flipped so that keys sort as the signed numbers do.
 *
 * <p>Writes go through RocksDB's write-ahead log without a sync; {@link #sync} syncs it (an index's flush), so a
 * crash keeps a prefix of the entries, as the SPI asks.
 *
 * <p>Thread-safe. Every call holds a read lock that {@link #close} takes exclusively: a call after close fails with
 * an {@link IllegalStateException} instead of touching a closed database (which would crash the JVM).
 */
final class IndexDb implements AutoCloseable {
    static final String DIR_NAME = ".strata-index-rocksdb";
    static final byte[] OFFSETS = "offsets".getBytes(StandardCharsets.UTF_8);
    static final byte[] TIMES = "times".getBytes(StandardCharsets.UTF_8);

    private final Path path;
    private final DBOptions options;
    private final ColumnFamilyOptions cfOptions;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    private final ColumnFamilyHandle offsets;
    private final ColumnFamilyHandle times;
    private final ReentrantReadWriteLock guard = new ReentrantReadWriteLock();
    private boolean closed;

    private IndexDb(Path path, DBOptions options, ColumnFamilyOptions cfOptions, RocksDB db,
                    List<ColumnFamilyHandle> handles) {
        this.path = path;
        this.options = options;
        this.cfOptions = cfOptions;
        this.db = db;
        this.handles = handles;
        this.offsets = handles.get(1);
        this.times = handles.get(2);
    }

    /** Opens (creating) the database of {@code logDir}. */
    static IndexDb open(Path logDir, long writeBufferBytes) throws IOException {
        Path path = logDir.resolve(DIR_NAME);
        Files.createDirectories(path);
        DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL).setKeepLogFileNum(2);
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions().setWriteBufferSize(writeBufferBytes);
        List<ColumnFamilyDescriptor> families = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor(OFFSETS, cfOptions),
                new ColumnFamilyDescriptor(TIMES, cfOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            RocksDB db = RocksDB.open(options, path.toString(), families, handles);
            return new IndexDb(path, options, cfOptions, db, handles);
        } catch (RocksDBException e) {
            options.close();
            cfOptions.close();
            throw new IOException("Cannot open the RocksDB index in " + path + ": " + e.getMessage(), e);
        }
    }

    Path path() {
        return path;
    }

    ColumnFamilyHandle offsets() {
        return offsets;
    }

    ColumnFamilyHandle times() {
        return times;
    }

    /** The key prefix of one segment: the partition directory's name and the base offset. */
    static byte[] prefix(Path partitionDir, long baseOffset) {
        byte[] name = partitionDir.getFileName().toString().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + name.length + 8).putShort((short) name.length).put(name).putLong(baseOffset)
                .array();
    }

    static byte[] key(byte[] prefix, long value) {
        return ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(value ^ Long.MIN_VALUE).array();
    }

    static long keyValue(byte[] key) {
        return ByteBuffer.wrap(key, key.length - 8, 8).getLong() ^ Long.MIN_VALUE;
    }

    static boolean hasPrefix(byte[] key, byte[] prefix) {
        return key.length == prefix.length + 8 && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** One use of the database; fails once the database is closed. */
    @FunctionalInterface
    interface Use<T> {
        T apply(RocksDB db) throws RocksDBException, IOException;
    }

    <T> T use(Use<T> use) throws IOException {
        guard.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("The RocksDB index in " + path + " is closed");
            }
            return use.apply(db);
        } catch (RocksDBException e) {
            throw new IOException("RocksDB index in " + path + ": " + e.getMessage(), e);
        } finally {
            guard.readLock().unlock();
        }
    }

    /** A forward or backward walk over keys; closed by the caller within the same {@link #use}. */
    static RocksIterator iterator(RocksDB db, ColumnFamilyHandle family) {
        return db.newIterator(family);
    }

    /** Removes every key of a segment from one family. */
    void deleteSegment(ColumnFamilyHandle family, byte[] prefix) throws IOException {
        use(db -> {
            db.deleteRange(family, key(prefix, Long.MIN_VALUE), key(prefix, Long.MAX_VALUE));
            db.delete(family, key(prefix, Long.MAX_VALUE));
            return null;
        });
    }

    /** Makes every write so far durable. */
    void sync() throws IOException {
        use(db -> {
            db.flushWal(true);
            return null;
        });
    }

    @Override
    public void close() {
        guard.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (ColumnFamilyHandle h : handles) {
                h.close();
            }
            db.close();
            options.close();
            cfOptions.close();
        } finally {
            guard.writeLock().unlock();
        }
    }
}
