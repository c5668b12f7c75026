package dev.strata.storage.segment.internal;

import dev.strata.api.log.IndexEntry;
import dev.strata.api.log.TimestampOffset;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The checks a segment's indexes pass before the log trusts them at open (and {@code strata:verify} reports): each
 * index's own checks, then that they fit the segment file (the last offset entry points at a batch with that
 * offset, the time index ends at a possible offset, an empty index is only empty when the append policy would have
 * left it so). Kept apart from {@link LogSegment} because it is a read-only judgement of files, not segment state.
 * Stateless.
 */
final class IndexSanityCheck {
    private IndexSanityCheck() {
    }

    /**
     * Checks both indexes of the segment file {@code file} (its channel, {@code limit} bytes of whole batches) and
     * that they fit it; throws IOException describing the first problem.
     */
    static void check(SegmentIndexes.Indexes ix, SegmentChannel channel, Path file, int limit, int indexIntervalBytes)
            throws IOException {
        ix.offsets().sanityCheck();
        ix.times().sanityCheck();
        IndexEntry last = ix.offsets().lastEntry();
        if (last.position() > limit) {
            throw new IOException("Offset index of " + file + " points past the end of the file");
        }
        if (ix.offsets().entries() > 0) {
            BatchHeader h = new BatchScanner(channel, limit).headerAt(last.position());
            if (h == null || h.baseOffset() != last.offset()) {
                throw new IOException("The last entry of the offset index of " + file + " (" + last.offset() + ", "
                        + last.position() + ") does not point at a batch with that offset");
            }
        }
        TimestampOffset lastTime = ix.times().lastEntry();
        if (ix.times().entries() > 0 && lastTime.offset() > last.offset() + (long) Integer.MAX_VALUE) {
            throw new IOException("Time index of " + file + " ends at an impossible offset " + lastTime.offset());
        }
        if (ix.offsets().entries() == 0 && limit > 0) {
            // A missing index comes back empty from the factory. The append policy indexes the second batch when
            // the first is at least indexIntervalBytes long, so an empty index is only right if that did not happen.
            BatchHeader first = new BatchScanner(channel, limit).headerAt(0);
            if (first == null || (first.end() < limit && first.size() >= indexIntervalBytes)) {
                throw new IOException("Offset index of " + file + " is empty although the file holds " + limit
                        + " bytes");
            }
        }
        if (ix.offsets().entries() > 0 && ix.times().entries() == 0) {
            throw new IOException("Time index of " + file + " is empty although the offset index is not");
        }
    }
}
