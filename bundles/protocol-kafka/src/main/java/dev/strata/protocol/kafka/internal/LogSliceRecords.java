package dev.strata.protocol.kafka.internal;

import dev.strata.api.log.LogSlice;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.RecordsSend;

/**
 * Record data of a fetch response that stays in the log file: its size is counted by the generated response
 * classes, and {@link ZeroCopyResponseWriter} sends it as a file region instead of copying it. Immutable.
 */
final class LogSliceRecords implements BaseRecords {
    private final LogSlice slice;

    LogSliceRecords(LogSlice slice) {
        this.slice = slice;
    }

    LogSlice slice() {
        return slice;
    }

    @Override
    public int sizeInBytes() {
        return slice.size();
    }

    @Override
    public RecordsSend<? extends BaseRecords> toSend() {
        throw new UnsupportedOperationException("log slices are written by ZeroCopyResponseWriter");
    }
}
