package dev.strata.api.log;

import java.io.Closeable;
import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The sparse offset index of one log segment: maps some batch base offsets to the byte position of that batch in
 * the segment file. It is a hint that speeds up finding a batch, never the source of truth: the store reads the
 * segment file from the position it gets.
 *
 * <p>What an implementation must guarantee:
 * <ul>
 *   <li>{@link #lookup} returns an entry whose offset is at or below the target and whose position is the exact
 *       byte position of the batch with that base offset, as appended; or {@code (baseOffset, 0)}, the segment
 *       start. It never returns an entry above the target or a position that was not appended with that offset.</li>
 *   <li>It may keep fewer entries than appended (drop an append when it is full, or keep only some): a sparser
 *       index means a longer scan, not a wrong answer. It must not fail an append for lack of room.</li>
 *   <li>Durability: entries appended before the last {@link #flush} survive a crash; later ones may be lost, but
 *       what survives is a prefix of the appended entries, each exact. The store checks every index at open
 *       ({@link #sanityCheck}, and the last entry against the segment file) and rebuilds from the segment files
 *       the indexes of every segment from its recovery point on, and any index that fails its checks.</li>
 *   <li>Thread-safety: appends, truncation, flush, close and delete are serialised by the store; lookups,
 *       {@link #lastEntry} and {@link #entries} may run concurrently with them and with each other. The store
 *       calls nothing on an index after {@link #close} or {@link #delete} (it waits for lookups in flight to end
 *       before closing), so an implementation may release its resources there.</li>
 * </ul>
 */
// Index bundles implement it, possibly third parties: a new method is a major change.
@ConsumerType
public interface OffsetIndex extends Closeable {

    /** The base offset of the segment this index belongs to. */
    long baseOffset();

    /**
     * Adds an entry, or drops it when the implementation keeps no more entries for this segment.
     *
     * @throws IllegalArgumentException when {@code offset} is not above every offset in the index, below the base
     *     offset, or {@code position} is negative
     */
    void append(long offset, int position) throws IOException;

    /**
     * The entry with the largest offset at or below {@code targetOffset}, or {@code (baseOffset, 0)} when there is
     * none.
     */
    IndexEntry lookup(long targetOffset) throws IOException;

    /** The last entry, or {@code (baseOffset, 0)} when the index is empty. */
    IndexEntry lastEntry() throws IOException;

    /** How many entries the index holds. */
    int entries();

    /** Removes every entry whose offset is at or above {@code offset}. */
    void truncateTo(long offset) throws IOException;

    /** Makes every entry appended so far durable. */
    void flush() throws IOException;

    /**
     * Checks the index is usable (ordering, sizes) after a restart.
     *
     * @throws IOException describing the corruption; the store then deletes and rebuilds the index
     */
    void sanityCheck() throws IOException;

    /** Flushes and releases the index; the entries stay and are found again by the next open. */
    @Override
    void close() throws IOException;

    /** Releases the index and removes its entries. */
    void delete() throws IOException;
}
