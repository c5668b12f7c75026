package dev.strata.api.common;

/** Which records a fetch may see: everything below the high watermark, or only committed transactions. */
public enum IsolationLevel {
    READ_UNCOMMITTED((byte) 0),
    READ_COMMITTED((byte) 1);

    private final byte id;

    IsolationLevel(byte id) {
        this.id = id;
    }

    public byte id() {
        return id;
    }

    public static IsolationLevel forId(byte id) {
        return id == 1 ? READ_COMMITTED : READ_UNCOMMITTED;
    }
}
