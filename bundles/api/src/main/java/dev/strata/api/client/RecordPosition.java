package dev.strata.api.client;

/**
 * Where a sent record was stored.
 *
 * @param timestamp the record's timestamp as stored: its create time, or the broker's time when the topic uses
 *     {@code LogAppendTime}
 */
public record RecordPosition(String topic, int partition, long offset, long timestamp) {
}
