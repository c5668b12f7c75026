package dev.strata.broker.internal;

import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.log.LogSlice;
import dev.strata.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a fetch's partitions once: each up to its own maxBytes and what is left of the request's maxBytes, the
 * first batch found always whole (so a consumer can progress past a batch larger than its limits). Stateless:
 * thread-safe.
 */
final class FetchReader {
    private static final Logger LOG = LoggerFactory.getLogger(FetchReader.class);

    /**
     * One pass over the partitions.
     *
     * @param bytes the record bytes read in total
     * @param failed whether some partition answered with an error (a fetch then does not wait)
     * @param logEndOffsets each partition's log end offset taken before it was read (-1 on error), so that a
     *     parked fetch can tell whether data arrived while it was being parked
     */
    record Read(List<FetchResult> results, long bytes, boolean failed, long[] logEndOffsets) {
        /** Ends the holds of a read that will not be answered (a parked fetch reads again when it completes). */
        void release() {
            results.forEach(r -> r.records().release());
        }
    }

    private final LogManager logs;

    FetchReader(LogManager logs) {
        this.logs = logs;
    }

    Read read(FetchParams params) {
        List<FetchPartition> parts = params.partitions();
        List<FetchResult> results = new ArrayList<>(parts.size());
        long[] leos = new long[parts.size()];
        long remaining = params.maxBytes() <= 0 ? Integer.MAX_VALUE : params.maxBytes();
        boolean minOneBatch = true;
        boolean failed = false;
        long total = 0;
        for (int i = 0; i < parts.size(); i++) {
            FetchPartition fp = parts.get(i);
            leos[i] = -1;
            try {
                Partition p = logs.leaderPartition(fp.tp());
                if (!p.isAttached()) {
                    if (!p.offsetsKnown() || logs.heldTooLong(p)) {
                        throw LogSlot.unavailable(fp.tp());
                    }
                    // Its store is being swapped: nothing new to read meanwhile; the fetch waits as for new data
                    // and is woken when the partition has its log again.
                    leos[i] = p.logEndOffset();
                    results.add(new FetchResult(fp.tp(), ErrorCode.NONE, p.highWatermark(), p.lastStableOffset(),
                            p.logStartOffset(), LogSlice.EMPTY));
                    continue;
                }
                leos[i] = p.logEndOffset();
                long hw = p.highWatermark();
                int limit = (int) Math.max(0, Math.min(Math.max(fp.maxBytes(), 0), remaining));
                LogSlice slice = limit > 0 || minOneBatch ? p.read(fp.fetchOffset(), limit, minOneBatch)
                        : LogSlice.EMPTY;
                if (!slice.isEmpty() && params.replicaId() < 0 && p.logEndOffset() > hw) {
                    try {
                        slice = upTo(slice, hw); // consumers see committed batches only
                    } catch (IOException | RuntimeException e) {
                        slice.release();
                        throw e;
                    }
                }
                if (!slice.isEmpty()) {
                    minOneBatch = false;
                    remaining -= slice.size();
                    total += slice.size();
                }
                results.add(new FetchResult(fp.tp(), ErrorCode.NONE, hw, Math.min(hw, p.lastStableOffset()),
                        p.logStartOffset(), slice));
            } catch (StrataException e) {
                failed = true;
                results.add(FetchResult.error(fp.tp(), e.error()));
            } catch (IOException | RuntimeException e) {
                LOG.error("Reading {} at offset {} failed", fp.tp(), fp.fetchOffset(), e);
                failed = true;
                results.add(FetchResult.error(fp.tp(), ErrorCode.KAFKA_STORAGE_ERROR));
            }
        }
        return new Read(List.copyOf(results), total, failed, leos);
    }

    /**
     * The leading batches of {@code slice} that start below {@code highWatermark}. Reads only the 12-byte offset and
     * length of each batch; needed only while the log end is ahead of the high watermark.
     */
    static LogSlice upTo(LogSlice slice, long highWatermark) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(RecordBatch.LOG_OVERHEAD);
        long pos = 0;
        while (pos + RecordBatch.LOG_OVERHEAD <= slice.size()) {
            head.clear();
            while (head.hasRemaining()) {
                if (slice.read(head, pos + head.position()) < 0) {
                    throw new IOException("Log ended inside a batch header at slice position " + pos);
                }
            }
            if (head.getLong(0) >= highWatermark) {
                break;
            }
            pos += RecordBatch.LOG_OVERHEAD + (long) head.getInt(RecordBatch.LENGTH_OFFSET);
        }
        int size = (int) Math.min(pos, slice.size());
        if (size == 0) {
            slice.release(); // nothing committed to send: end the hold here
        }
        return slice.prefix(size);
    }

    /** Whether any partition's log end offset moved since {@code read} was taken. */
    boolean logsMovedSince(FetchParams params, Read read) {
        List<FetchPartition> parts = params.partitions();
        for (int i = 0; i < parts.size(); i++) {
            try {
                if (logs.leaderPartition(parts.get(i).tp()).logEndOffset() != read.logEndOffsets()[i]) {
                    return true;
                }
            } catch (StrataException e) {
                return true; // the partition went away or is led elsewhere now: answer now
            }
        }
        return false;
    }
}
