package dev.strata.compression.lz4.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.compression.CompressionCodec;
import dev.strata.compression.testkit.CodecContractTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.OptionalInt;
import java.lang.annotation.Annotation;
import java.util.Arrays;
import net.jpountz.lz4.LZ4Compressor;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;

class Lz4CodecTest extends CodecContractTest {
    private final Lz4Codec codec = new Lz4Codec();

    @Override
    protected CompressionCodec codec() {
        return codec;
    }

    @Override
    protected Compression kafkaCompression() {
        return Compression.lz4().build();
    }

    private static Lz4Codec.Config level(int level) {
        return new Lz4Codec.Config() {
            @Override
            public int level() {
                return level;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return Lz4Codec.Config.class;
            }
        };
    }

    @Test
    void writesKafkasFrameHeader() throws IOException {
        byte[] c = compress(new byte[] {1, 2, 3});
        // magic LE, FLG (version 1, independent blocks), BD (64 KiB), header checksum
        assertArrayEquals(new byte[] {0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, (byte) 0x82}, Arrays.copyOf(c, 7));
        // one stored block (incompressible), then the end mark
        assertEquals(3 | 0x80000000, Lz4Frame.readIntLE(c, 7));
        assertEquals(0, Lz4Frame.readIntLE(c, c.length - 4));
    }

    @Test
    void highCompressionLevelRoundTrips() throws IOException {
        byte[] data = compressibleBytes(300_000);
        codec.configure(level(17));
        byte[] high = compress(data);
        codec.configure(level(9));
        byte[] fast = compress(data);
        assertTrue(high.length <= fast.length, high.length + " > " + fast.length);
        assertArrayEquals(data, decompress(high));
        assertThrows(IllegalArgumentException.class, () -> codec.configure(level(0)));
    }

    /** A frame with every optional field a third-party writer may set: content size and both checksums. */
    private static byte[] frameWithAllOptions(byte[] data, int blockSizeId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[4 + 2 + 8 + 1];
        Lz4Frame.writeIntLE(Lz4Frame.MAGIC, header, 0);
        header[4] = (byte) (0x40 | Lz4Frame.FLG_BLOCK_CHECKSUM | Lz4Frame.FLG_CONTENT_SIZE
                | Lz4Frame.FLG_CONTENT_CHECKSUM);
        header[5] = (byte) (blockSizeId << 4);
        for (int i = 0; i < 8; i++) {
            header[6 + i] = (byte) ((long) data.length >>> (8 * i));
        }
        header[14] = Lz4Frame.headerChecksum(header, 4, 10);
        out.writeBytes(header);
        LZ4Compressor compressor = Lz4Frame.LZ4.fastCompressor();
        int blockSize = Lz4Frame.blockSize(blockSizeId);
        byte[] word = new byte[4];
        for (int off = 0; off < data.length; off += blockSize) {
            int len = Math.min(blockSize, data.length - off);
            byte[] block = compressor.compress(Arrays.copyOfRange(data, off, off + len));
            Lz4Frame.writeIntLE(block.length, word, 0);
            out.writeBytes(word);
            out.writeBytes(block);
            Lz4Frame.writeIntLE(Lz4Frame.XXH32.hash(block, 0, block.length, 0), word, 0);
            out.writeBytes(word);
        }
        Lz4Frame.writeIntLE(0, word, 0);
        out.writeBytes(word);
        Lz4Frame.writeIntLE(Lz4Frame.XXH32.hash(data, 0, data.length, 0), word, 0);
        out.writeBytes(word);
        return out.toByteArray();
    }

    @Test
    void readsFramesWithOptionalFieldsAndLargerBlocks() throws IOException {
        byte[] data = compressibleBytes(600_000);
        for (int id = 4; id <= 7; id++) {
            assertArrayEquals(data, decompress(frameWithAllOptions(data, id)), "block size id " + id);
        }
    }

    @Test
    void checksumsAreVerified() {
        byte[] data = compressibleBytes(100_000);
        byte[] frame = frameWithAllOptions(data, 4);
        byte[] badHeader = frame.clone();
        badHeader[14] ^= 1;
        assertThrows(IOException.class, () -> decompress(badHeader));
        byte[] badBlockChecksum = frame.clone();
        int firstBlockSize = Lz4Frame.readIntLE(frame, 15);
        badBlockChecksum[15 + 4 + firstBlockSize] ^= 1;
        assertThrows(IOException.class, () -> decompress(badBlockChecksum));
        byte[] badContentChecksum = frame.clone();
        badContentChecksum[frame.length - 1] ^= 1;
        assertThrows(IOException.class, () -> decompress(badContentChecksum));
    }

    @Test
    void oversizedBlockIsRefusedBeforeReading() throws IOException {
        byte[] header = Arrays.copyOf(compress(new byte[0]), 7);
        byte[] frame = Arrays.copyOf(header, 7 + 4 + 3);
        Lz4Frame.writeIntLE(0x7fffffff, frame, 7); // a compressed block claiming 2 GiB in a 64 KiB frame
        IOException e = assertThrows(IOException.class, () -> decompress(frame));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }

    @Test
    void dictionaryAndReservedBitsAreRefused() {
        for (int flg : new int[] {0x61, 0x62, 0xA0, 0x20}) {
            byte[] frame = new byte[16];
            Lz4Frame.writeIntLE(Lz4Frame.MAGIC, frame, 0);
            frame[4] = (byte) flg;
            frame[5] = 0x40;
            frame[6] = Lz4Frame.headerChecksum(frame, 4, 2);
            assertThrows(IOException.class, () -> decompress(frame), "FLG " + flg);
        }
    }


    @Test
    void perStreamLevelOverridesTheConfiguredOneAndIsChecked() throws IOException {
        byte[] data = compressibleBytes(500_000);
        codec.configure(level(9));
        byte[] fast = compressAt(data, OptionalInt.empty()); // the configured level: LZ4's fast compressor
        byte[] high = compressAt(data, OptionalInt.of(17));
        assertTrue(high.length < fast.length, high.length + " >= " + fast.length);
        assertArrayEquals(data, decompress(high));
        for (int bad : new int[] {0, 18}) {
            assertThrows(IllegalArgumentException.class, () -> compressAt(data, OptionalInt.of(bad)));
        }
    }
}
