package dev.strata.compression.lz4.internal;

import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.OptionalInt;
import net.jpountz.lz4.LZ4Compressor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * lz4 batches as Kafka writes them: one LZ4 frame (see {@link Lz4Frame}) over the records section. Thread-safe: the
 * compressor is chosen on (re)configuration and lz4-java compressors are thread-safe; the streams are not.
 */
@Component(service = CompressionCodec.class, configurationPid = Lz4Codec.PID,
        property = CompressionCodec.PROPERTY_TYPE + "=lz4")
@Designate(ocd = Lz4Codec.Config.class)
public class Lz4Codec implements CompressionCodec {
    static final String PID = "dev.strata.compression.lz4";
    /** Kafka's default lz4 level, for which it uses the fast (non-HC) compressor. */
    static final int DEFAULT_LEVEL = 9;

    @ObjectClassDefinition(name = "Strata lz4 compression",
            description = "The codec used to read and write lz4-compressed record batches.")
    public @interface Config {
        @AttributeDefinition(name = "Compression level", min = "1", max = "17",
                description = "As Kafka's compression.lz4.level: 9 (the default) uses LZ4's fast compressor, any "
                        + "other level LZ4 HC at that level (slower, smaller).")
        int level() default DEFAULT_LEVEL;
    }

    private volatile LZ4Compressor compressor = compressorFor(DEFAULT_LEVEL);

    @Activate
    @Modified
    void configure(Config config) {
        this.compressor = compressorFor(config.level());
    }

    /** Kafka's lz4 levels, 1..17. lz4-java caches its compressors, so a per-stream lookup allocates nothing. */
    private static LZ4Compressor compressorFor(int level) {
        if (level < 1 || level > 17) {
            throw new IllegalArgumentException("lz4 level must be in 1..17, not " + level);
        }
        return level == DEFAULT_LEVEL ? Lz4Frame.LZ4.fastCompressor() : Lz4Frame.LZ4.highCompressor(level);
    }

    @Override
    public CompressionType type() {
        return CompressionType.LZ4;
    }

    @Override
    public OutputStream compress(OutputStream out) throws IOException {
        return new Lz4FrameOutputStream(out, compressor);
    }

    @Override
    public OutputStream compress(OutputStream out, OptionalInt level) throws IOException {
        return new Lz4FrameOutputStream(out, level.isPresent() ? compressorFor(level.getAsInt()) : compressor);
    }

    @Override
    public InputStream decompress(InputStream in) throws IOException {
        return new Lz4FrameInputStream(in);
    }
}
