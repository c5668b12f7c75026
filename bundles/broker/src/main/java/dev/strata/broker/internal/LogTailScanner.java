package dev.strata.broker.internal;

import dev.strata.api.log.LogSlice;
import dev.strata.api.log.PartitionLog;
import dev.strata.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Walks the batch headers at the tail of a log without reading the records: used at startup to rebuild state
 * (idempotent producers) from the last {@code windowBytes} of the log. Stateless: thread-safe; the log must not be
 * appended to while it scans (the partition holds its lock).
 */
final class LogTailScanner {
    private static final int CHUNK_BYTES = 1024 * 1024;

    /** The header fields a scan reports. */
    record BatchHeader(long baseOffset, long lastOffset, long producerId, short producerEpoch, int baseSequence,
                       int lastSequence, boolean control, long maxTimestamp) {
    }

    private LogTailScanner() {
    }

    /** Reports every batch header in roughly the last {@code windowBytes} of the log; returns how many. */
    static int scan(PartitionLog log, long windowBytes, Consumer<BatchHeader> consumer) throws IOException {
        long start = log.logStartOffset();
        long end = log.logEndOffset();
        if (end <= start) {
            return 0;
        }
        long size = log.sizeInBytes();
        long offset = start;
        if (size > windowBytes) {
            // Offsets are not bytes; assume batches of even size to find where the window starts.
            offset = Math.max(start, end - (long) ((end - start) * ((double) windowBytes / size)));
        }
        int count = 0;
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_SIZE);
        while (offset < end) {
            LogSlice slice = log.read(offset, CHUNK_BYTES, true);
            if (slice.isEmpty()) {
                break;
            }
            long pos = 0;
            long sliceEnd = slice.size();
            long next = offset;
            try {
            while (pos + RecordBatch.HEADER_SIZE <= sliceEnd) {
                header.clear();
                readFully(slice, header, pos);
                int length = header.getInt(RecordBatch.LENGTH_OFFSET);
                if (length < RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD) {
                    break; // not a batch: the store gave us something odd; stop rather than guess
                }
                long base = header.getLong(RecordBatch.BASE_OFFSET_OFFSET);
                int lastDelta = header.getInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET);
                int baseSeq = header.getInt(RecordBatch.BASE_SEQUENCE_OFFSET);
                int lastSeq = baseSeq < 0 ? -1
                        : (int) ((baseSeq + (long) lastDelta) > Integer.MAX_VALUE
                        ? baseSeq + (long) lastDelta - Integer.MAX_VALUE - 1 : baseSeq + (long) lastDelta);
                short attributes = header.getShort(RecordBatch.ATTRIBUTES_OFFSET);
                consumer.accept(new BatchHeader(base, base + lastDelta, header.getLong(RecordBatch.PRODUCER_ID_OFFSET),
                        header.getShort(RecordBatch.PRODUCER_EPOCH_OFFSET), baseSeq, lastSeq,
                        (attributes & RecordBatch.CONTROL_MASK) != 0,
                        header.getLong(RecordBatch.MAX_TIMESTAMP_OFFSET)));
                count++;
                next = base + lastDelta + 1;
                pos += RecordBatch.LOG_OVERHEAD + (long) length;
            }
            } finally {
                slice.release();
            }
            if (next <= offset) {
                break; // no progress: stop instead of looping
            }
            offset = next;
        }
        return count;
    }

    private static void readFully(LogSlice slice, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            if (slice.read(buf, pos + buf.position()) < 0) {
                throw new IOException("Log ended inside a batch header at slice position " + pos);
            }
        }
        buf.flip();
    }
}
