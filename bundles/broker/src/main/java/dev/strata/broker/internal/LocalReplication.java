package dev.strata.broker.internal;

/**
 * Replication for a single broker: the leader is the whole ISR, so everything appended is committed at once and
 * the high watermark equals the log end offset. Stateless: thread-safe.
 */
final class LocalReplication implements Replication {
    @Override
    public void onLeaderAppend(Partition partition, long logEndOffset) {
        partition.advanceHighWatermark(logEndOffset);
    }

    @Override
    public void onPartitionOpened(Partition partition, long logEndOffset) {
        partition.advanceHighWatermark(logEndOffset);
    }
}
