package dev.strata.api.client;

import java.util.List;

/** A record read back; key, value and header values may be null. The arrays belong to the caller. */
public record ConsumedRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
                             List<RecordHeader> headers) {
    public ConsumedRecord {
        headers = List.copyOf(headers);
    }
}
