package dev.strata.api.log;

import java.io.IOException;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Creates the offset and time indexes of log segments; an OSGi service so that the index implementation
 * (memory-mapped files, RocksDB...) can be chosen and swapped while the broker runs. {@value #PROPERTY_TYPE}
 * names the implementation. One factory serves both indexes of a segment, so they move together in a swap and an
 * implementation keeps one store for both. Size limits are the implementation's own configuration: an index that
 * is full drops entries (see {@link OffsetIndex}), the log does not roll for it.
 *
 * <p>Implementations are thread-safe. Indexes of different segments and partitions may be used concurrently.
 */
// Index bundles implement it, possibly third parties: a new method is a major change.
@ConsumerType
public interface OffsetIndexFactory {
    String PROPERTY_TYPE = "strata.index.type";

    /**
     * Opens or creates the offset index of the segment with {@code baseOffset} in the partition directory
     * {@code dir}. The implementation may keep its data elsewhere, but not in a directory of the log directory
     * that could be taken for a partition's ({@code <topic>-<partition>}).
     */
    OffsetIndex open(Path dir, long baseOffset) throws IOException;

    /** Opens or creates the time index of that segment. */
    TimeIndex openTimeIndex(Path dir, long baseOffset) throws IOException;

    /**
     * Deletes both indexes of that segment if they exist (a segment deleted, or its indexes rebuilt). Nothing of
     * them is open then.
     */
    void delete(Path dir, long baseOffset) throws IOException;
}
