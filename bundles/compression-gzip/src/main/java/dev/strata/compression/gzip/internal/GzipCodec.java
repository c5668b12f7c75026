package dev.strata.compression.gzip.internal;

import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.OptionalInt;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * gzip batches as Kafka writes them: one gzip member (RFC 1952) over the records section, via the JDK's streams.
 * Reading accepts anything {@link GZIPInputStream} does (several members, any level). Thread-safe: the level is
 * a volatile value read once per stream; the streams themselves are not thread-safe.
 */
@Component(service = CompressionCodec.class, configurationPid = GzipCodec.PID,
        property = CompressionCodec.PROPERTY_TYPE + "=gzip")
@Designate(ocd = GzipCodec.Config.class)
public class GzipCodec implements CompressionCodec {
    static final String PID = "dev.strata.compression.gzip";
    private static final int BUFFER_SIZE = 8 * 1024;

    @ObjectClassDefinition(name = "Strata gzip compression",
            description = "The codec used to read and write gzip-compressed record batches.")
    public @interface Config {
        @AttributeDefinition(name = "Compression level", min = "-1", max = "9",
                description = "1 (fastest) to 9 (smallest); -1 is zlib's default (6), as in Kafka's "
                        + "compression.gzip.level.")
        int level() default Deflater.DEFAULT_COMPRESSION;
    }

    private volatile int level = Deflater.DEFAULT_COMPRESSION;

    @Activate
    @Modified
    void configure(Config config) {
        this.level = checkLevel(config.level());
    }

    /** Kafka's gzip levels: zlib's default (-1) or 1..9. */
    private static int checkLevel(int l) {
        if (l != Deflater.DEFAULT_COMPRESSION && (l < Deflater.BEST_SPEED || l > Deflater.BEST_COMPRESSION)) {
            throw new IllegalArgumentException("gzip level must be -1 or 1..9, not " + l);
        }
        return l;
    }

    @Override
    public CompressionType type() {
        return CompressionType.GZIP;
    }

    @Override
    public OutputStream compress(OutputStream out) throws IOException {
        return compressAt(out, level);
    }

    @Override
    public OutputStream compress(OutputStream out, OptionalInt level) throws IOException {
        return compressAt(out, level.isPresent() ? checkLevel(level.getAsInt()) : this.level);
    }

    private static OutputStream compressAt(OutputStream out, int l) throws IOException {
        GZIPOutputStream gzip = new GZIPOutputStream(out, BUFFER_SIZE) {
            {
                def.setLevel(l);
            }
        };
        // The records encoder writes small fields; batch them before they reach the deflater.
        return new BufferedOutputStream(gzip, 2 * BUFFER_SIZE);
    }

    @Override
    public InputStream decompress(InputStream in) throws IOException {
        return new GZIPInputStream(in, BUFFER_SIZE);
    }
}
