package dev.strata.api.broker;

import dev.strata.api.common.ErrorCode;

/**
 * The outcome of producing to one partition.
 *
 * @param baseOffset the offset of the first record written (or of the duplicate batch already stored), -1 on error
 * @param logAppendTime the broker time stamped on the batch when the topic uses LogAppendTime, else -1
 * @param logStartOffset the partition's log start offset, -1 on error
 * @param message a human-readable reason for the error, or null
 */
public record ProduceResult(ErrorCode error, long baseOffset, long logAppendTime, long logStartOffset,
                            String message) {
    public static ProduceResult error(ErrorCode error, String message) {
        return new ProduceResult(error, -1, -1, -1, message);
    }
}
