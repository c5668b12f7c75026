package dev.strata.storage.segment.internal;

import dev.strata.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * The header fields of one v2 batch read from a segment file, and the file-level checks log recovery needs
 * (the same checks as {@code RecordBatch.ensureValid} and {@code RecordBatches.validPrefixLength}, streamed so a
 * batch of any size is checked with a small buffer). Immutable.
 *
 * @param position where the batch starts in the file
 * @param size total bytes of the batch, length fields included
 */
record BatchHeader(int position, long baseOffset, int size, int lastOffsetDelta, long maxTimestamp) {
    /** Compression ids 0..4 are known (none, gzip, snappy, lz4, zstd). */
    private static final int MAX_COMPRESSION_ID = 4;
    private static final int CRC_CHUNK = 64 * 1024;

    long lastOffset() {
        return baseOffset + lastOffsetDelta;
    }

    long nextOffset() {
        return lastOffset() + 1;
    }

    int end() {
        return position + size;
    }

    /**
     * Reads and fully validates the batch at {@code position}: header and length as {@link BatchScanner#headerAt}, magic 2, a
     * consistent record count, a known compression type, offsets at or above {@code minBaseOffset}, and the
     * CRC-32C over attributes..end.
     *
     * @return the header, or null when the batch is torn or corrupt
     */
    static BatchHeader readValid(FileChannel ch, int position, int limit, long minBaseOffset) throws IOException {
        if ((long) position + RecordBatch.HEADER_SIZE > limit) {
            return null;
        }
        ByteBuffer head = ByteBuffer.allocate(RecordBatch.HEADER_SIZE);
        if (!readFully(ch, head, position)) {
            return null;
        }
        BatchHeader h = checkedHeader(head, 0, position, limit, minBaseOffset);
        if (h == null) {
            return null;
        }
        CRC32C crc = new CRC32C();
        head.position(RecordBatch.ATTRIBUTES_OFFSET);
        crc.update(head);
        long pos = (long) position + RecordBatch.HEADER_SIZE;
        long end = h.end();
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CRC_CHUNK, Math.max(1, end - pos)));
        while (pos < end) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), end - pos));
            if (!readFully(ch, chunk, pos)) {
                return null;
            }
            chunk.flip();
            crc.update(chunk);
            pos += chunk.limit();
        }
        return crc.getValue() == Integer.toUnsignedLong(head.getInt(RecordBatch.CRC_OFFSET)) ? h : null;
    }

    /**
     * As {@link #readValid}, for a batch whose bytes are already in memory: {@code buf} holds the file from
     * {@code bufFilePosition} on (absolute indexes from 0 to its limit). Null when the batch is invalid or does
     * not lie wholly in {@code buf}; {@link #fitsIn} tells the two apart.
     */
    static BatchHeader validIn(ByteBuffer buf, int bufFilePosition, int position, int limit, long minBaseOffset) {
        int at = position - bufFilePosition;
        if (at < 0 || at + RecordBatch.HEADER_SIZE > buf.limit()) {
            return null;
        }
        BatchHeader h = checkedHeader(buf, at, position, limit, minBaseOffset);
        if (h == null || at + h.size() > buf.limit()) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().position(at + RecordBatch.ATTRIBUTES_OFFSET).limit(at + h.size()));
        return crc.getValue() == Integer.toUnsignedLong(buf.getInt(at + RecordBatch.CRC_OFFSET)) ? h : null;
    }

    /** Whether the batch at {@code position} (header included) lies wholly in {@code buf}, as it says its size. */
    static boolean fitsIn(ByteBuffer buf, int bufFilePosition, int position) {
        int at = position - bufFilePosition;
        if (at < 0 || at + RecordBatch.HEADER_SIZE > buf.limit()) {
            return false;
        }
        long size = (long) buf.getInt(at + RecordBatch.LENGTH_OFFSET) + RecordBatch.LOG_OVERHEAD;
        return size > 0 && at + size <= buf.limit();
    }

    /** The header at {@code at} in {@code head} if its fields are consistent (the CRC is the caller's), else null. */
    private static BatchHeader checkedHeader(ByteBuffer head, int at, int position, int limit, long minBaseOffset) {
        int length = head.getInt(at + RecordBatch.LENGTH_OFFSET);
        long size = (long) length + RecordBatch.LOG_OVERHEAD;
        if (length < RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD || position + size > limit) {
            return null;
        }
        long baseOffset = head.getLong(at + RecordBatch.BASE_OFFSET_OFFSET);
        int lastOffsetDelta = head.getInt(at + RecordBatch.LAST_OFFSET_DELTA_OFFSET);
        int count = head.getInt(at + RecordBatch.RECORDS_COUNT_OFFSET);
        int compression = head.getShort(at + RecordBatch.ATTRIBUTES_OFFSET) & RecordBatch.COMPRESSION_MASK;
        if (head.get(at + RecordBatch.MAGIC_OFFSET) != RecordBatch.MAGIC || baseOffset < minBaseOffset
                || lastOffsetDelta < 0 || count < 0 || (count > 0 && lastOffsetDelta < count - 1)
                || compression > MAX_COMPRESSION_ID || baseOffset > Long.MAX_VALUE - lastOffsetDelta - 1) {
            return null;
        }
        return new BatchHeader(position, baseOffset, (int) size, lastOffsetDelta,
                head.getLong(at + RecordBatch.MAX_TIMESTAMP_OFFSET));
    }

    /** Fills {@code buf} from {@code position}; false if the file ends first. */
    static boolean readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                return false;
            }
            pos += n;
        }
        return true;
    }
}
