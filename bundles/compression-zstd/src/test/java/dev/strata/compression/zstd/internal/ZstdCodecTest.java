package dev.strata.compression.zstd.internal;

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

class ZstdCodecTest extends CodecContractTest {
    private final ZstdCodec codec = new ZstdCodec();

    @Override
    protected CompressionCodec codec() {
        return codec;
    }

    @Override
    protected Compression kafkaCompression() {
        return Compression.zstd().build();
    }

    private static ZstdCodec.Config config(int level, int windowLogMax) {
        return new ZstdCodec.Config() {
            @Override
            public int level() {
                return level;
            }

            @Override
            public int window_log_max() {
                return windowLogMax;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return ZstdCodec.Config.class;
            }
        };
    }

    @Test
    void writesZstdFrameMagic() throws IOException {
        byte[] c = compress(new byte[] {1, 2, 3});
        assertEquals(0x28, c[0] & 0xFF);
        assertEquals(0xB5, c[1] & 0xFF);
        assertEquals(0x2F, c[2] & 0xFF);
        assertEquals(0xFD, c[3] & 0xFF);
    }

    @Test
    void levelIsConfigurableAndChecked() throws IOException {
        byte[] data = compressibleBytes(500_000);
        codec.configure(config(19, 27));
        byte[] high = compress(data);
        codec.configure(config(-5, 27));
        byte[] fast = compress(data);
        assertTrue(high.length < fast.length, high.length + " >= " + fast.length);
        assertArrayEquals(data, decompress(high));
        assertThrows(IllegalArgumentException.class, () -> codec.configure(config(23, 27)));
    }

    @Test
    void framesNeedingALargerWindowThanAllowedAreRefused() throws IOException {
        codec.configure(config(19, 27)); // level 19 uses an 8 MiB window
        byte[] compressed = compress(randomBytes(4 << 20, 1));
        codec.configure(config(3, 20)); // 1 MiB
        assertThrows(IOException.class, () -> decompress(compressed));
    }


    @Test
    void perStreamLevelOverridesTheConfiguredOneAndIsChecked() throws IOException {
        byte[] data = compressibleBytes(500_000);
        codec.configure(config(19, 27));
        byte[] fast = compressAt(data, OptionalInt.of(-5));
        byte[] high = compressAt(data, OptionalInt.of(19));
        assertTrue(high.length < fast.length, high.length + " >= " + fast.length);
        assertArrayEquals(data, decompress(fast));
        assertEquals(high.length, compressAt(data, OptionalInt.empty()).length); // the configured level
        for (int bad : new int[] {-131073, 23}) {
            assertThrows(IllegalArgumentException.class, () -> compressAt(data, OptionalInt.of(bad)));
        }
    }
}
