package dev.strata.api.log;

import java.io.IOException;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Creates offset indexes; an OSGi service so that the index implementation (memory-mapped file, RocksDB...) can be
 * swapped. {@value #PROPERTY_TYPE} names the implementation. Implementations are thread-safe.
 */
// Index bundles implement it, possibly third parties: a new method is a major change.
@ConsumerType
public interface OffsetIndexFactory {
    String PROPERTY_TYPE = "strata.index.type";

    /**
     * Opens or creates the index of the segment with {@code baseOffset} in the partition directory {@code dir}.
     *
     * @param maxBytes the most storage the index may use ({@code segment.index.bytes})
     */
    OffsetIndex open(Path dir, long baseOffset, int maxBytes) throws IOException;

    /** Deletes the index of that segment if it exists (used when a segment is deleted or its index is rebuilt). */
    void delete(Path dir, long baseOffset) throws IOException;
}
