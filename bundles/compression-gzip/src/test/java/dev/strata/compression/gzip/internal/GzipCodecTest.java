package dev.strata.compression.gzip.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.compression.CompressionCodec;
import dev.strata.compression.testkit.CodecContractTest;
import java.io.IOException;
import java.util.OptionalInt;
import java.lang.annotation.Annotation;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;

class GzipCodecTest extends CodecContractTest {
    private final GzipCodec codec = new GzipCodec();

    @Override
    protected CompressionCodec codec() {
        return codec;
    }

    @Override
    protected Compression kafkaCompression() {
        return Compression.gzip().build();
    }

    private static GzipCodec.Config level(int level) {
        return new GzipCodec.Config() {
            @Override
            public int level() {
                return level;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return GzipCodec.Config.class;
            }
        };
    }

    @Test
    void levelIsConfigurableAndChecked() throws IOException {
        byte[] data = compressibleBytes(500_000);
        codec.configure(level(1));
        int fast = compress(data).length;
        codec.configure(level(9));
        byte[] small = compress(data);
        assertTrue(small.length <= fast, small.length + " > " + fast);
        assertEquals(data.length, decompress(small).length);
        assertThrows(IllegalArgumentException.class, () -> codec.configure(level(10)));
    }

    @Test
    void writesGzipMagic() throws IOException {
        byte[] c = compress(new byte[] {1, 2, 3});
        assertEquals(0x1f, c[0] & 0xFF);
        assertEquals(0x8b, c[1] & 0xFF);
    }


    @Test
    void perStreamLevelOverridesTheConfiguredOneAndIsChecked() throws IOException {
        byte[] data = compressibleBytes(500_000);
        codec.configure(level(9));
        byte[] fast = compressAt(data, OptionalInt.of(1));
        byte[] small = compressAt(data, OptionalInt.of(9));
        assertTrue(small.length < fast.length, small.length + " >= " + fast.length);
        assertArrayEquals(data, decompress(fast));
        assertEquals(small.length, compressAt(data, OptionalInt.empty()).length); // the configured level
        assertTrue(compressAt(data, OptionalInt.of(-1)).length < fast.length); // zlib's default, 6
        for (int bad : new int[] {0, -2, 10}) {
            assertThrows(IllegalArgumentException.class, () -> compressAt(data, OptionalInt.of(bad)));
        }
    }
}
