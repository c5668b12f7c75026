package dev.strata.api.log;

/** A timestamp and the offset of the record batch it was found in. */
public record TimestampOffset(long timestamp, long offset) {
}
