package dev.strata.storage.segment.internal;

import dev.strata.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads batch headers from a segment file through a small window, so that walking over many small batches costs
 * one read per window instead of one per batch. Only bytes below {@code limit} (the segment's published size when
 * the scan began) are read. Not thread-safe: one scanner per scan.
 */
final class BatchScanner {
    private static final int WINDOW = 4096;

    private final FileChannel channel;
    private final int limit;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW);
    private long windowStart = -1;
    private int windowLength;

    BatchScanner(FileChannel channel, int limit) {
        this.channel = channel;
        this.limit = limit;
    }

    int limit() {
        return limit;
    }

    /**
     * The header of the batch at {@code position}, or null when a whole header does not lie below the limit or its
     * length field is impossible (shorter than a header, or the batch would pass the limit).
     */
    BatchHeader headerAt(int position) throws IOException {
        if (position < 0 || (long) position + RecordBatch.HEADER_SIZE > limit) {
            return null;
        }
        if (position < windowStart || position + RecordBatch.HEADER_SIZE > windowStart + windowLength) {
            fill(position);
            if (windowLength < RecordBatch.HEADER_SIZE) {
                return null;
            }
        }
        int at = (int) (position - windowStart);
        int length = window.getInt(at + RecordBatch.LENGTH_OFFSET);
        long size = (long) length + RecordBatch.LOG_OVERHEAD;
        if (length < RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD || position + size > limit) {
            return null;
        }
        return new BatchHeader(position, window.getLong(at + RecordBatch.BASE_OFFSET_OFFSET), (int) size,
                window.getInt(at + RecordBatch.LAST_OFFSET_DELTA_OFFSET),
                window.getLong(at + RecordBatch.MAX_TIMESTAMP_OFFSET));
    }

    private void fill(int position) throws IOException {
        window.clear().limit((int) Math.min(WINDOW, (long) limit - position));
        long pos = position;
        while (window.hasRemaining()) {
            int n = channel.read(window, pos);
            if (n < 0) {
                break;
            }
            pos += n;
        }
        windowStart = position;
        windowLength = window.position();
    }
}
