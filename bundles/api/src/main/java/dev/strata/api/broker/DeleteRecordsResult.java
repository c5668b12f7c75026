package dev.strata.api.broker;

import dev.strata.api.common.ErrorCode;

/** The outcome of DeleteRecords for one partition: the new low watermark (log start offset), or an error. */
public record DeleteRecordsResult(ErrorCode error, long lowWatermark) {
}
