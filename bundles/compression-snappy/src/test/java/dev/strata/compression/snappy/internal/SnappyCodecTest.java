package dev.strata.compression.snappy.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.api.compression.CompressionCodec;
import dev.strata.compression.testkit.CodecContractTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class SnappyCodecTest extends CodecContractTest {
    private final SnappyCodec codec = new SnappyCodec();

    @Override
    protected CompressionCodec codec() {
        return codec;
    }

    @Override
    protected Compression kafkaCompression() {
        return Compression.snappy().build();
    }

    @Test
    void writesXerialHeader() throws IOException {
        byte[] c = compress(new byte[] {1, 2, 3});
        assertEquals(0x82, c[0] & 0xFF);
        assertEquals("SNAPPY", new String(c, 1, 6, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(1, ByteBuffer.wrap(c, 8, 4).getInt());
    }

    @Test
    void readsBareSnappyBlock() throws IOException {
        byte[] data = compressibleBytes(100_000);
        assertArrayEquals(data, decompress(Snappy.compress(data)));
    }

    @Test
    void readsConcatenatedStreams() throws IOException {
        byte[] a = compressibleBytes(50_000);
        byte[] b = randomBytes(40_000, 9);
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(compress(a));
        both.write(compress(b));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(a);
        expected.write(b);
        assertArrayEquals(expected.toByteArray(), decompress(both.toByteArray()));
    }

    @Test
    void hugeDeclaredLengthsAreRefusedWithoutAllocating() throws IOException {
        byte[] header = compress(new byte[0]);
        // A block that claims Integer.MAX_VALUE compressed bytes but carries three.
        ByteArrayOutputStream bogusLength = new ByteArrayOutputStream();
        bogusLength.write(header, 0, 16);
        bogusLength.write(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});
        assertThrows(IOException.class, () -> decompress(bogusLength.toByteArray()));
        // A 5-byte block whose varint claims ~2 GiB uncompressed.
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        bomb.write(header, 0, 16);
        bomb.write(new byte[] {0, 0, 0, 5, (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07});
        assertThrows(IOException.class, () -> decompress(bomb.toByteArray()));
    }
}
