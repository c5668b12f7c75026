package dev.strata.api.log;

/**
 * Per-partition settings of a log store, parsed by the broker from the topic's configuration (Kafka names in
 * brackets). Immutable.
 *
 * @param segmentBytes roll the active segment when it would pass this size ({@code segment.bytes})
 * @param segmentMs roll the active segment when its first batch is this old ({@code segment.ms})
 * @param flushMessages fsync after this many messages ({@code flush.messages}); Long.MAX_VALUE leaves it to the OS
 * @param flushMs fsync when the last flush is this old ({@code flush.ms}); Long.MAX_VALUE leaves it to the OS
 * @param indexIntervalBytes bytes of batches between two sparse index entries ({@code index.interval.bytes})
 * @param segmentIndexBytes the maximum size of one segment's offset or time index ({@code segment.index.bytes})
 * @param fileDeleteDelayMs how long the files of a removed segment (retention, DeleteRecords, compaction, a
 *     deleted topic) stay on disk, renamed, before they are deleted ({@code file.delete.delay.ms}), so that reads in
 *     flight complete
 */
public record LogConfig(long segmentBytes, long segmentMs, long flushMessages, long flushMs,
                        int indexIntervalBytes, int segmentIndexBytes, long fileDeleteDelayMs) {

    public static final LogConfig DEFAULT = new LogConfig(1L << 30, 7L * 24 * 60 * 60 * 1000, Long.MAX_VALUE,
            Long.MAX_VALUE, 4096, 10 * 1024 * 1024, 60_000);

    public LogConfig {
        if (segmentBytes < 14) {
            throw new IllegalArgumentException("segment.bytes must be at least 14: " + segmentBytes);
        }
        if (segmentMs < 1 || flushMessages < 1 || flushMs < 0) {
            throw new IllegalArgumentException("segment.ms and flush.messages must be positive, flush.ms >= 0");
        }
        if (indexIntervalBytes < 0 || segmentIndexBytes < 8) {
            throw new IllegalArgumentException("index.interval.bytes >= 0 and segment.index.bytes >= 8 required");
        }
        if (fileDeleteDelayMs < 0) {
            throw new IllegalArgumentException("file.delete.delay.ms must be >= 0: " + fileDeleteDelayMs);
        }
    }
}
