package dev.strata.api.compression;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.OptionalInt;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A batch compression codec, registered as an OSGi service by its own bundle with the service property
 * {@value #PROPERTY_TYPE} set to {@link CompressionType#configName()}. The codec compresses the records section
 * of a v2 record batch exactly as Kafka's producer does, so a batch written by a stock client can be read back
 * here and vice versa. Implementations are thread-safe; the streams they return are not.
 */
// Codec bundles implement it, possibly third parties: a new method is a major change.
@ConsumerType
public interface CompressionCodec {
    /** Service property naming the compression type this codec implements (for example {@code lz4}). */
    String PROPERTY_TYPE = "strata.compression.type";

    CompressionType type();

    /** Wraps {@code out} so that bytes written are compressed; closing the result finishes the frame. */
    OutputStream compress(OutputStream out) throws IOException;

    /**
     * Like {@link #compress(OutputStream)}, at {@code level} instead of the codec's configured level when one is
     * given: the broker passes a topic's {@code compression.<type>.level} (KIP-390) when it recompresses. The
     * default ignores the level (codecs without levels, such as snappy). Implementations with levels refuse a level
     * outside their range with an {@link IllegalArgumentException}.
     *
     * @since 1.1
     */
    default OutputStream compress(OutputStream out, OptionalInt level) throws IOException {
        return compress(out);
    }

    /** Wraps {@code in} so that bytes read are decompressed. A corrupt stream raises an {@link IOException}. */
    InputStream decompress(InputStream in) throws IOException;
}
