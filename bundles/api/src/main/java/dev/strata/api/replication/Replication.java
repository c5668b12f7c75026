package dev.strata.api.replication;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Decides when data appended to a partition this broker leads is committed, i.e. moves the partition's high
 * watermark; consumers read only below it and acks=-1 producers are answered once it passes their batch. One
 * broker commits on append ({@code replication-local}); an ISR implementation advances the high watermark as
 * followers fetch, and is the part that will serve them.
 *
 * <p>The broker calls these methods for every partition it leads, in this order: {@link #partitionOpened} once,
 * {@link #leaderAppended} after each append, {@link #partitionClosed} once. Implementations are thread-safe and must
 * not block: {@link #leaderAppended} runs on the produce path under the partition's lock.
 */
// Implemented by the replication bundle of the deployment (local, later ISR), in step with this API; the broker only
// calls it. The ISR implementation will add methods here (a follower's fetch, its log end offset), which is a minor
// change for the broker that calls them only when they exist in the version it imports.
@ProviderType
public interface Replication {

    /**
     * The broker opened (or became leader of) {@code partition}: set its initial high watermark. Called before any
     * append to it.
     */
    void partitionOpened(ReplicatedPartition partition);

    /**
     * Records up to {@code logEndOffset} (exclusive) were appended to {@code partition} as leader. Called under the
     * partition's lock, before the producer is answered; an implementation that commits later keeps what it needs
     * and calls {@link ReplicatedPartition#advanceHighWatermark} when it decides.
     */
    void leaderAppended(ReplicatedPartition partition, long logEndOffset);

    /** The broker closed {@code partition} or deleted it: forget it. Later calls on the handle are ignored. */
    void partitionClosed(ReplicatedPartition partition);
}
