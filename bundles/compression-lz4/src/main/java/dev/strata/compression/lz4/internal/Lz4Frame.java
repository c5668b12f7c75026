package dev.strata.compression.lz4.internal;

import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Constants of the LZ4 frame format (lz4_Frame_format.md, version 1) and the choices Kafka makes when writing it.
 *
 * <pre>
 * frame      = magic (0x184D2204, LE) | FLG | BD | [content size, 8 bytes LE] | [dict id, 4 bytes] | HC
 *              | block* | end mark (0, 4 bytes) | [content checksum, 4 bytes]
 * FLG        = version (2 bits, 01) | block independence | block checksum | content size | content checksum
 *              | reserved (0) | dict id
 * BD         = reserved (0) | block max size id (3 bits: 4 = 64 KiB .. 7 = 4 MiB) | reserved (0000)
 * HC         = second byte of XXH32(FLG .. last descriptor byte, seed 0)
 * block      = size (4 bytes LE; high bit set = stored uncompressed) | data | [XXH32 of data]
 * </pre>
 * Kafka writes version 1, independent blocks, no checksums, no content size, 64 KiB blocks (FLG 0x60, BD 0x40),
 * and stores a block uncompressed when compression does not shrink it.
 *
 * <p>Only lz4-java's pure-Java "safe" implementations are used: they need no native library inside OSGi and are
 * bounds-checked against hostile input (the JNI and Unsafe variants of lz4-java 1.8.0 are not; CVE-2025-12183).
 */
final class Lz4Frame {
    static final int MAGIC = 0x184D2204;
    static final int VERSION = 1;

    static final int FLG_VERSION_SHIFT = 6;
    static final int FLG_BLOCK_INDEPENDENCE = 0x20;
    static final int FLG_BLOCK_CHECKSUM = 0x10;
    static final int FLG_CONTENT_SIZE = 0x08;
    static final int FLG_CONTENT_CHECKSUM = 0x04;
    static final int FLG_RESERVED = 0x02;
    static final int FLG_DICT_ID = 0x01;

    static final int BD_BLOCK_SIZE_SHIFT = 4;
    static final int BD_BLOCK_SIZE_MASK = 0x70;
    static final int BD_RESERVED = 0x8F;
    static final int BLOCK_SIZE_ID_64KB = 4;

    /** The high bit of a block size marks a block stored without compression. */
    static final int UNCOMPRESSED_BLOCK = 0x80000000;

    static final LZ4Factory LZ4 = LZ4Factory.safeInstance();
    static final XXHashFactory XXHASH = XXHashFactory.safeInstance();
    static final XXHash32 XXH32 = XXHASH.hash32();

    private Lz4Frame() {
    }

    /** Block maximum size in bytes for a BD block size id (4 to 7). */
    static int blockSize(int id) {
        return 1 << (2 * id + 8);
    }

    /** The header checksum byte over the frame descriptor bytes {@code descriptor[off, off + len)}. */
    static byte headerChecksum(byte[] descriptor, int off, int len) {
        return (byte) ((XXH32.hash(descriptor, off, len, 0) >> 8) & 0xFF);
    }

    static void writeIntLE(int v, byte[] buf, int off) {
        buf[off] = (byte) v;
        buf[off + 1] = (byte) (v >>> 8);
        buf[off + 2] = (byte) (v >>> 16);
        buf[off + 3] = (byte) (v >>> 24);
    }

    static int readIntLE(byte[] buf, int off) {
        return (buf[off] & 0xFF) | (buf[off + 1] & 0xFF) << 8 | (buf[off + 2] & 0xFF) << 16
                | (buf[off + 3] & 0xFF) << 24;
    }
}
