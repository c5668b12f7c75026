package dev.strata.broker.internal;

import dev.strata.api.broker.ListOffsetResult;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.LogSlice;
import dev.strata.api.log.TimestampOffset;
import dev.strata.api.compression.CompressionCodec;
import dev.strata.record.BatchRecord;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordReader;
import dev.strata.record.Records;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ListOffsets: earliest, latest, max timestamp, or the first record at or after a time. The log store finds the
 * batch; for a CreateTime batch the records are walked (a compressed one decompressed through its codec) to answer
 * with the record's own offset and timestamp, as Kafka does. Without an installed codec for a compressed batch the
 * answer is the batch's base offset, which is never after the wanted record. Stateless: thread-safe.
 */
final class OffsetLookup {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetLookup.class);
    /** Kafka's "earliest local" (KIP-1005); without tiered storage the same as earliest. */
    static final long EARLIEST_LOCAL_TIMESTAMP = -4L;

    private final LogManager logs;

    OffsetLookup(LogManager logs) {
        this.logs = logs;
    }

    ListOffsetResult listOffset(TopicPartition tp, long timestamp, IsolationLevel isolation) {
        Partition p;
        try {
            p = logs.leaderPartition(tp);
        } catch (StrataException e) {
            return new ListOffsetResult(e.error(), -1, -1);
        }
        if (!p.offsetsKnown()) {
            return new ListOffsetResult(ErrorCode.KAFKA_STORAGE_ERROR, -1, -1); // no store has opened it yet
        }
        try {
            // While the store is being swapped the start and end offsets are the ones seen last; they do not move.
            if (timestamp == ListOffsetResult.EARLIEST_TIMESTAMP || timestamp == EARLIEST_LOCAL_TIMESTAMP) {
                return new ListOffsetResult(ErrorCode.NONE, -1, p.logStartOffset());
            }
            if (timestamp == ListOffsetResult.LATEST_TIMESTAMP) {
                long offset = isolation == IsolationLevel.READ_COMMITTED ? p.lastStableOffset() : p.highWatermark();
                return new ListOffsetResult(ErrorCode.NONE, -1, offset);
            }
            if (timestamp == ListOffsetResult.MAX_TIMESTAMP) {
                return maxTimestamp(p);
            }
            if (timestamp < 0) {
                return new ListOffsetResult(ErrorCode.NONE, -1, -1); // e.g. tiered-storage specials: none here
            }
            return forTimestamp(p, timestamp);
        } catch (StrataException e) {
            return new ListOffsetResult(e.error(), -1, -1);
        } catch (IOException | RuntimeException e) {
            LOG.error("ListOffsets for {} at {} failed", tp, timestamp, e);
            return new ListOffsetResult(ErrorCode.KAFKA_STORAGE_ERROR, -1, -1);
        }
    }

    private ListOffsetResult forTimestamp(Partition p, long timestamp) throws IOException {
        Optional<TimestampOffset> found = p.log().offsetForTimestamp(timestamp);
        if (found.isEmpty() || found.get().offset() >= p.highWatermark()) {
            return new ListOffsetResult(ErrorCode.NONE, -1, -1);
        }
        TimestampOffset r = firstRecordAtOrAfter(p, found.get(), timestamp);
        return new ListOffsetResult(ErrorCode.NONE, r.timestamp(), r.offset());
    }

    /** The largest timestamp, found by bisecting on "is there a batch at or after t" (about 64 index lookups). */
    private ListOffsetResult maxTimestamp(Partition p) throws IOException {
        if (p.logEndOffset() <= p.logStartOffset()) {
            return new ListOffsetResult(ErrorCode.NONE, -1, -1);
        }
        long lo = 0; // Kafka timestamps are >= 0 (or -1 for none), and this keeps hi - lo from overflowing
        if (p.log().offsetForTimestamp(lo).isEmpty()) {
            return new ListOffsetResult(ErrorCode.NONE, -1, -1);
        }
        long hi = Long.MAX_VALUE;
        if (p.log().offsetForTimestamp(hi).isPresent()) {
            lo = hi;
        }
        while (hi - lo > 1) {
            long mid = lo + ((hi - lo) >>> 1);
            if (p.log().offsetForTimestamp(mid).isPresent()) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return forTimestamp(p, lo);
    }

    private TimestampOffset firstRecordAtOrAfter(Partition p, TimestampOffset batchHit, long target)
            throws IOException {
        LogSlice slice = p.read(batchHit.offset(), 1, true);
        if (slice.isEmpty() || slice.size() > p.settings().maxMessageBytes() + RecordBatch.HEADER_SIZE) {
            slice.release();
            return batchHit;
        }
        ByteBuffer buf;
        try {
            buf = slice.readFully();
        } finally {
            slice.release();
        }
        try {
            RecordBatch batch = RecordBatch.at(buf, 0);
            if (batch.isLogAppendTime()) {
                return new TimestampOffset(batch.maxTimestamp(), batch.baseOffset());
            }
            if (batch.compressionId() != 0) {
                return firstCompressedRecordAtOrAfter(p, batch, target);
            }
            TimestampOffset[] hit = new TimestampOffset[1];
            RecordWalker.walk(batch, false, (index, ts, offsetDelta) -> {
                if (ts >= target) {
                    hit[0] = new TimestampOffset(ts, batch.baseOffset() + offsetDelta);
                    return false;
                }
                return true;
            });
            if (hit[0] != null) {
                return hit[0];
            }
        } catch (StrataException | IndexOutOfBoundsException | IllegalArgumentException e) {
            LOG.debug("Could not walk the records of the batch at {} of {}", batchHit.offset(), p.topicPartition(), e);
        }
        return batchHit;
    }

    private TimestampOffset firstCompressedRecordAtOrAfter(Partition p, RecordBatch batch, long target) {
        TimestampOffset whole = new TimestampOffset(batch.maxTimestamp(), batch.baseOffset());
        CompressionCodec codec = logs.codecs().get(batch.compressionType());
        if (codec == null) {
            return whole;
        }
        RecordReader reader = Records.reader(batch, codec, p.settings().maxDecompressedBytes());
        while (reader.hasNext()) {
            BatchRecord r = reader.next();
            if (r.timestamp() >= target) {
                return new TimestampOffset(r.timestamp(), r.offset());
            }
        }
        return whole;
    }
}
