package dev.strata.api.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A segment being written to replace a run of segments ({@link PartitionLog#rewrite}), by the log cleaner. The
 * batches written keep their offsets: a compacted log has gaps, never moved records. Used by one thread.
 */
// Store bundles implement it, possibly third parties: a new method is a major change.
@ConsumerType
public interface LogRewrite extends Closeable {

    /** The first offset the replaced segments cover (the rewritten segment's base offset). */
    long baseOffset();

    /** One past the last offset the replaced segments cover. */
    long endOffset();

    /**
     * Writes whole v2 record batches as they are. Batches come in increasing offset order, each inside
     * {@code [baseOffset, endOffset)}; offsets may skip (records removed).
     *
     * @throws IllegalArgumentException for a partial batch, or offsets out of order or out of range
     */
    void append(ByteBuffer batches) throws IOException;

    /** Bytes written so far. */
    long sizeInBytes();

    /**
     * Makes the rewritten segment durable and swaps it for the replaced ones in one step: a crash leaves either
     * all the replaced segments or the rewritten one, never both and never neither. The replaced segments' files
     * are deleted {@link LogConfig#fileDeleteDelayMs} later, so reads in flight complete.
     *
     * @return false, replacing nothing, when the replaced segments changed meanwhile (retention removed some, the
     *     log was truncated, closed or deleted); the caller may try again later
     */
    boolean commit() throws IOException;

    /** Drops what was written unless it was committed. */
    @Override
    void close() throws IOException;
}
