package dev.strata.record;

import java.nio.ByteBuffer;

/**
 * A record to write or one read back: key and value may be null; header values may be null.
 *
 * @param timestamp create time in ms
 */
public record SimpleRecord(long timestamp, ByteBuffer key, ByteBuffer value, Header[] headers) {
    /** A record header. */
    public record Header(String key, ByteBuffer value) {
    }

    public SimpleRecord(long timestamp, byte[] key, byte[] value) {
        this(timestamp, key == null ? null : ByteBuffer.wrap(key), value == null ? null : ByteBuffer.wrap(value),
                new Header[0]);
    }
}
