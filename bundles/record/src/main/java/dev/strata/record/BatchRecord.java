package dev.strata.record;

import java.nio.ByteBuffer;

/**
 * One record read back from a v2 batch, with its absolute offset. Key, value and header values are read-only views
 * into the batch (or into its decompressed records section) and may be null. Immutable apart from the buffers it
 * shares; safe to pass between threads once read.
 *
 * @param offset    the batch base offset plus the record's offset delta
 * @param timestamp the record's create time, or the batch's max timestamp when the batch uses log append time
 */
public record BatchRecord(long offset, long timestamp, ByteBuffer key, ByteBuffer value,
                          SimpleRecord.Header[] headers) {

    /** The same record as input for a {@link RecordBatchBuilder}, e.g. to recompress a batch. */
    public SimpleRecord toSimpleRecord() {
        return new SimpleRecord(timestamp, key, value, headers);
    }
}
