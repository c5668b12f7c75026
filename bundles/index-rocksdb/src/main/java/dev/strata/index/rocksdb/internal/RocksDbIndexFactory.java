package dev.strata.index.rocksdb.internal;

import dev.strata.api.log.OffsetIndex;
import dev.strata.api.log.OffsetIndexFactory;
import dev.strata.api.log.TimeIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.rocksdb.RocksDB;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offset and time indexes in RocksDB: one database per log directory (the parent of the partition directories),
 * opened on the first index of that directory and closed when the component deactivates. Holds no limit on
 * entries: RocksDB grows as needed, so no entry is dropped.
 *
 * <p>Immediate, so that it stays active (and its databases open) while the store moves away from it after an
 * unbind, instead of being deactivated as soon as its last user lets go. Thread-safe.
 */
@Component(service = OffsetIndexFactory.class, immediate = true,
        property = OffsetIndexFactory.PROPERTY_TYPE + "=rocksdb",
        configurationPid = RocksDbIndexFactory.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = RocksDbIndexFactory.Config.class)
public final class RocksDbIndexFactory implements OffsetIndexFactory {
    static final String PID = "dev.strata.index.rocksdb";
    private static final Logger LOG = LoggerFactory.getLogger(RocksDbIndexFactory.class);

    /** Settings of the RocksDB indexes. */
    @ObjectClassDefinition(name = "Strata RocksDB offset index",
            description = "Offset and time indexes in one RocksDB per log directory (in .strata-index-rocksdb)")
    public @interface Config {
        @AttributeDefinition(name = "Write buffer bytes",
                description = "Memtable size of each column family (offset and time entries) per log directory; "
                        + "applies to databases opened from then on")
        long write_buffer_bytes() default 8 * 1024 * 1024;
    }

    private final long writeBufferBytes;
    private final Map<Path, IndexDb> databases = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Loads the native library now, so a platform without one fails the activation with RocksDB's message. */
    @Activate
    public RocksDbIndexFactory(Config config) {
        this(config.write_buffer_bytes());
    }

    /** For tests and plain-Java use. */
    public RocksDbIndexFactory(long writeBufferBytes) {
        RocksDB.loadLibrary();
        this.writeBufferBytes = writeBufferBytes;
        LOG.info("RocksDB {} native library loaded; offset and time indexes go to {} in each log directory",
                RocksDB.rocksdbVersion(), IndexDb.DIR_NAME);
    }

    private IndexDb db(Path partitionDir) throws IOException {
        Path logDir = partitionDir.toAbsolutePath().normalize().getParent();
        if (logDir == null) {
            throw new IOException("Partition directory " + partitionDir + " has no parent log directory");
        }
        IndexDb db = databases.get(logDir);
        if (db != null) {
            return db;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("The RocksDB index factory is deactivated");
            }
            db = databases.get(logDir);
            if (db == null) {
                db = IndexDb.open(logDir, writeBufferBytes);
                databases.put(logDir, db);
                LOG.info("Opened the RocksDB index {}", db.path());
            }
            return db;
        }
    }

    @Override
    public OffsetIndex open(Path dir, long baseOffset) throws IOException {
        return new RocksOffsetIndex(db(dir), dir, baseOffset);
    }

    @Override
    public TimeIndex openTimeIndex(Path dir, long baseOffset) throws IOException {
        return new RocksTimeIndex(db(dir), dir, baseOffset);
    }

    @Override
    public void delete(Path dir, long baseOffset) throws IOException {
        IndexDb db = db(dir);
        byte[] prefix = IndexDb.prefix(dir, baseOffset);
        db.deleteSegment(db.offsets(), prefix);
        db.deleteSegment(db.times(), prefix);
    }

    /** Closes every database (after syncing); indexes still held fail their calls from now on. */
    @Deactivate
    public void deactivate() {
        synchronized (this) {
            closed = true;
        }
        for (IndexDb db : databases.values()) {
            try {
                db.sync();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Syncing {} failed: {}", db.path(), e.toString());
            }
            db.close();
            LOG.info("Closed the RocksDB index {}", db.path());
        }
        databases.clear();
    }
}
