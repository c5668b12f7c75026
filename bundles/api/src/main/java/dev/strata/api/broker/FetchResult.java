package dev.strata.api.broker;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.LogSlice;

/**
 * The outcome of a fetch for one partition. On error the offsets are -1 and {@code records} is empty.
 * {@code records} holds the log it was read from: whoever receives the result calls {@link LogSlice#release()} once
 * it has sent or read it (or decides not to).
 *
 * @param lastStableOffset the offset below which no transaction is open (equal to the high watermark for now)
 */
public record FetchResult(TopicPartition tp, ErrorCode error, long highWatermark, long lastStableOffset,
                          long logStartOffset, LogSlice records) {
    public static FetchResult error(TopicPartition tp, ErrorCode error) {
        return new FetchResult(tp, error, -1, -1, -1, LogSlice.EMPTY);
    }
}
