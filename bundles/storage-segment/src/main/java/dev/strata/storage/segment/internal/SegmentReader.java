package dev.strata.storage.segment.internal;

import dev.strata.api.log.IndexEntry;
import dev.strata.api.log.LogSlice;
import dev.strata.api.log.LogSliceSource;
import dev.strata.api.log.TimestampOffset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read side of one {@link LogSegment}: finds batches by offset (offset index, then a header scan) and by
 * timestamp (time index), and serves whole batches up to the size the segment published. Kept apart from the
 * segment's write side because reads run without the log's lock and must not depend on its append state; what
 * they share is only the published size, passed in by each call.
 *
 * <p>Damage: a segment not fully checked at open gets {@link ReadChecks}, so a read never serves a corrupt batch
 * and goes on after it; an index that fails a lookup (or left with the segment) only costs a scan from the start.
 *
 * <p>Thread-safe: any number of reads run concurrently with each other and with the segment's writer.
 */
final class SegmentReader {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentReader.class);

    private final Path file;
    private final long baseOffset;
    private final SegmentChannel channel;
    /** The file as slices read it; the log adds the hold. */
    private final LogSliceSource sliceSource;
    private final SegmentIndexes indexes;
    private volatile boolean warned;
    /** Set for segments whose batches were not all checked at open: reads check them. */
    private volatile ReadChecks readChecks;
    /** The segment left the log (retention, a rewrite): lookups in flight scan without the indexes. */
    private volatile boolean removed;

    SegmentReader(Path file, long baseOffset, SegmentChannel channel, SegmentIndexes indexes) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.channel = channel;
        this.sliceSource = LogSliceSource.ofChannel(channel);
        this.indexes = indexes;
    }

    /** The segment left the log: lookups from now on do not touch its indexes. */
    void markRemoved() {
        removed = true;
    }

    boolean removed() {
        return removed;
    }

    /** The offset index's hint for {@code offset}; the segment start when the index cannot answer. */
    private IndexEntry lookupOffset(long offset) {
        if (removed) {
            return new IndexEntry(baseOffset, 0); // a read that found the segment just before it left
        }
        try (SegmentIndexes.Indexes ix = indexes.acquire()) {
            return ix.offsets().lookup(offset);
        } catch (IOException | RuntimeException e) {
            warnOnce("Offset index of " + file + " failed a lookup (" + e + "); reading from the segment start");
            return new IndexEntry(baseOffset, 0);
        }
    }

    /**
     * The first whole batch whose last offset is at or above {@code offset}, within the published size, found with
     * the offset index and a header scan; null when the segment holds no such batch.
     */
    BatchHeader locate(long offset, int limit) throws IOException {
        return locate(offset, new BatchScanner(channel, limit));
    }

    private BatchHeader locate(long offset, BatchScanner scan) throws IOException {
        IndexEntry start = lookupOffset(offset);
        int pos = start.position() <= scan.limit() && start.offset() <= offset ? start.position() : 0;
        if (pos > 0) {
            BatchHeader atEntry = scan.headerAt(pos);
            if (atEntry == null || atEntry.baseOffset() != start.offset()) {
                // The index disagrees with the file (damaged since the checks at open): scan from the start.
                warnOnce("Offset index of " + file + " entry (" + start.offset() + ", " + start.position()
                        + ") does not point at a batch with that offset; reading without the index");
                pos = 0;
            }
        }
        long next = baseOffset;
        while (pos < scan.limit()) {
            BatchHeader h = scan.headerAt(pos);
            if (h == null) {
                ReadChecks checks = readChecks;
                if (checks == null) {
                    warnOnce("No whole batch at position " + pos + " of " + file + " (size " + scan.limit()
                            + "); reads go on with the next segment");
                    return null;
                }
                h = resumeAfter(pos, next, scan.limit());
                checks.reportDamage(pos, null, h == null ? -1 : h.baseOffset());
                if (h == null) {
                    return null;
                }
            }
            if (h.lastOffset() >= offset) {
                return h;
            }
            next = h.nextOffset();
            pos = h.end();
        }
        return null;
    }

    /**
     * Whole batches from the one containing {@code offset}, up to {@code maxBytes} (the first batch whole even
     * when larger if {@code minOneBatch}), none at or above {@code maxOffset}. Null when this segment has no batch
     * at or after {@code offset}; an empty slice when the first batch does not fit.
     */
    LogSlice read(long offset, int maxBytes, boolean minOneBatch, long maxOffset, int size) throws IOException {
        BatchScanner scan = new BatchScanner(channel, size);
        BatchHeader first = locate(offset, scan);
        while (true) {
            if (first == null) {
                return null;
            }
            if (first.baseOffset() >= maxOffset || (first.size() > maxBytes && !minOneBatch)) {
                return LogSlice.EMPTY;
            }
            long total = first.size();
            int pos = first.end();
            while (pos < scan.limit()) {
                BatchHeader next = scan.headerAt(pos);
                if (next == null || total + next.size() > maxBytes || next.baseOffset() >= maxOffset) {
                    break;
                }
                total += next.size();
                pos = next.end();
            }
            ReadChecks checks = readChecks;
            if (checks != null) {
                int bad = checks.firstBad(first.position(), (int) (first.position() + total), first.baseOffset());
                if (bad == first.position()) {
                    BatchHeader resume = resumeAfter(first.position(), first.baseOffset() + 1, scan.limit());
                    checks.reportDamage(bad, first, resume == null ? -1 : resume.baseOffset());
                    // Skip the damaged batch, as if it were a gap. Going on from the position (not the offset) is
                    // what makes progress when the damage is in the batch's own offsets.
                    first = resume;
                    continue;
                }
                if (bad > 0) {
                    total = bad - first.position(); // serve up to the damage; the next read reports it
                }
            }
            return new LogSlice(sliceSource, first.position(), (int) total, first.baseOffset());
        }
    }

    /** The first valid batch after damage at {@code position}, with base offset at least {@code minBase}. */
    private BatchHeader resumeAfter(int position, long minBase, int limit) throws IOException {
        return SegmentScan.findNextValid(channel, position + 1, limit, minBase, baseOffset, Long.MAX_VALUE);
    }

    /**
     * Makes reads check batches fully before serving them (a segment that got only the cheap checks at open).
     */
    void checkOnRead() {
        readChecks = new ReadChecks(file, channel);
    }

    /**
     * Checks every batch below the published size in full (for {@code strata:verify}; runs beside reads and
     * appends) and marks the segment damaged if it is, so that reads skip the damage and the next start repairs it.
     */
    SegmentScan verify(long offsetLimit, int size) throws IOException {
        SegmentScan scan = SegmentScan.scan(channel, baseOffset, offsetLimit, size);
        if (!scan.damage().isEmpty() || scan.validEnd() < scan.limit()) {
            ReadChecks checks = readChecks;
            if (checks == null) {
                checks = new ReadChecks(file, channel);
                readChecks = checks;
            }
            checks.markDamaged();
        }
        return scan;
    }

    /** Whether a read found a damaged batch in this segment since the log opened. */
    boolean damaged() {
        ReadChecks checks = readChecks;
        return checks != null && checks.damaged();
    }

    /**
     * The first batch whose max timestamp is at least {@code timestamp} and whose last offset is at least
     * {@code minOffset} (the log start), using the time index to start late; its offset is raised to
     * {@code minOffset}.
     */
    Optional<TimestampOffset> findByTimestamp(long timestamp, long minOffset, long maxOffset, int size)
            throws IOException {
        BatchScanner scan = new BatchScanner(channel, size);
        IndexEntry start;
        try (SegmentIndexes.Indexes ix = indexes.acquire()) {
            start = ix.offsets().lookup(ix.times().lookup(timestamp).offset());
        } catch (IOException | RuntimeException e) {
            if (removed) {
                return Optional.empty(); // left the log meanwhile
            }
            warnOnce("Time index of " + file + " failed a lookup (" + e + "); scanning from the segment start");
            start = new IndexEntry(baseOffset, 0);
        }
        int pos = start.position() <= scan.limit() ? start.position() : 0;
        while (pos < scan.limit()) {
            BatchHeader h = scan.headerAt(pos);
            if (h == null || h.baseOffset() >= maxOffset) {
                break;
            }
            if (h.maxTimestamp() >= timestamp && h.lastOffset() >= minOffset) {
                return Optional.of(new TimestampOffset(h.maxTimestamp(), Math.max(h.baseOffset(), minOffset)));
            }
            pos = h.end();
        }
        return Optional.empty();
    }

    /** Logs a problem with this segment once, so a damaged segment does not flood the log on every read. */
    private void warnOnce(String message) {
        if (!warned) {
            warned = true;
            LOG.warn(message);
        }
    }
}
