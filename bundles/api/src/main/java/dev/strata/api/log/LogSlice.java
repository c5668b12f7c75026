package dev.strata.api.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * A run of whole record batches of a log, to be sent with zero copy or read. The slice holds the storage it reads
 * from ({@link LogSliceSource}): whoever ends up owning a slice returned by {@link PartitionLog#read} calls
 * {@link #release()} exactly once, after its last read or transfer (the Kafka protocol does that when the response
 * has been written, or dropped). Slices made from it with {@link #prefix} share that hold: release one of them.
 *
 * @param source where the bytes are, and the hold on them; {@link LogSliceSource#release()} ends it
 * @param position where the first batch starts in {@code source} (the store's position; callers use the
 *     slice-relative methods below)
 * @param size bytes in the slice
 * @param firstOffset the base offset of the first batch, or -1 for an empty slice
 */
public record LogSlice(LogSliceSource source, long position, int size, long firstOffset) {

    /** No batches and no hold (releasing it does nothing). */
    public static final LogSlice EMPTY = new LogSlice(NoSource.INSTANCE, 0, 0, -1);

    public LogSlice {
        if (source == null || position < 0 || size < 0) {
            throw new IllegalArgumentException("A slice needs a source, position >= 0 and size >= 0");
        }
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * Reads slice bytes from {@code offsetInSlice} into {@code dst} (no further than the slice's end).
     *
     * @return the bytes read, or -1 when {@code offsetInSlice} is at or past the end
     */
    public int read(ByteBuffer dst, long offsetInSlice) throws IOException {
        long left = size - offsetInSlice;
        if (offsetInSlice < 0 || left <= 0) {
            return -1;
        }
        if (dst.remaining() <= left) {
            return source.read(dst, position + offsetInSlice);
        }
        ByteBuffer limited = dst.duplicate();
        limited.limit(dst.position() + (int) left);
        int n = source.read(limited, position + offsetInSlice);
        if (n > 0) {
            dst.position(dst.position() + n);
        }
        return n;
    }

    /**
     * Writes up to {@code count} slice bytes from {@code offsetInSlice} to {@code target}, zero copy where the
     * store can.
     *
     * @return the bytes written (0 when the target is full)
     * @throws IOException also when the storage no longer holds the slice's bytes (a truncated file)
     */
    public long transferTo(long offsetInSlice, long count, WritableByteChannel target) throws IOException {
        long left = size - offsetInSlice;
        if (offsetInSlice < 0 || left < 0 || count < 0) {
            throw new IllegalArgumentException("offset " + offsetInSlice + " / count " + count
                    + " outside a slice of " + size + " bytes");
        }
        long n = Math.min(count, left);
        if (n == 0) {
            return 0;
        }
        long written = source.transferTo(position + offsetInSlice, n, target);
        if (written == 0 && source.size() < position + size) {
            // Without this a truncated file would make a sender spin on a transfer that can never finish.
            throw new IOException("The log holds " + source.size() + " bytes, fewer than the slice's end "
                    + (position + size));
        }
        return written;
    }

    /** Copies the slice into a new heap buffer (for validation, recompression and tests, not the fetch path). */
    public ByteBuffer readFully() throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(size);
        while (buf.hasRemaining()) {
            if (read(buf, buf.position()) < 0) {
                throw new IOException("The log ended before the slice did (at " + (position + buf.position())
                        + ")");
            }
        }
        return buf.flip();
    }

    /** The first {@code bytes} of this slice (whole batches are the caller's concern), sharing its hold. */
    public LogSlice prefix(int bytes) {
        if (bytes < 0 || bytes > size) {
            throw new IllegalArgumentException("prefix of " + bytes + " bytes of a slice of " + size);
        }
        return bytes == 0 ? EMPTY : new LogSlice(source, position, bytes, firstOffset);
    }

    /** Ends the slice's hold on its storage (see the class comment). Safe to call more than once. */
    public void release() {
        source.release();
    }

    /** The source of {@link #EMPTY}: holds nothing. */
    private enum NoSource implements LogSliceSource {
        INSTANCE;

        @Override
        public int read(ByteBuffer dst, long position) {
            return -1;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            return 0;
        }

        @Override
        public long size() {
            return 0;
        }

        @Override
        public void release() {
        }
    }
}
