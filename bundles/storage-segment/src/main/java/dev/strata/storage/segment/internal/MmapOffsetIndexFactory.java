package dev.strata.storage.segment.internal;

import dev.strata.api.log.OffsetIndex;
import dev.strata.api.log.OffsetIndexFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.osgi.service.component.annotations.Component;

/**
 * Memory-mapped sparse offset indexes in Kafka's {@code %020d.index} file format. Stateless, thread-safe.
 */
@Component(service = OffsetIndexFactory.class, property = OffsetIndexFactory.PROPERTY_TYPE + "=mmap")
public final class MmapOffsetIndexFactory implements OffsetIndexFactory {

    @Override
    public OffsetIndex open(Path dir, long baseOffset, int maxBytes) throws IOException {
        return new OffsetIndexFile(LogFiles.indexFile(dir, baseOffset), baseOffset, maxBytes);
    }

    @Override
    public void delete(Path dir, long baseOffset) throws IOException {
        Files.deleteIfExists(LogFiles.indexFile(dir, baseOffset));
    }
}
