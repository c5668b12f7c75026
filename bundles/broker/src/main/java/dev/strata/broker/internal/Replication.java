package dev.strata.broker.internal;

/**
 * The seam where replication plugs in: it decides when appended data is committed, i.e. moves a partition's high
 * watermark. {@link LocalReplication} (one broker, no followers) commits on append; an ISR implementation will
 * advance the high watermark as followers fetch. Implementations are thread-safe.
 */
interface Replication {

    /**
     * Called by the leader under the partition lock right after an append. An implementation that advances the high
     * watermark later (when followers catch up) calls {@link Partition#advanceHighWatermark} and then
     * {@link Partition#completeHighWatermarkWaiters} outside the partition lock, and tells the fetch purgatory (the
     * partition's append listener), since consumers only see batches below the high watermark.
     *
     * @param logEndOffset the log end offset after the append
     */
    void onLeaderAppend(Partition partition, long logEndOffset);

    /** Called once when a partition's log is opened, to set its initial high watermark. */
    void onPartitionOpened(Partition partition, long logEndOffset);
}
