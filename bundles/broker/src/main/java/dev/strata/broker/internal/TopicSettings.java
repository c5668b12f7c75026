package dev.strata.broker.internal;

import dev.strata.api.compression.CompressionType;
import dev.strata.api.log.LogConfig;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The effective settings of one topic that the write path needs (broker defaults plus topic overrides), computed
 * once per change. Immutable: thread-safe.
 *
 * @param storedCompression what {@code compression.type} makes the log hold: null for {@code producer} (batches
 *     are stored as sent), otherwise the type every batch is stored in ({@link CompressionType#NONE} for
 *     {@code uncompressed})
 * @param storedCompressionLevel the level for {@code storedCompression} when the broker recompresses (topic or
 *     broker {@code compression.<type>.level}); empty: the codec's configured level
 * @param retention what retention deletes ({@code cleanup.policy} with {@code delete}, {@code retention.ms},
 *     {@code retention.bytes})
 * @param compacted whether {@code cleanup.policy} includes {@code compact} (records need a key)
 */
record TopicSettings(int maxMessageBytes, boolean logAppendTime, long timestampBeforeMaxMs,
                     long timestampAfterMaxMs, LogConfig logConfig, CompressionType storedCompression,
                     OptionalInt storedCompressionLevel, RetentionPolicy retention, boolean compacted) {

    static TopicSettings of(Map<String, String> overrides, BrokerSettings broker) {
        CompressionType stored = TopicConfigs.storedCompression(overrides, broker);
        return new TopicSettings(TopicConfigs.maxMessageBytes(overrides, broker),
                TopicConfigs.logAppendTime(overrides, broker),
                Long.parseLong(TopicConfigs.effective(TopicConfigs.TIMESTAMP_BEFORE_MAX_MS, overrides, broker)),
                Long.parseLong(TopicConfigs.effective(TopicConfigs.TIMESTAMP_AFTER_MAX_MS, overrides, broker)),
                TopicConfigs.logConfig(overrides, broker),
                stored,
                stored == null ? OptionalInt.empty() : TopicConfigs.compressionLevel(stored, overrides, broker),
                RetentionPolicy.of(overrides, broker),
                CleanerSettings.compacted(overrides, broker));
    }

    /**
     * Upper bound on a compressed batch's decompressed records section, refused beyond it rather than allocated:
     * {@value #MAX_DECOMPRESSION_RATIO} times {@code max.message.bytes} (taken as at least 64 KiB), at most
     * {@value #MAX_DECOMPRESSED_BYTES_LIMIT} bytes.
     */
    int maxDecompressedBytes() {
        long cap = Math.max(maxMessageBytes, 64 * 1024) * (long) MAX_DECOMPRESSION_RATIO;
        return (int) Math.min(cap, MAX_DECOMPRESSED_BYTES_LIMIT);
    }

    /** Compression ratio above which a batch counts as a decompression bomb (JSON-like data reaches ~10-20). */
    static final int MAX_DECOMPRESSION_RATIO = 64;
    /** Absolute cap of {@link #maxDecompressedBytes()}, whatever {@code max.message.bytes} says. */
    static final int MAX_DECOMPRESSED_BYTES_LIMIT = 512 * 1024 * 1024;

    /** The oldest CreateTime accepted at {@code nowMs} ({@code message.timestamp.before.max.ms}). */
    long minTimestamp(long nowMs) {
        return timestampBeforeMaxMs >= nowMs ? Long.MIN_VALUE : nowMs - timestampBeforeMaxMs;
    }

    /** The newest CreateTime accepted at {@code nowMs} ({@code message.timestamp.after.max.ms}). */
    long maxTimestamp(long nowMs) {
        return timestampAfterMaxMs > Long.MAX_VALUE - nowMs ? Long.MAX_VALUE : nowMs + timestampAfterMaxMs;
    }
}
