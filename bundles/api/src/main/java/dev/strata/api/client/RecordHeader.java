package dev.strata.api.client;

import java.util.Objects;

/** A record header: a key and a value that may be null. The array is not copied: do not change it. */
public record RecordHeader(String key, byte[] value) {
    public RecordHeader {
        Objects.requireNonNull(key, "header key");
    }
}
