package dev.strata.api.log;

import java.io.Closeable;
import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The sparse time index of one log segment: maps rising timestamps to the base offset of the batch where the
 * segment's max timestamp first reached that value. Like {@link OffsetIndex} it is a hint for
 * {@link PartitionLog#offsetForTimestamp}, which reads the segment from the offset it gets.
 *
 * <p>The guarantees are those of {@link OffsetIndex}: a lookup never returns an entry whose timestamp is above the
 * target or an offset that was not appended with that timestamp; entries may be dropped (never an append failed
 * for lack of room); entries flushed survive a crash and what survives is a prefix of the appended ones; the same
 * thread-safety rules, and nothing is called after close or delete.
 */
// Index bundles implement it, possibly third parties: a new method is a major change.
@ConsumerType
public interface TimeIndex extends Closeable {

    /** The base offset of the segment this index belongs to. */
    long baseOffset();

    /**
     * Adds {@code (timestamp, offset)} when the timestamp is above the last entry's and the offset not below it;
     * otherwise, or when the implementation keeps no more entries, does nothing.
     *
     * @throws IllegalArgumentException when {@code offset} is below the base offset
     */
    void maybeAppend(long timestamp, long offset) throws IOException;

    /** The entry with the largest timestamp at or below {@code timestamp}, or {@code (-1, baseOffset)}. */
    TimestampOffset lookup(long timestamp) throws IOException;

    /** The last entry, or {@code (-1, baseOffset)} when the index is empty. */
    TimestampOffset lastEntry() throws IOException;

    /** How many entries the index holds. */
    int entries();

    /** Removes every entry whose offset is at or above {@code offset}. */
    void truncateTo(long offset) throws IOException;

    /** Makes every entry appended so far durable. */
    void flush() throws IOException;

    /**
     * Checks the index is usable after a restart.
     *
     * @throws IOException describing the corruption; the store then deletes and rebuilds the index
     */
    void sanityCheck() throws IOException;

    /** Flushes and releases the index; the entries stay. */
    @Override
    void close() throws IOException;

    /** Releases the index and removes its entries. */
    void delete() throws IOException;
}
