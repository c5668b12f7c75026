package dev.strata.api.compression;

import java.util.Locale;

/** Kafka's batch compression types, by the id stored in the low three bits of a batch's attributes. */
public enum CompressionType {
    NONE(0, "none"),
    GZIP(1, "gzip"),
    SNAPPY(2, "snappy"),
    LZ4(3, "lz4"),
    ZSTD(4, "zstd");

    private final int id;
    private final String configName;

    CompressionType(int id, String configName) {
        this.id = id;
        this.configName = configName;
    }

    public int id() {
        return id;
    }

    /** The name used by {@code compression.type} ("uncompressed" is spelled {@code none} here). */
    public String configName() {
        return configName;
    }

    /** @throws IllegalArgumentException for an id Kafka does not define (5, 6, 7). */
    public static CompressionType forId(int id) {
        for (CompressionType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown compression type id " + id);
    }

    /** Accepts the codec names of {@code compression.type}, plus "uncompressed" for {@link #NONE}. */
    public static CompressionType forName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("uncompressed")) {
            return NONE;
        }
        for (CompressionType t : values()) {
            if (t.configName.equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown compression type " + name);
    }
}
