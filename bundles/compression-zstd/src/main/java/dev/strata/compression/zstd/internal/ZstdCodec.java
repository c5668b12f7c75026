package dev.strata.compression.zstd.internal;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.OptionalInt;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * zstd batches as Kafka writes them: one zstd frame (RFC 8878) over the records section, through zstd-jni's
 * streams. Thread-safe: settings are volatile values read once per stream; the streams are not thread-safe.
 */
@Component(service = CompressionCodec.class, configurationPid = ZstdCodec.PID,
        property = CompressionCodec.PROPERTY_TYPE + "=zstd")
@Designate(ocd = ZstdCodec.Config.class)
public class ZstdCodec implements CompressionCodec {
    static final String PID = "dev.strata.compression.zstd";
    static final int DEFAULT_LEVEL = 3;
    static final int DEFAULT_WINDOW_LOG_MAX = 27;
    // zstd's own bounds (ZSTD_minCLevel() and ZSTD_maxCLevel()), as constants so validation needs no native call.
    private static final int MIN_LEVEL = -131072;
    private static final int MAX_LEVEL = 22;
    private static final int OUTPUT_BUFFER_SIZE = 16 * 1024;

    @ObjectClassDefinition(name = "Strata zstd compression",
            description = "The codec used to read and write zstd-compressed record batches.")
    public @interface Config {
        @AttributeDefinition(name = "Compression level", min = "-131072", max = "22",
                description = "zstd level for batches the broker writes; 3 is zstd's and Kafka's default.")
        int level() default DEFAULT_LEVEL;

        @AttributeDefinition(name = "Largest decompression window (log2 bytes)", min = "10", max = "31",
                description = "Frames that need a larger window are refused instead of allocating it; 27 (128 MiB)"
                        + " is zstd's default limit and covers every level a Kafka producer can choose.")
        int window_log_max() default DEFAULT_WINDOW_LOG_MAX;
    }

    private volatile int level = DEFAULT_LEVEL;
    private volatile int windowLogMax = DEFAULT_WINDOW_LOG_MAX;

    @Activate
    @Modified
    void configure(Config config) {
        checkLevel(config.level());
        if (config.window_log_max() < 10 || config.window_log_max() > 31) {
            throw new IllegalArgumentException("zstd window log max must be in 10..31, not "
                    + config.window_log_max());
        }
        this.level = config.level();
        this.windowLogMax = config.window_log_max();
    }

    private static int checkLevel(int level) {
        if (level < MIN_LEVEL || level > MAX_LEVEL) {
            throw new IllegalArgumentException("zstd level must be in " + MIN_LEVEL + ".." + MAX_LEVEL + ", not "
                    + level);
        }
        return level;
    }

    @Override
    public CompressionType type() {
        return CompressionType.ZSTD;
    }

    @Override
    public OutputStream compress(OutputStream out) throws IOException {
        return compressAt(out, level);
    }

    @Override
    public OutputStream compress(OutputStream out, OptionalInt level) throws IOException {
        return compressAt(out, level.isPresent() ? checkLevel(level.getAsInt()) : this.level);
    }

    private static OutputStream compressAt(OutputStream out, int level) throws IOException {
        // zstd-jni crosses JNI on every write: batch the records encoder's small writes first.
        return new BufferedOutputStream(new ZstdOutputStreamNoFinalizer(out, level), OUTPUT_BUFFER_SIZE);
    }

    @Override
    public InputStream decompress(InputStream in) throws IOException {
        ZstdInputStreamNoFinalizer zstd = new ZstdInputStreamNoFinalizer(in);
        zstd.setLongMax(windowLogMax);
        return new RuntimeToIoExceptions(zstd);
    }

    /** Keeps the codec contract (corrupt input is an IOException) should the library throw unchecked errors. */
    private static final class RuntimeToIoExceptions extends FilterInputStream {
        RuntimeToIoExceptions(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (RuntimeException e) {
                throw new IOException("zstd: " + e.getMessage(), e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (RuntimeException e) {
                throw new IOException("zstd: " + e.getMessage(), e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return in.skip(n);
            } catch (RuntimeException e) {
                throw new IOException("zstd: " + e.getMessage(), e);
            }
        }
    }
}
