package dev.strata.api.log;

import java.io.Closeable;
import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The sparse offset index of one log segment: maps some batch offsets to their byte position in the segment file.
 * Entries are appended in increasing offset order. Thread-safety: appends, truncation and close are serialised by
 * the caller; lookups may run concurrently with them.
 */
// Index bundles implement it, possibly third parties: a new method is a major change.
@ConsumerType
public interface OffsetIndex extends Closeable {

    /** The base offset of the segment this index belongs to. */
    long baseOffset();

    /** Adds an entry; {@code offset} must be greater than every offset already in the index. */
    void append(long offset, int position) throws IOException;

    /**
     * The entry with the largest offset at or below {@code targetOffset}, or {@code (baseOffset, 0)} when there is
     * none.
     */
    IndexEntry lookup(long targetOffset);

    /** The last entry, or {@code (baseOffset, 0)} when the index is empty. */
    IndexEntry lastEntry();

    int entries();

    boolean isFull();

    /** Removes every entry whose offset is at or above {@code offset}. */
    void truncateTo(long offset) throws IOException;

    void flush() throws IOException;

    /**
     * Checks the index is usable (sizes, ordering) after a restart.
     *
     * @throws IOException describing the corruption; the caller then deletes and rebuilds the index
     */
    void sanityCheck() throws IOException;

    /** Closes and deletes the index's storage. */
    void delete() throws IOException;
}
