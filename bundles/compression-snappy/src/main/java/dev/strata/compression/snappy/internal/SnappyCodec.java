package dev.strata.compression.snappy.internal;

import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.osgi.service.component.annotations.Component;
import org.xerial.snappy.SnappyOutputStream;

/**
 * snappy batches as Kafka writes them: snappy-java's "xerial" framing (a 16-byte header, then length-prefixed
 * snappy blocks of up to 32 KiB) written by {@link SnappyOutputStream}. Reading uses {@link XerialSnappyInputStream},
 * which also accepts a bare snappy block (as some non-Java clients send) and bounds every allocation. Thread-safe
 * (stateless); the streams are not thread-safe.
 */
@Component(service = CompressionCodec.class, property = CompressionCodec.PROPERTY_TYPE + "=snappy")
public class SnappyCodec implements CompressionCodec {

    @Override
    public CompressionType type() {
        return CompressionType.SNAPPY;
    }

    @Override
    public OutputStream compress(OutputStream out) {
        return new SnappyOutputStream(out);
    }

    @Override
    public InputStream decompress(InputStream in) throws IOException {
        return new XerialSnappyInputStream(in);
    }
}
