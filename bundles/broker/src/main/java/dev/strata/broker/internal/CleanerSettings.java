package dev.strata.broker.internal;

import java.util.Map;

/**
 * The log cleaner's settings: the broker-only {@code log.cleaner.*} keys, parsed from {@link BrokerSettings#raw()},
 * and the per-topic ones read through {@link TopicConfigs#effective}. Defaults are Kafka 4.1's. Immutable:
 * thread-safe.
 *
 * @param enable {@code log.cleaner.enable}
 * @param threads {@code log.cleaner.threads}
 * @param dedupeBufferSize {@code log.cleaner.dedupe.buffer.size}, shared by the threads
 * @param backoffMs {@code log.cleaner.backoff.ms}: how long a thread sleeps when no log needs cleaning
 */
record CleanerSettings(boolean enable, int threads, long dedupeBufferSize, long backoffMs) {
    static final String ENABLE = "log.cleaner.enable";
    static final String THREADS = "log.cleaner.threads";
    static final String DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    static final String BACKOFF_MS = "log.cleaner.backoff.ms";

    static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
    static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
    static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
    static final String DELETE_RETENTION_MS = "delete.retention.ms";

    static final long DEFAULT_DEDUPE_BUFFER_SIZE = 128L * 1024 * 1024;
    static final long DEFAULT_BACKOFF_MS = 15_000;

    /** @throws IllegalArgumentException naming the bad key */
    static CleanerSettings of(BrokerSettings broker) {
        return new CleanerSettings(broker.boolValue(ENABLE, true), broker.intValue(THREADS, 1, 0),
                broker.longValue(DEDUPE_BUFFER_SIZE, DEFAULT_DEDUPE_BUFFER_SIZE, 0),
                broker.longValue(BACKOFF_MS, DEFAULT_BACKOFF_MS, 0));
    }

    /** Each thread's share of the dedupe buffer (Kafka caps a thread's map at 2 GiB). */
    long dedupeBufferPerThread() {
        return Math.min(Integer.MAX_VALUE, dedupeBufferSize / Math.max(1, threads));
    }

    /** Whether a topic's {@code cleanup.policy} includes {@code compact}. */
    static boolean compacted(Map<String, String> overrides, BrokerSettings broker) {
        return TopicConfigs.cleanupPolicyIncludes("compact", overrides, broker);
    }

    /** The per-topic settings of one compacted topic. */
    record Topic(double minCleanableRatio, long minCompactionLagMs, long maxCompactionLagMs,
                 long deleteRetentionMs, int segmentBytes) {

        static Topic of(Map<String, String> overrides, BrokerSettings broker) {
            return new Topic(Double.parseDouble(TopicConfigs.effective(MIN_CLEANABLE_DIRTY_RATIO, overrides, broker)),
                    Long.parseLong(TopicConfigs.effective(MIN_COMPACTION_LAG_MS, overrides, broker)),
                    Long.parseLong(TopicConfigs.effective(MAX_COMPACTION_LAG_MS, overrides, broker)),
                    Long.parseLong(TopicConfigs.effective(DELETE_RETENTION_MS, overrides, broker)),
                    Integer.parseInt(TopicConfigs.effective(TopicConfigs.SEGMENT_BYTES, overrides, broker)));
        }
    }
}
