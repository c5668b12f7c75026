package dev.strata.api.client;

import dev.strata.api.common.TopicPartition;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads records from partitions it is assigned, from a position per partition that {@link #poll} advances, as
 * Kafka's consumer does with {@code assign}/{@code seek}/{@code poll} (no groups, no committed offsets).
 * Compressed batches are decompressed; control batches are skipped. Not thread-safe: one thread uses it.
 */
// The client bundle implements it; callers only call it.
@ProviderType
public interface LocalConsumer extends AutoCloseable {
    /** The most records one poll returns (500). */
    String MAX_POLL_RECORDS = "max.poll.records";
    /** The most bytes read from one partition per poll (1048576); a larger first batch is still read whole. */
    String MAX_PARTITION_FETCH_BYTES = "max.partition.fetch.bytes";
    /** The most bytes read per poll over all partitions (52428800). */
    String FETCH_MAX_BYTES = "fetch.max.bytes";
    /** Where a partition with no position, or one outside the log, starts: {@code earliest}, {@code latest}, {@code none}. */
    String AUTO_OFFSET_RESET = "auto.offset.reset";
    /** A name for logs. */
    String CLIENT_ID = "client.id";

    /** Replaces the assignment; partitions kept keep their position. */
    void assign(Collection<TopicPartition> partitions);

    Set<TopicPartition> assignment();

    /** @throws IllegalStateException if {@code tp} is not assigned; IllegalArgumentException if offset is negative */
    void seek(TopicPartition tp, long offset);

    void seekToBeginning(Collection<TopicPartition> partitions);

    void seekToEnd(Collection<TopicPartition> partitions);

    /**
     * The offset of the next record {@link #poll} returns for {@code tp}, resolved by {@value #AUTO_OFFSET_RESET}
     * when there is none yet.
     */
    long position(TopicPartition tp);

    /**
     * Waits up to {@code timeout} for records of the assigned partitions and returns those there are (possibly
     * none), in offset order per partition.
     *
     * @throws dev.strata.api.common.StrataException UNKNOWN_TOPIC_OR_PARTITION, OFFSET_OUT_OF_RANGE (with
     *     {@code auto.offset.reset=none}) or another error code of the broker
     */
    List<ConsumedRecord> poll(Duration timeout);

    @Override
    void close();
}
