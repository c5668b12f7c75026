package dev.strata.storage.segment.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Full checks (CRC included) of the batches a read is about to return, for a segment whose batches were not all
 * checked when the log opened (it was below the recovery point, or the shutdown was clean, and passed the cheap
 * checks). Each byte range is checked once; a batch that fails is reported at ERROR (file, position, offsets) and is
 * not served, and the segment is marked damaged, which keeps the recovery point below it so the next start checks
 * and repairs it in full. This is what turns a silently corrupt batch into a logged gap instead of records a client
 * drops without a word.
 *
 * <p>Thread-safe: reads of one segment may check concurrently (a range may then be checked twice).
 */
final class ReadChecks {
    private static final Logger LOG = LoggerFactory.getLogger(ReadChecks.class);
    /** Past this many disjoint checked ranges they are forgotten (only costs checking again). */
    private static final int MAX_RANGES = 1024;
    private static final int MAX_REPORTED = 1024;

    private final Path file;
    private final FileChannel channel;
    /** Checked byte ranges, start to end, disjoint. Guarded by itself. */
    private final TreeMap<Integer, Integer> checked = new TreeMap<>();
    private final Set<Integer> reported = ConcurrentHashMap.newKeySet();
    private volatile boolean damaged;

    ReadChecks(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    boolean damaged() {
        return damaged;
    }

    void markDamaged() {
        damaged = true;
    }

    /**
     * Checks the whole batches in {@code [start, end)}, the first of which has base offset {@code firstBase}.
     *
     * @return the position of the first batch that fails, or -1 when all are sound
     */
    int firstBad(int start, int end, long firstBase) throws IOException {
        if (isChecked(start, end)) {
            return -1;
        }
        int pos = start;
        long next = firstBase;
        BatchValidator validator = new BatchValidator(channel, Math.min(BatchValidator.DEFAULT_WINDOW, end - start));
        while (pos < end) {
            BatchHeader h = validator.validAt(pos, end, next);
            if (h == null) {
                markChecked(start, pos);
                return pos;
            }
            next = h.nextOffset();
            pos = h.end();
        }
        markChecked(start, end);
        return -1;
    }

    /** Records damage at {@code position} (the batch there, when its header could be read, is {@code h}). */
    void reportDamage(int position, BatchHeader h, long resumeOffset) {
        damaged = true;
        if (reported.size() < MAX_REPORTED && reported.add(position)) {
            LOG.error("Batch at position {} of {}{} fails its checks (CRC or header): it is not served, reads go on "
                    + "at offset {}; the segment is checked in full and repaired at the next start (strata:verify "
                    + "reports all damage now)", position, file,
                    h == null ? "" : " (offsets [" + h.baseOffset() + ", " + h.lastOffset() + "])",
                    resumeOffset < 0 ? "of the next segment" : resumeOffset);
        }
    }

    private boolean isChecked(int start, int end) {
        synchronized (checked) {
            Map.Entry<Integer, Integer> e = checked.floorEntry(start);
            return e != null && e.getValue() >= end;
        }
    }

    private void markChecked(int start, int end) {
        if (end <= start) {
            return;
        }
        synchronized (checked) {
            if (checked.size() >= MAX_RANGES) {
                checked.clear();
            }
            int lo = start;
            int hi = end;
            Map.Entry<Integer, Integer> before = checked.floorEntry(start);
            if (before != null && before.getValue() >= start) {
                lo = before.getKey();
                hi = Math.max(hi, before.getValue());
            }
            Iterator<Map.Entry<Integer, Integer>> it = checked.tailMap(lo, true).entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Integer, Integer> e = it.next();
                if (e.getKey() > hi) {
                    break;
                }
                hi = Math.max(hi, e.getValue());
                it.remove();
            }
            checked.put(lo, hi);
        }
    }
}
