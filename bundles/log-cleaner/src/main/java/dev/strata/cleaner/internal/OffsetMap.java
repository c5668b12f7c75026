package dev.strata.cleaner.internal;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Key hash to latest offset, in a fixed block of memory (Kafka's {@code SkimpyOffsetMap}): each slot holds the
 * 16-byte MD5 of a key and an 8-byte offset, found by open addressing. Keys themselves are not kept, so two keys
 * with the same MD5 would count as one; MD5's 128 bits make that negligible, as Kafka argues. Not thread-safe: one
 * cleaning uses it at a time.
 */
final class OffsetMap {
    static final int HASH_SIZE = 16;
    static final int ENTRY_SIZE = HASH_SIZE + 8;
    /** Kafka's {@code log.cleaner.io.buffer.load.factor}: the map counts as full at 90% of its slots. */
    static final double LOAD_FACTOR = 0.9;

    private final byte[] memory;
    private final ByteBuffer bytes;
    private final MessageDigest digest;
    private final byte[] hash = new byte[HASH_SIZE];
    private final byte[] probe = new byte[HASH_SIZE];
    private int slots;
    private int entries;
    private long latestOffset = -1;

    /** @param capacityBytes the largest {@link #reset} this map may be given */
    OffsetMap(int capacityBytes) {
        this.memory = new byte[Math.max(ENTRY_SIZE, capacityBytes - capacityBytes % ENTRY_SIZE)];
        this.bytes = ByteBuffer.wrap(memory);
        try {
            this.digest = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JVM has no MD5", e);
        }
        this.slots = memory.length / ENTRY_SIZE;
    }

    int capacityBytes() {
        return memory.length;
    }

    /** Empties the map and limits it to {@code bytes} of its memory (a cleaning's share of the dedupe buffer). */
    void reset(long limitBytes) {
        int used = slots * ENTRY_SIZE;
        Arrays.fill(memory, 0, used, (byte) 0);
        slots = (int) Math.max(1, Math.min(memory.length, limitBytes) / ENTRY_SIZE);
        entries = 0;
        latestOffset = -1;
    }

    int slots() {
        return slots;
    }

    int size() {
        return entries;
    }

    /** True once another new key would pass the load factor. */
    boolean isFull() {
        return entries >= (int) (slots * LOAD_FACTOR);
    }

    /** The largest offset put so far, or -1. */
    long latestOffset() {
        return latestOffset;
    }

    void put(ByteBuffer key, long offset) {
        hashInto(key, hash);
        int attempt = 0;
        int position = positionOf(hash, attempt);
        while (!isEmpty(position)) {
            if (sameHash(position)) {
                bytes.putLong(position + HASH_SIZE, offset);
                latestOffset = Math.max(latestOffset, offset);
                return;
            }
            position = positionOf(hash, ++attempt);
        }
        System.arraycopy(hash, 0, memory, position, HASH_SIZE);
        bytes.putLong(position + HASH_SIZE, offset);
        entries++;
        latestOffset = Math.max(latestOffset, offset);
    }

    /** The latest offset put for {@code key}, or -1. */
    long get(ByteBuffer key) {
        hashInto(key, probe);
        int attempt = 0;
        int position = positionOf(probe, attempt);
        // The map is never full (load factor), so an empty slot always ends the probe.
        while (!isEmpty(position)) {
            if (Arrays.equals(memory, position, position + HASH_SIZE, probe, 0, HASH_SIZE)) {
                return bytes.getLong(position + HASH_SIZE);
            }
            position = positionOf(probe, ++attempt);
        }
        return -1;
    }

    private boolean sameHash(int position) {
        return Arrays.equals(memory, position, position + HASH_SIZE, hash, 0, HASH_SIZE);
    }

    private boolean isEmpty(int position) {
        return bytes.getLong(position) == 0 && bytes.getLong(position + 8) == 0
                && bytes.getLong(position + HASH_SIZE) == 0;
    }

    /** Kafka's probing: successive 4-byte windows of the hash, then linear steps once they run out. */
    private int positionOf(byte[] h, int attempt) {
        int window = Math.min(attempt, HASH_SIZE - 4);
        int value = ((h[window] & 0xff) << 24) | ((h[window + 1] & 0xff) << 16) | ((h[window + 2] & 0xff) << 8)
                | (h[window + 3] & 0xff);
        long probeValue = (value & 0x7fffffffL) + Math.max(0, attempt - HASH_SIZE + 4);
        return (int) (probeValue % slots) * ENTRY_SIZE;
    }

    private void hashInto(ByteBuffer key, byte[] out) {
        digest.update(key.duplicate());
        try {
            digest.digest(out, 0, HASH_SIZE);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
    }
}
