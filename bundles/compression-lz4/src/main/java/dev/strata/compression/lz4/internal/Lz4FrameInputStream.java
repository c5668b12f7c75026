package dev.strata.compression.lz4.internal;

import java.io.IOException;
import java.io.InputStream;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.StreamingXXHash32;

/**
 * Reads one LZ4 frame (see {@link Lz4Frame}) as Kafka's reader does, and checks what the frame declares: header
 * checksum, block checksums and content checksum when present. Content size fields are skipped; dictionary ids
 * and skippable or legacy frames are refused. Blocks are decoded independently, as Kafka does: a frame flagged
 * "linked blocks" is accepted, but a block that really refers to an earlier one fails to decode. Every block is
 * checked against the frame's maximum block size before it is read; buffers are allocated per stream, never shared
 * (so no stale data from another stream can leak into the output). Not thread-safe.
 */
final class Lz4FrameInputStream extends InputStream {
    /** LZ4 output grows by at most 255 bytes per input byte (a match length extension byte), plus a short tail. */
    private static final int MAX_EXPANSION = 256;
    private static final byte[] EMPTY = new byte[0];

    private final InputStream in;
    private final LZ4SafeDecompressor decompressor = Lz4Frame.LZ4.safeDecompressor();
    private final boolean blockChecksum;
    private final boolean contentChecksumFlag;
    private final StreamingXXHash32 contentChecksum;
    private final int maxBlockSize;
    private final byte[] word = new byte[4];
    private byte[] compressed = EMPTY;
    private byte[] block = EMPTY;
    private int blockLength;
    private int blockPos;
    private boolean finished;

    Lz4FrameInputStream(InputStream in) throws IOException {
        this.in = in;
        byte[] descriptor = new byte[15];
        readFully(descriptor, 0, 4, "magic");
        int magic = Lz4Frame.readIntLE(descriptor, 0);
        if (magic != Lz4Frame.MAGIC) {
            throw new IOException(String.format("lz4: not an LZ4 frame (magic 0x%08X)", magic));
        }
        readFully(descriptor, 0, 2, "frame descriptor");
        int flg = descriptor[0] & 0xFF;
        int bd = descriptor[1] & 0xFF;
        int version = flg >>> Lz4Frame.FLG_VERSION_SHIFT;
        if (version != Lz4Frame.VERSION) {
            throw new IOException("lz4: unsupported frame version " + version);
        }
        if ((flg & Lz4Frame.FLG_RESERVED) != 0 || (bd & Lz4Frame.BD_RESERVED) != 0) {
            throw new IOException(String.format("lz4: reserved bits set in FLG 0x%02X / BD 0x%02X", flg, bd));
        }
        if ((flg & Lz4Frame.FLG_DICT_ID) != 0) {
            throw new IOException("lz4: frames that need a dictionary are not supported");
        }
        int blockSizeId = (bd & Lz4Frame.BD_BLOCK_SIZE_MASK) >>> Lz4Frame.BD_BLOCK_SIZE_SHIFT;
        if (blockSizeId < Lz4Frame.BLOCK_SIZE_ID_64KB) {
            throw new IOException("lz4: invalid block maximum size id " + blockSizeId);
        }
        int descriptorLength = 2;
        if ((flg & Lz4Frame.FLG_CONTENT_SIZE) != 0) {
            readFully(descriptor, 2, 8, "content size");
            descriptorLength += 8;
        }
        readFully(descriptor, descriptorLength, 1, "header checksum");
        byte expected = Lz4Frame.headerChecksum(descriptor, 0, descriptorLength);
        if (descriptor[descriptorLength] != expected) {
            throw new IOException(String.format("lz4: frame header checksum 0x%02X, expected 0x%02X",
                    descriptor[descriptorLength], expected));
        }
        this.maxBlockSize = Lz4Frame.blockSize(blockSizeId);
        this.blockChecksum = (flg & Lz4Frame.FLG_BLOCK_CHECKSUM) != 0;
        this.contentChecksumFlag = (flg & Lz4Frame.FLG_CONTENT_CHECKSUM) != 0;
        this.contentChecksum = contentChecksumFlag ? Lz4Frame.XXHASH.newStreamingHash32(0) : null;
    }

    private void readFully(byte[] b, int off, int len, String what) throws IOException {
        int n = in.readNBytes(b, off, len);
        if (n < len) {
            throw new IOException("lz4: stream truncated in " + what);
        }
    }

    private int readWord(String what) throws IOException {
        readFully(word, 0, 4, what);
        return Lz4Frame.readIntLE(word, 0);
    }

    /** Decodes the next block; false after the end mark. */
    private boolean nextBlock() throws IOException {
        while (!finished) {
            int size = readWord("block size");
            if (size == 0) {
                finished = true;
                if (contentChecksumFlag) {
                    int stored = readWord("content checksum");
                    if (stored != contentChecksum.getValue()) {
                        throw new IOException("lz4: content checksum mismatch");
                    }
                }
                return false;
            }
            boolean stored = (size & Lz4Frame.UNCOMPRESSED_BLOCK) != 0;
            size &= ~Lz4Frame.UNCOMPRESSED_BLOCK;
            if (size > maxBlockSize) {
                throw new IOException("lz4: block of " + size + " bytes exceeds the frame's maximum " + maxBlockSize);
            }
            // Buffers grow to what the blocks actually need, not to the (up to 4 MiB) maximum the header names.
            compressed = ensureCapacity(compressed, size);
            readFully(compressed, 0, size, "block data");
            if (blockChecksum) {
                int storedHash = readWord("block checksum");
                if (storedHash != Lz4Frame.XXH32.hash(compressed, 0, size, 0)) {
                    throw new IOException("lz4: block checksum mismatch");
                }
            }
            if (stored) {
                block = ensureCapacity(block, size);
                System.arraycopy(compressed, 0, block, 0, size);
                blockLength = size;
            } else {
                int limit = (int) Math.min(maxBlockSize, (long) size * MAX_EXPANSION + 64);
                block = ensureCapacity(block, limit);
                try {
                    blockLength = decompressor.decompress(compressed, 0, size, block, 0, limit);
                } catch (LZ4Exception e) {
                    throw new IOException("lz4: corrupt block: " + e.getMessage(), e);
                }
            }
            blockPos = 0;
            if (contentChecksumFlag) {
                contentChecksum.update(block, 0, blockLength);
            }
            if (blockLength > 0) {
                return true;
            }
        }
        return false;
    }

    private static byte[] ensureCapacity(byte[] buf, int size) {
        return buf.length >= size ? buf : new byte[size];
    }

    @Override
    public int read() throws IOException {
        if (blockPos == blockLength && !nextBlock()) {
            return -1;
        }
        return block[blockPos++] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (blockPos == blockLength && !nextBlock()) {
            return -1;
        }
        int n = Math.min(len, blockLength - blockPos);
        System.arraycopy(block, blockPos, b, off, n);
        blockPos += n;
        return n;
    }

    @Override
    public int available() {
        return blockLength - blockPos;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
