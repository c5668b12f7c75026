package dev.strata.api.client;

import java.util.List;
import java.util.Objects;

/**
 * A record to send. The arrays are not copied: do not change them until the send completes.
 *
 * @param partition the partition, or null to let the partitioner choose
 * @param key may be null
 * @param value may be null
 * @param timestamp create time in ms, or null for the time of the send
 * @param partitioner the name of the partitioner for this record ({@code strata.partitioner.name}), or null for the
 *     topic's
 */
public record OutgoingRecord(String topic, Integer partition, byte[] key, byte[] value, List<RecordHeader> headers,
                             Long timestamp, String partitioner) {
    public OutgoingRecord {
        Objects.requireNonNull(topic, "topic");
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    public static OutgoingRecord of(String topic, byte[] key, byte[] value) {
        return new OutgoingRecord(topic, null, key, value, List.of(), null, null);
    }

    public OutgoingRecord withHeaders(List<RecordHeader> newHeaders) {
        return new OutgoingRecord(topic, partition, key, value, newHeaders, timestamp, partitioner);
    }

    public OutgoingRecord withPartition(int newPartition) {
        return new OutgoingRecord(topic, newPartition, key, value, headers, timestamp, partitioner);
    }

    public OutgoingRecord withPartitioner(String name) {
        return new OutgoingRecord(topic, partition, key, value, headers, timestamp, name);
    }

    public OutgoingRecord withTimestamp(long newTimestamp) {
        return new OutgoingRecord(topic, partition, key, value, headers, newTimestamp, partitioner);
    }
}
