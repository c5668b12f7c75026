package dev.strata.compression.lz4.internal;

import java.io.IOException;
import java.io.OutputStream;
import net.jpountz.lz4.LZ4Compressor;

/**
 * Writes one LZ4 frame as Kafka does (see {@link Lz4Frame}): 64 KiB independent blocks, no checksums. The header
 * goes out on construction; {@link #close()} writes the last block and the end mark, then closes the target.
 * Not thread-safe.
 */
final class Lz4FrameOutputStream extends OutputStream {
    private static final int FLG = Lz4Frame.VERSION << Lz4Frame.FLG_VERSION_SHIFT | Lz4Frame.FLG_BLOCK_INDEPENDENCE;
    private static final int BD = Lz4Frame.BLOCK_SIZE_ID_64KB << Lz4Frame.BD_BLOCK_SIZE_SHIFT;

    private final OutputStream out;
    private final LZ4Compressor compressor;
    private final byte[] buffer;
    private final byte[] compressed;
    private int buffered;
    private boolean closed;

    Lz4FrameOutputStream(OutputStream out, LZ4Compressor compressor) throws IOException {
        this.out = out;
        this.compressor = compressor;
        int blockSize = Lz4Frame.blockSize(Lz4Frame.BLOCK_SIZE_ID_64KB);
        this.buffer = new byte[blockSize];
        // Room for the 4-byte size ahead of the largest possible compressed block.
        this.compressed = new byte[4 + compressor.maxCompressedLength(blockSize)];
        byte[] header = new byte[7];
        Lz4Frame.writeIntLE(Lz4Frame.MAGIC, header, 0);
        header[4] = (byte) FLG;
        header[5] = (byte) BD;
        header[6] = Lz4Frame.headerChecksum(header, 4, 2);
        out.write(header);
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (buffered == buffer.length) {
            writeBlock();
        }
        buffer[buffered++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        while (len > 0) {
            if (buffered == buffer.length) {
                writeBlock();
            }
            int n = Math.min(len, buffer.length - buffered);
            System.arraycopy(b, off, buffer, buffered, n);
            buffered += n;
            off += n;
            len -= n;
        }
    }

    private void writeBlock() throws IOException {
        if (buffered == 0) {
            return;
        }
        int size = compressor.compress(buffer, 0, buffered, compressed, 4, compressed.length - 4);
        if (size >= buffered) {
            Lz4Frame.writeIntLE(buffered | Lz4Frame.UNCOMPRESSED_BLOCK, compressed, 0);
            out.write(compressed, 0, 4);
            out.write(buffer, 0, buffered);
        } else {
            Lz4Frame.writeIntLE(size, compressed, 0);
            out.write(compressed, 0, 4 + size);
        }
        buffered = 0;
    }

    /** Ends the current block early (a valid, slightly smaller frame) and flushes the target. */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        writeBlock();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (OutputStream target = out) {
            writeBlock();
            byte[] endMark = new byte[4];
            target.write(endMark);
            target.flush();
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("lz4: stream closed");
        }
    }
}
