package dev.strata.storage.segment.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Fully validates consecutive batches of a segment file ({@link BatchHeader#readValid}'s checks, CRC included)
 * through a window: a run of small batches costs one read per window instead of two per batch. A batch larger than
 * the window, or cut off by the file's end, is streamed by {@link BatchHeader#readValid} instead. Used by the full
 * checks of recovery and {@code strata:verify} and by the checks at first read. Not thread-safe: one per scan.
 */
final class BatchValidator {
    static final int DEFAULT_WINDOW = 1024 * 1024;

    private final FileChannel channel;
    private final ByteBuffer window;
    private int windowStart;

    /** @param windowBytes the most bytes read at once (a scan of a short range needs no more than the range) */
    BatchValidator(FileChannel channel, int windowBytes) {
        this.channel = channel;
        this.window = ByteBuffer.allocate(Math.max(1, windowBytes));
        this.window.limit(0);
    }

    /** The valid batch at {@code position} below {@code limit} with base offset at least {@code minBase}, or null. */
    BatchHeader validAt(int position, int limit, long minBase) throws IOException {
        if (!BatchHeader.fitsIn(window, windowStart, position)) {
            windowStart = position;
            window.clear().limit((int) Math.min(window.capacity(), Math.max(0L, (long) limit - position)));
            if (!BatchHeader.readFully(channel, window, position)) {
                window.limit(0); // the file ends first: the batch is judged by readValid below
            }
            window.flip();
        }
        return BatchHeader.fitsIn(window, windowStart, position)
                ? BatchHeader.validIn(window, windowStart, position, limit, minBase)
                : BatchHeader.readValid(channel, position, limit, minBase);
    }
}
