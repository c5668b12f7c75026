package dev.strata.storage.segment.internal;

import dev.strata.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A full check of one segment file, batch by batch with CRCs, that does not stop at the first bad batch: after
 * damage it looks for the next valid batch (as {@link BatchHeader#readValid} accepts it, with offsets that follow
 * on) and goes on from there, so one flipped byte costs one batch, not the rest of the log. Used by recovery, which
 * then keeps only the valid runs, and by {@code strata:verify}, which only reports. Stateless; one scan is not
 * thread-safe.
 *
 * @param validRuns byte ranges {@code [start, end)} of consecutive valid batches, in file order
 * @param damage the unreadable regions between valid runs
 * @param validEnd where the last valid batch ends; bytes after it are a torn or garbage tail
 * @param nextOffset one past the last valid batch's last offset ({@code baseOffset} when none)
 * @param batches valid batches found
 * @param fileLength the file's length when scanned
 * @param limit the bytes scanned (the file length, or the segment's published size for a live check)
 */
record SegmentScan(List<long[]> validRuns, List<Damage> damage, int validEnd, long nextOffset, long batches,
                   long fileLength, int limit) {
    private static final int WINDOW = 64 * 1024;

    /**
     * An unreadable region in the middle of a segment: {@code bytes} bytes from {@code position}, which held the
     * offsets {@code [fromOffset, toOffset)} (the offsets between the valid batches around it).
     */
    record Damage(int position, int bytes, long fromOffset, long toOffset) {
    }

    boolean clean() {
        return damage.isEmpty() && validEnd == fileLength;
    }

    long tailBytes() {
        return fileLength - validEnd;
    }

    /**
     * Scans {@code ch} up to {@code limit} bytes; batches must start at {@code baseOffset} or later, end below
     * {@code offsetLimit} (the next segment's base offset) and keep offsets relative to the base within an int.
     */
    static SegmentScan scan(FileChannel ch, long baseOffset, long offsetLimit, int limit) throws IOException {
        List<long[]> runs = new ArrayList<>();
        List<Damage> damage = new ArrayList<>();
        long next = baseOffset;
        long batches = 0;
        int pos = 0;
        int runStart = 0;
        BatchValidator validator = new BatchValidator(ch, Math.min(BatchValidator.DEFAULT_WINDOW, limit));
        while (pos < limit) {
            BatchHeader h = withinSegment(validator.validAt(pos, limit, next), baseOffset, offsetLimit);
            if (h != null) {
                next = h.nextOffset();
                pos = h.end();
                batches++;
                continue;
            }
            BatchHeader resume = findNextValid(ch, pos + 1, limit, next, baseOffset, offsetLimit);
            if (resume == null) {
                break;
            }
            damage.add(new Damage(pos, resume.position() - pos, next, resume.baseOffset()));
            if (pos > runStart) {
                runs.add(new long[] {runStart, pos});
            }
            runStart = resume.position();
            pos = resume.position();
        }
        if (pos > runStart) {
            runs.add(new long[] {runStart, pos});
        }
        return new SegmentScan(List.copyOf(runs), List.copyOf(damage), pos, next, batches, ch.size(), limit);
    }

    /** {@code h} if its offsets belong in the segment (below the next one's base, relative ones within an int). */
    private static BatchHeader withinSegment(BatchHeader h, long baseOffset, long offsetLimit) {
        if (h == null || h.lastOffset() >= offsetLimit || h.lastOffset() - baseOffset > Integer.MAX_VALUE) {
            return null;
        }
        return h;
    }

    /**
     * The first position from {@code from} on where a valid batch starts. The cheap header fields (magic, length,
     * offsets) are checked in a window before the CRC is computed, so a long garbage region costs one pass.
     */
    static BatchHeader findNextValid(FileChannel ch, int from, int limit, long next, long baseOffset,
                                     long offsetLimit) throws IOException {
        ByteBuffer window = ByteBuffer.allocate(WINDOW);
        long windowStart = -1;
        int windowLength = 0;
        for (int p = from; (long) p + RecordBatch.HEADER_SIZE <= limit; p++) {
            if (windowStart < 0 || p + RecordBatch.HEADER_SIZE > windowStart + windowLength) {
                window.clear().limit((int) Math.min(WINDOW, (long) limit - p));
                if (!BatchHeader.readFully(ch, window, p)) {
                    return null;
                }
                windowStart = p;
                windowLength = window.position();
            }
            int at = (int) (p - windowStart);
            if (window.get(at + RecordBatch.MAGIC_OFFSET) != RecordBatch.MAGIC) {
                continue;
            }
            long base = window.getLong(at + RecordBatch.BASE_OFFSET_OFFSET);
            int length = window.getInt(at + RecordBatch.LENGTH_OFFSET);
            if (base < next || base >= offsetLimit || length < RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD
                    || p + (long) length + RecordBatch.LOG_OVERHEAD > limit) {
                continue;
            }
            BatchHeader h = withinSegment(BatchHeader.readValid(ch, p, limit, next), baseOffset, offsetLimit);
            if (h != null) {
                return h;
            }
        }
        return null;
    }
}
