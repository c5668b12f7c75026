package dev.strata.api.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A run of whole record batches in a log file, to be sent with zero copy ({@code FileChannel.transferTo}) or read.
 * The channel belongs to the log: callers must not close it. An empty slice has size 0 and may have no channel.
 *
 * @param channel the segment file, or {@code null} for an empty slice
 * @param position where the first batch starts in the file
 * @param size bytes in the slice
 * @param firstOffset the base offset of the first batch, or -1 for an empty slice
 */
public record LogSlice(FileChannel channel, long position, int size, long firstOffset) {

    public static final LogSlice EMPTY = new LogSlice(null, 0, 0, -1);

    public boolean isEmpty() {
        return size == 0;
    }

    /** Copies the slice into a new heap buffer (for validation, recompression and tests, not the fetch path). */
    public ByteBuffer readFully() throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(size);
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new IOException("Log file ended before the slice did (position " + pos + ")");
            }
            pos += n;
        }
        return buf.flip();
    }
}
