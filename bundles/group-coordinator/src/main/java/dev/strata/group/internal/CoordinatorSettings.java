package dev.strata.group.internal;

/**
 * The coordinator's settings, resolved from {@link GroupCoordinatorConfig} (or built directly by tests).
 * Immutable.
 */
record CoordinatorSettings(int offsetsTopicPartitions, short offsetsTopicReplicationFactor,
                           int minSessionTimeoutMs, int maxSessionTimeoutMs, int initialRebalanceDelayMs,
                           int maxGroupSize, long offsetsRetentionMs, long offsetsRetentionCheckIntervalMs,
                           int offsetMetadataMaxBytes, int offsetsCommitTimeoutMs, int offsetsLoadBufferSize) {

    static CoordinatorSettings defaults() {
        return new CoordinatorSettings(50, (short) -1, 6000, 1800000, 3000, Integer.MAX_VALUE,
                7L * 24 * 60 * 60 * 1000, 600000, 4096, 5000, 5 * 1024 * 1024);
    }

    static CoordinatorSettings from(GroupCoordinatorConfig c) {
        return new CoordinatorSettings(Math.max(1, c.offsets_topic_num_partitions()),
                c.offsets_topic_replication_factor(), c.group_min_session_timeout_ms(),
                c.group_max_session_timeout_ms(), Math.max(0, c.group_initial_rebalance_delay_ms()),
                c.group_max_size() <= 0 ? Integer.MAX_VALUE : c.group_max_size(),
                c.offsets_retention_minutes() * 60_000L, Math.max(1000, c.offsets_retention_check_interval_ms()),
                c.offset_metadata_max_bytes(), c.offsets_commit_timeout_ms(),
                Math.max(64 * 1024, c.offsets_load_buffer_size()));
    }

    CoordinatorSettings withInitialRebalanceDelayMs(int ms) {
        return new CoordinatorSettings(offsetsTopicPartitions, offsetsTopicReplicationFactor, minSessionTimeoutMs,
                maxSessionTimeoutMs, ms, maxGroupSize, offsetsRetentionMs, offsetsRetentionCheckIntervalMs,
                offsetMetadataMaxBytes, offsetsCommitTimeoutMs, offsetsLoadBufferSize);
    }
}
