package dev.strata.storage.segment.internal;

import dev.strata.api.log.OffsetIndex;
import dev.strata.api.log.OffsetIndexFactory;
import dev.strata.api.log.TimeIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Memory-mapped sparse offset and time indexes in Kafka's {@code %020d.index} and {@code %020d.timeindex} file
 * formats, beside the segment files. Each index maps at most its configured size; a full index drops further
 * entries (the segment does not roll for it). Thread-safe; the size applies to indexes opened from then on.
 */
@Component(service = OffsetIndexFactory.class, property = OffsetIndexFactory.PROPERTY_TYPE + "=mmap",
        configurationPid = MmapOffsetIndexFactory.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = MmapOffsetIndexFactory.Config.class)
public final class MmapOffsetIndexFactory implements OffsetIndexFactory {
    static final String PID = "dev.strata.storage.segment.index.mmap";
    /** Kafka's default {@code segment.index.bytes}. */
    static final int DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

    /** Settings of the memory-mapped indexes. */
    @ObjectClassDefinition(name = "Strata memory-mapped offset index",
            description = "Kafka-format .index and .timeindex files beside each segment, memory-mapped")
    public @interface Config {
        @AttributeDefinition(name = "Maximum bytes per index file",
                description = "The most one segment's offset or time index maps (sparse on disk until used); a "
                        + "full index keeps its entries and drops further ones, so lookups scan further")
        int max_bytes() default DEFAULT_MAX_BYTES;
    }

    private volatile int maxBytes;

    /** With the default size (for tests and plain-Java use). */
    public MmapOffsetIndexFactory() {
        this(DEFAULT_MAX_BYTES);
    }

    /** With {@code maxBytes} per index file. */
    public MmapOffsetIndexFactory(int maxBytes) {
        setMaxBytes(maxBytes);
    }

    @Activate
    public MmapOffsetIndexFactory(Config config) {
        this(config.max_bytes());
    }

    @Modified
    void modified(Config config) {
        setMaxBytes(config.max_bytes());
    }

    private void setMaxBytes(int bytes) {
        // One entry of the larger (12-byte) time index at least, so both always have room for one.
        if (bytes < TimeIndexFile.ENTRY_SIZE) {
            throw new IllegalArgumentException("max.bytes " + bytes + " is below one index entry of "
                    + TimeIndexFile.ENTRY_SIZE + " bytes");
        }
        this.maxBytes = bytes;
    }

    @Override
    public OffsetIndex open(Path dir, long baseOffset) throws IOException {
        return new OffsetIndexFile(LogFiles.indexFile(dir, baseOffset), baseOffset, maxBytes);
    }

    @Override
    public TimeIndex openTimeIndex(Path dir, long baseOffset) throws IOException {
        return new TimeIndexFile(LogFiles.timeIndexFile(dir, baseOffset), baseOffset, maxBytes);
    }

    @Override
    public void delete(Path dir, long baseOffset) throws IOException {
        Files.deleteIfExists(LogFiles.indexFile(dir, baseOffset));
        Files.deleteIfExists(LogFiles.timeIndexFile(dir, baseOffset));
    }
}
