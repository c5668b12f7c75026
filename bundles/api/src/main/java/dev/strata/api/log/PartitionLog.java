package dev.strata.api.log;

import dev.strata.api.common.TopicPartition;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The append-only log of one partition: a sequence of Kafka v2 record batches stored byte for byte as appended.
 *
 * <p>Thread-safety: appends, truncation, rolls and close are serialised by the caller (the broker holds the
 * partition's lock); {@link #read}, {@link #offsetForTimestamp} and the offset getters may run concurrently with
 * them and with each other.
 */
// Store bundles implement it, possibly third parties: a new method is a major change.
@ConsumerType
public interface PartitionLog extends Closeable {

    TopicPartition topicPartition();

    /**
     * The first offset still in the log: the first segment's base offset, or higher once {@link
     * #advanceLogStartOffset} moved it inside a segment.
     */
    long logStartOffset();

    /** The offset the next appended batch will get (one past the last offset in the log). */
    long logEndOffset();

    /** Bytes of batches on disk, indexes excluded. */
    long sizeInBytes();

    /**
     * Appends whole, validated v2 record batches whose offsets the caller has already assigned: the first batch's
     * base offset equals {@link #logEndOffset()} and offsets are contiguous. The bytes are written as they are.
     *
     * @throws IllegalArgumentException if the buffer holds a partial batch or offsets that do not follow on
     */
    AppendResult append(ByteBuffer batches) throws IOException;

    /**
     * Reads whole batches starting with the batch that contains {@code offset}.
     *
     * @param maxBytes the most bytes to return; whole batches only
     * @param minOneBatch return the first batch even when it is larger than {@code maxBytes} (so that a consumer
     *     can always make progress)
     * @return the batches, or {@link LogSlice#EMPTY} when {@code offset == logEndOffset()}
     * @throws dev.strata.api.common.StrataException with OFFSET_OUT_OF_RANGE outside
     *     {@code [logStartOffset, logEndOffset]}
     */
    LogSlice read(long offset, int maxBytes, boolean minOneBatch) throws IOException;

    /**
     * The first batch whose max timestamp is at least {@code timestamp}, with that timestamp and the batch's base
     * offset; empty when every batch is older.
     */
    Optional<TimestampOffset> offsetForTimestamp(long timestamp) throws IOException;

    /**
     * The segments now, oldest first; the last one is the active segment (appends go there). A snapshot: the log
     * may roll, or retention and compaction remove or replace segments, right after.
     */
    List<SegmentInfo> segments();

    /**
     * Moves the log start offset up to {@code offset} (retention, DeleteRecords): reads below it fail with
     * OFFSET_OUT_OF_RANGE from now on, and the new start is on disk before this returns, so it survives a crash.
     * Every segment whose offsets all lie below {@code offset} leaves the log; its files are renamed (Kafka's
     * {@code .deleted} suffix) and deleted {@link LogConfig#fileDeleteDelayMs} later, so reads in flight complete.
     * The active segment never leaves: an offset past its base leaves the log start inside it. An offset at or
     * below the current start changes nothing.
     *
     * @return the number of segments removed
     * @throws dev.strata.api.common.StrataException OFFSET_OUT_OF_RANGE when {@code offset > logEndOffset()}
     */
    int advanceLogStartOffset(long offset) throws IOException;

    /**
     * Starts replacing a run of inactive segments with one rewritten segment (log compaction): the segments whose
     * base offsets lie in {@code [baseOffset, endOffset)}, where {@code baseOffset} is a segment's base offset and
     * {@code endOffset} the base offset of a later segment (so the active segment is never part of it). Reads,
     * appends and rolls go on meanwhile; {@link LogRewrite#commit()} swaps the segments in one step that a crash
     * cannot split.
     *
     * @throws IllegalArgumentException when the bounds are not segment boundaries below the active segment
     */
    LogRewrite rewrite(long baseOffset, long endOffset) throws IOException;

    /** Removes every batch at or above {@code offset}. Used by replication and by recovery. */
    void truncateTo(long offset) throws IOException;

    /** Closes the active segment and starts a new one at the log end offset. */
    void roll() throws IOException;

    /** Forces everything written so far to disk. */
    void flush() throws IOException;

    /** Applies new settings (segment size, flush policy...) from the next append on. */
    void reconfigure(LogConfig config);

    /**
     * Facts about how this log is stored, for operators ({@code strata:storage}, the web console): which
     * implementation serves it and whether some part of it is being changed. Keys are short dotted names; the
     * segment store gives {@value #DESCRIBE_STORE}, {@value #DESCRIBE_INDEX} (the {@code strata.index.type} of its
     * index factory) and {@value #DESCRIBE_MIGRATING} ({@code "false"}, or the index type being built). Other
     * stores add their own keys. The default says nothing.
     */
    default Map<String, String> describe() {
        return Map.of();
    }

    /** {@link #describe} key: the store implementation ({@code strata.store.name}). */
    String DESCRIBE_STORE = "store";
    /** {@link #describe} key: the index implementation ({@code strata.index.type}). */
    String DESCRIBE_INDEX = "index";
    /** {@link #describe} key: {@code "false"}, or the index implementation the log is moving to. */
    String DESCRIBE_MIGRATING = "index.migrating";

    /** Closes the files, flushing them; the data stays. */
    @Override
    void close() throws IOException;

    /** Closes the log and deletes its files and directory. */
    void delete() throws IOException;
}
