package dev.strata.api.cleaner;

import dev.strata.api.log.PartitionLog;
import java.util.function.BooleanSupplier;

/**
 * One cleaning of one partition log.
 *
 * @param log the log; it stays open and in use (appends, reads, retention) while it is cleaned
 * @param firstDirtyOffset where the part not cleaned yet starts: keys are collected from here on (the log start
 *     offset the first time)
 * @param cleanableEndOffset no segment at or above it is touched: the base offset of the active segment, or of the
 *     first segment younger than {@code min.compaction.lag.ms}
 * @param deleteRetentionMs how long a tombstone stays after the cleaner first saw it in the cleaned part
 *     ({@code delete.retention.ms})
 * @param maxSegmentBytes the largest segment the cleaner may write ({@code segment.bytes}); it groups small
 *     segments into one up to this size
 * @param dedupeBufferBytes memory the cleaner may use for its key map in this cleaning (its share of
 *     {@code log.cleaner.dedupe.buffer.size}); when the dirty part has more keys than fit, it cleans as far as they
 *     fit and reports that offset
 * @param nowMs the time of this cleaning (the clock tombstones are judged by)
 * @param stopRequested polled between batches: true asks the cleaner to give up soon, leaving the log unchanged
 *     or with whole runs swapped
 */
public record CleanRequest(PartitionLog log, long firstDirtyOffset, long cleanableEndOffset, long deleteRetentionMs,
                           int maxSegmentBytes, long dedupeBufferBytes, long nowMs, BooleanSupplier stopRequested) {
}
