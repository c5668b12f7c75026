package dev.strata.api.cleaner;

/**
 * What one cleaning did.
 *
 * @param nextDirtyOffset where the next cleaning's dirty part starts (every key below it was deduplicated)
 * @param bytesRead bytes of batches read
 * @param bytesWritten bytes of batches written to cleaned segments
 * @param recordsRead records read
 * @param recordsRemoved records dropped (older values of a key, expired tombstones)
 * @param segmentsRewritten segments replaced
 * @param durationMs time the cleaning took
 */
public record CleanResult(long nextDirtyOffset, long bytesRead, long bytesWritten, long recordsRead,
                          long recordsRemoved, int segmentsRewritten, long durationMs) {
}
