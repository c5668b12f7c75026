package dev.strata.api.broker;

import dev.strata.api.common.ErrorCode;

/** The outcome of a ListOffsets lookup: an offset and the timestamp it was found for (-1 when not applicable). */
public record ListOffsetResult(ErrorCode error, long timestamp, long offset) {
    /** Special timestamps of the ListOffsets request. */
    public static final long LATEST_TIMESTAMP = -1L;
    public static final long EARLIEST_TIMESTAMP = -2L;
    public static final long MAX_TIMESTAMP = -3L;
}
