package dev.strata.compression.snappy.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyError;

/**
 * Decompresses snappy-java's xerial framing: magic {@code 82 'SNAPPY' 00}, big-endian version and compatible
 * version, then blocks of {@code int32 compressed length, raw snappy block}; a repeated header (concatenated
 * streams) is skipped. Input that does not start with the magic is read as one bare snappy block, as snappy-java's
 * own reader does. Not thread-safe.
 *
 * <p>Written here rather than using snappy-java's SnappyInputStream because that one allocates whatever a block's
 * length fields claim (up to 512 MiB compressed, 2 GiB uncompressed) before checking them. Here compressed bytes are
 * only held as they actually arrive, and a block's declared uncompressed length must be one snappy can produce from
 * its compressed size.
 */
final class XerialSnappyInputStream extends InputStream {
    private static final byte[] MAGIC = org.xerial.snappy.SnappyCodec.getMagicHeader();
    private static final int HEADER_SIZE = MAGIC.length + 8;
    private static final int MAGIC_HEAD = ByteBuffer.wrap(MAGIC).getInt();
    /**
     * A snappy element expands at most 64 bytes from 3 (a 2-byte-offset copy), so no valid block decompresses to
     * more than ~22 times its size; 32 leaves slack and still refuses absurd length claims before allocating.
     */
    private static final int MAX_EXPANSION = 32;

    private final InputStream in;
    private final boolean framed;
    private byte[] block = new byte[0];
    private int blockPos;
    private boolean eof;

    XerialSnappyInputStream(InputStream in) throws IOException {
        this.in = in;
        byte[] header = in.readNBytes(HEADER_SIZE);
        if (header.length == 0) {
            throw new IOException("snappy: empty stream");
        }
        framed = header.length >= MAGIC.length && Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
        if (framed) {
            checkVersion(header);
        } else {
            byte[] rest = in.readAllBytes();
            byte[] raw = Arrays.copyOf(header, header.length + rest.length);
            System.arraycopy(rest, 0, raw, header.length, rest.length);
            block = uncompressBlock(raw);
            eof = true;
        }
    }

    private static void checkVersion(byte[] header) throws IOException {
        if (header.length < HEADER_SIZE) {
            throw new IOException("snappy: stream header truncated at " + header.length + " bytes");
        }
        int version = ByteBuffer.wrap(header, MAGIC.length, 8).getInt();
        if (version < 1) {
            throw new IOException("snappy: unsupported stream version " + version);
        }
    }

    /** Loads the next block; false at the clean end of the stream. */
    private boolean nextBlock() throws IOException {
        while (!eof) {
            byte[] lengthBytes = in.readNBytes(4);
            if (lengthBytes.length == 0) {
                eof = true;
                return false;
            }
            if (lengthBytes.length < 4) {
                throw new IOException("snappy: block length truncated");
            }
            int length = ByteBuffer.wrap(lengthBytes).getInt();
            if (length == MAGIC_HEAD) {
                byte[] rest = in.readNBytes(HEADER_SIZE - 4);
                byte[] header = new byte[HEADER_SIZE];
                System.arraycopy(lengthBytes, 0, header, 0, 4);
                System.arraycopy(rest, 0, header, 4, rest.length);
                if (!Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                    throw new IOException("snappy: invalid block length " + length);
                }
                checkVersion(Arrays.copyOf(header, 4 + rest.length));
                continue;
            }
            if (length < 0) {
                throw new IOException("snappy: invalid block length " + length);
            }
            // readNBytes grows with the bytes actually read, so a false length cannot force a large allocation.
            byte[] compressed = in.readNBytes(length);
            if (compressed.length < length) {
                throw new IOException("snappy: block truncated: " + compressed.length + " of " + length + " bytes");
            }
            block = uncompressBlock(compressed);
            blockPos = 0;
            if (block.length > 0) {
                return true;
            }
        }
        return false;
    }

    private static byte[] uncompressBlock(byte[] compressed) throws IOException {
        try {
            int length = Snappy.uncompressedLength(compressed, 0, compressed.length);
            if (length < 0 || (long) length > (long) compressed.length * MAX_EXPANSION) {
                throw new IOException("snappy: block of " + compressed.length + " bytes claims " + length
                        + " uncompressed bytes");
            }
            byte[] out = new byte[length];
            int n = Snappy.uncompress(compressed, 0, compressed.length, out, 0);
            if (n != length) {
                throw new IOException("snappy: block decompressed to " + n + " bytes, expected " + length);
            }
            return out;
        } catch (SnappyError | RuntimeException e) {
            throw new IOException("snappy: corrupt block: " + e.getMessage(), e);
        }
    }

    @Override
    public int read() throws IOException {
        if (blockPos == block.length && !nextBlock()) {
            return -1;
        }
        return block[blockPos++] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (blockPos == block.length && !nextBlock()) {
            return -1;
        }
        int n = Math.min(len, block.length - blockPos);
        System.arraycopy(block, blockPos, b, off, n);
        blockPos += n;
        return n;
    }

    @Override
    public int available() {
        return block.length - blockPos;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
