package dev.strata.api.replication;

import dev.strata.api.common.TopicPartition;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The broker's handle on one partition it leads, as {@link Replication} sees it: offsets to read and the one
 * thing replication may change, the high watermark. Thread-safe.
 */
// Implemented by the broker only and handed to Replication; a method added for followers (reading the log from an
// offset) is a minor change.
@ProviderType
public interface ReplicatedPartition {

    TopicPartition topicPartition();

    /** The epoch of this broker's leadership, written into every batch it appends. */
    int leaderEpoch();

    long logStartOffset();

    long logEndOffset();

    long highWatermark();

    /**
     * Moves the high watermark to {@code offset} if that is ahead of it and not beyond the log end offset (it never
     * moves backwards). Producers waiting for acks=-1 up to it are answered and waiting fetches see the newly
     * committed data: at once when called from any thread, or right after the append when called from
     * {@link Replication#leaderAppended} (so that no producer callback runs under the partition's lock).
     *
     * @return whether the high watermark moved
     */
    boolean advanceHighWatermark(long offset);
}
