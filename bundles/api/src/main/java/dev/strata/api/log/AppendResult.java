package dev.strata.api.log;

/**
 * What a log append wrote.
 *
 * @param firstOffset the base offset of the first appended batch
 * @param lastOffset the last offset of the last appended batch
 * @param logEndOffset the log end offset after the append (lastOffset + 1)
 */
public record AppendResult(long firstOffset, long lastOffset, long logEndOffset) {
}
