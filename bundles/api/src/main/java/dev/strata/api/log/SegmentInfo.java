package dev.strata.api.log;

/**
 * One segment of a partition log, as retention and the cleaner choose what to delete or compact.
 *
 * @param baseOffset the segment's first possible offset (its name)
 * @param nextOffset one past the last offset written to it (the next segment's base offset, or the log end offset
 *     for the active segment)
 * @param sizeInBytes bytes of batches in it
 * @param largestTimestamp the largest batch max timestamp in it, or -1 when it holds no batch
 * @param lastModifiedMs when it was last written (the file's time), which Kafka's time retention falls back to
 */
public record SegmentInfo(long baseOffset, long nextOffset, long sizeInBytes, long largestTimestamp,
                          long lastModifiedMs) {

    /** The time retention and the cleaner judge the segment's age by (Kafka: largest timestamp, else mtime). */
    public long retentionTimestamp() {
        return largestTimestamp >= 0 ? largestTimestamp : lastModifiedMs;
    }
}
