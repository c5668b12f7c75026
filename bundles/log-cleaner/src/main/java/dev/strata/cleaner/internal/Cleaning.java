package dev.strata.cleaner.internal;

import dev.strata.api.cleaner.CleanRequest;
import dev.strata.api.cleaner.CleanResult;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import dev.strata.api.log.LogRewrite;
import dev.strata.api.log.LogSlice;
import dev.strata.api.log.PartitionLog;
import dev.strata.api.log.SegmentInfo;
import dev.strata.record.BatchRecord;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordBatchBuilder;
import dev.strata.record.RecordReader;
import dev.strata.record.Records;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cleaning of one log, as Kafka's {@code Cleaner.doClean}: build the key map from the dirty part, then rewrite
 * the log from its start up to where the map reaches, group by group. Used by one thread, once.
 */
final class Cleaning {
    private static final Logger LOG = LoggerFactory.getLogger(Cleaning.class);

    private final CleanRequest request;
    private final PartitionLog log;
    private final OffsetMap map;
    private final Function<CompressionType, CompressionCodec> codecs;
    private final int ioBufferSize;
    /** Producer id to the last offset of its last batch seen while building the map. */
    private final Map<Long, Long> producerLastOffsets = new HashMap<>();
    private ByteBuffer readBuffer;
    private ByteBuffer writeBuffer;
    /** Records at or above it were not put into the map: they stay. */
    private long endOffset;

    private long bytesRead;
    private long bytesWritten;
    private long recordsRead;
    private long recordsRemoved;
    private int segmentsRewritten;

    Cleaning(CleanRequest request, OffsetMap map, Function<CompressionType, CompressionCodec> codecs,
             int ioBufferSize) {
        this.request = request;
        this.log = request.log();
        this.map = map;
        this.codecs = codecs;
        this.ioBufferSize = ioBufferSize;
        this.readBuffer = ByteBuffer.allocate(ioBufferSize);
        this.writeBuffer = ByteBuffer.allocate(ioBufferSize);
    }

    CleanResult run() throws IOException {
        long started = System.nanoTime();
        List<SegmentInfo> segments = log.segments();
        if (segments.size() < 2) {
            return result(request.firstDirtyOffset(), started);
        }
        long activeBase = segments.get(segments.size() - 1).baseOffset();
        long cleanableEnd = Math.min(request.cleanableEndOffset(), activeBase);
        long firstDirty = Math.max(request.firstDirtyOffset(), log.logStartOffset());
        if (firstDirty >= cleanableEnd) {
            return result(request.firstDirtyOffset(), started);
        }
        endOffset = buildOffsetMap(segments, firstDirty, cleanableEnd);
        if (endOffset < 0) {
            return result(request.firstDirtyOffset(), started);
        }
        if (endOffset == firstDirty) {
            throw new IOException("The dedupe buffer of " + request.dedupeBufferBytes() + " bytes holds no key of "
                    + log.topicPartition() + " at offset " + firstDirty + ": increase log.cleaner.dedupe.buffer.size"
                    + " or decrease log.cleaner.threads");
        }
        long deleteHorizonMs = deleteHorizon(segments, firstDirty);
        boolean allCommitted = true;
        for (List<SegmentInfo> group : groups(segments, endOffset)) {
            Boolean committed = cleanGroup(group, deleteHorizonMs);
            if (committed == null) {
                return result(request.firstDirtyOffset(), started);
            }
            allCommitted &= committed;
        }
        // A group the log changed under is not clean: the next cleaning starts where this one did.
        return result(allCommitted ? endOffset : request.firstDirtyOffset(), started);
    }

    /**
     * Kafka's pre-KIP-534 horizon: the last modification of the last segment of the already clean part, minus
     * {@code delete.retention.ms}; tombstones stay in segments modified after it. 0 when nothing is clean yet (the
     * first cleaning keeps every tombstone).
     */
    private long deleteHorizon(List<SegmentInfo> segments, long firstDirty) {
        SegmentInfo lastClean = null;
        for (SegmentInfo s : segments) {
            if (s.baseOffset() < firstDirty) {
                lastClean = s;
            }
        }
        return lastClean == null ? 0L : lastClean.lastModifiedMs() - request.deleteRetentionMs();
    }

    /**
     * Puts the keys of {@code [firstDirty, cleanableEnd)} into the map until it is full.
     *
     * @return the offset the map reaches (exclusive), or -1 when asked to stop
     */
    private long buildOffsetMap(List<SegmentInfo> segments, long firstDirty, long cleanableEnd) throws IOException {
        for (SegmentInfo segment : segments) {
            if (segment.nextOffset() <= firstDirty) {
                continue;
            }
            if (segment.baseOffset() >= cleanableEnd) {
                break;
            }
            long offset = Math.max(firstDirty, segment.baseOffset());
            while (offset < segment.nextOffset()) {
                ByteBuffer chunk = read(offset);
                if (chunk == null) {
                    break;
                }
                for (int pos = chunk.position(); pos < chunk.limit(); ) {
                    RecordBatch batch = RecordBatch.at(chunk, pos);
                    pos += batch.sizeInBytes();
                    if (batch.baseOffset() >= segment.nextOffset()) {
                        offset = segment.nextOffset();
                        break;
                    }
                    if (request.stopRequested().getAsBoolean()) {
                        return -1;
                    }
                    if (batch.hasProducerId()) {
                        producerLastOffsets.merge(batch.producerId(), batch.lastOffset(), Math::max);
                    }
                    if (!batch.isControl()) {
                        RecordReader records = Records.reader(batch, codecFor(batch));
                        while (records.hasNext()) {
                            BatchRecord r = records.next();
                            if (r.key() == null || r.offset() < firstDirty) {
                                continue;
                            }
                            if (map.isFull()) {
                                return r.offset();
                            }
                            map.put(r.key(), r.offset());
                        }
                    }
                    offset = batch.nextOffset();
                }
            }
        }
        return cleanableEnd;
    }

    /**
     * Segments from the log start up to the one holding {@code upTo - 1}, in runs whose total size fits
     * {@code segment.bytes} and whose offsets fit an int relative to the run's base (Kafka's
     * {@code groupSegmentsBySize}).
     */
    private List<List<SegmentInfo>> groups(List<SegmentInfo> segments, long upTo) {
        List<List<SegmentInfo>> groups = new ArrayList<>();
        List<SegmentInfo> current = new ArrayList<>();
        long size = 0;
        for (SegmentInfo s : segments.subList(0, segments.size() - 1)) {
            if (s.baseOffset() >= upTo) {
                break;
            }
            boolean fits = !current.isEmpty() && size + s.sizeInBytes() <= request.maxSegmentBytes()
                    && s.nextOffset() - 1 - current.get(0).baseOffset() <= Integer.MAX_VALUE;
            if (!current.isEmpty() && !fits) {
                groups.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(s);
            size += s.sizeInBytes();
        }
        if (!current.isEmpty()) {
            groups.add(current);
        }
        return groups;
    }

    /**
     * @return whether the group was swapped in; false when the log changed meanwhile, null when asked to stop
     *     (the group is left as it was either way)
     */
    private Boolean cleanGroup(List<SegmentInfo> group, long deleteHorizonMs) throws IOException {
        SegmentInfo last = group.get(group.size() - 1);
        long groupBytesRead = 0;
        long groupRecordsRead = 0;
        long groupRecordsRemoved = 0;
        try (LogRewrite rewrite = log.rewrite(group.get(0).baseOffset(), last.nextOffset())) {
            for (SegmentInfo segment : group) {
                boolean retainDeletes = segment.lastModifiedMs() > deleteHorizonMs;
                long offset = Math.max(segment.baseOffset(), log.logStartOffset());
                while (offset < segment.nextOffset()) {
                    ByteBuffer chunk = read(offset);
                    if (chunk == null) {
                        break;
                    }
                    writeBuffer.clear();
                    for (int pos = chunk.position(); pos < chunk.limit(); ) {
                        RecordBatch batch = RecordBatch.at(chunk, pos);
                        pos += batch.sizeInBytes();
                        if (batch.baseOffset() >= segment.nextOffset()) {
                            offset = segment.nextOffset();
                            break;
                        }
                        if (request.stopRequested().getAsBoolean()) {
                            return null;
                        }
                        groupBytesRead += batch.sizeInBytes();
                        groupRecordsRead += batch.recordCount();
                        groupRecordsRemoved += filter(batch, retainDeletes);
                        offset = batch.nextOffset();
                    }
                    writeBuffer.flip();
                    if (writeBuffer.hasRemaining()) {
                        rewrite.append(writeBuffer);
                    }
                }
            }
            if (rewrite.commit()) {
                segmentsRewritten += group.size();
                bytesWritten += rewrite.sizeInBytes();
                bytesRead += groupBytesRead;
                recordsRead += groupRecordsRead;
                recordsRemoved += groupRecordsRemoved;
                return true;
            }
            LOG.debug("Segments {} to {} of {} changed while being cleaned; left as they are",
                    group.get(0).baseOffset(), last.nextOffset(), log.topicPartition());
        } catch (StrataException e) {
            if (e.error() != ErrorCode.OFFSET_OUT_OF_RANGE) {
                throw e;
            }
            // Retention or a truncation took offsets away while the group was read: it cannot commit either.
            LOG.debug("Segments {} to {} of {} changed while being cleaned: {}", group.get(0).baseOffset(),
                    last.nextOffset(), log.topicPartition(), e.getMessage());
        }
        return false;
    }

    /**
     * Writes what stays of {@code batch} to the write buffer (Kafka's {@code MemoryRecords.filterTo}).
     *
     * @return the number of records removed
     */
    private int filter(RecordBatch batch, boolean retainDeletes) {
        if (batch.isControl()) {
            if (ControlBatches.retain(batch, retainDeletes)) {
                write(batch.slice());
            }
            return 0;
        }
        CompressionCodec codec = codecFor(batch);
        List<BatchRecord> records = Records.readAll(batch, codec, Records.DEFAULT_MAX_DECOMPRESSED_BYTES);
        List<BatchRecord> kept = new ArrayList<>(records.size());
        for (BatchRecord r : records) {
            if (retain(r, retainDeletes)) {
                kept.add(r);
            }
        }
        int removed = records.size() - kept.size();
        if (kept.isEmpty()) {
            // Kafka keeps an emptied batch's header when it is its producer's last, so the producer's sequence
            // and epoch survive; the last batches seen are those of the dirty part, so this errs on keeping.
            if (batch.hasProducerId() && producerLastOffsets.getOrDefault(batch.producerId(), -1L)
                    <= batch.lastOffset()) {
                write(RecordBatchBuilder.emptyHeader(batch));
            }
        } else if (removed == 0) {
            write(batch.slice());
        } else {
            RecordBatchBuilder builder = new RecordBatchBuilder().baseOffset(batch.baseOffset())
                    .producer(batch.producerId(), batch.producerEpoch(), batch.baseSequence())
                    .partitionLeaderEpoch(batch.partitionLeaderEpoch())
                    .transactional(batch.isTransactional())
                    .logAppendTime(batch.isLogAppendTime())
                    .lastOffsetDelta(batch.lastOffsetDelta());
            kept.forEach(builder::addWithOffset);
            write(builder.build(codec));
        }
        return removed;
    }

    /** Kafka's {@code shouldRetainRecord}: the latest of its key, and a value unless its tombstone has expired. */
    private boolean retain(BatchRecord record, boolean retainDeletes) {
        if (record.offset() >= endOffset) {
            return true;
        }
        if (record.key() == null) {
            return false; // Kafka drops keyless records from compacted logs (they cannot be produced there)
        }
        boolean latest = record.offset() >= map.get(record.key());
        return latest && (record.value() != null || retainDeletes);
    }

    private CompressionCodec codecFor(RecordBatch batch) {
        CompressionType type = batch.compressionType();
        if (type == CompressionType.NONE) {
            return null;
        }
        CompressionCodec codec = codecs.apply(type);
        if (codec == null) {
            throw new StrataException(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
                    "No " + type.configName() + " codec is installed to clean " + log.topicPartition());
        }
        return codec;
    }

    /** The batches from the one holding {@code offset}, at least one whole batch; null at the log end. */
    private ByteBuffer read(long offset) throws IOException {
        LogSlice slice = log.read(offset, ioBufferSize, true);
        try {
            if (slice.isEmpty()) {
                return null;
            }
            if (readBuffer.capacity() < slice.size()) {
                readBuffer = ByteBuffer.allocate(slice.size());
            }
            readBuffer.clear().limit(slice.size());
            long at = 0;
            while (readBuffer.hasRemaining()) {
                int n = slice.read(readBuffer, at);
                if (n < 0) {
                    throw new IOException("Log " + log.topicPartition() + " ended inside a batch at " + offset);
                }
                at += n;
            }
            return readBuffer.flip();
        } finally {
            slice.release();
        }
    }

    private void write(ByteBuffer batch) {
        if (writeBuffer.remaining() < batch.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(writeBuffer.capacity() * 2,
                    writeBuffer.position() + batch.remaining()));
            writeBuffer.flip();
            bigger.put(writeBuffer);
            writeBuffer = bigger;
        }
        writeBuffer.put(batch.duplicate());
    }

    private CleanResult result(long nextDirtyOffset, long startedNanos) {
        return new CleanResult(nextDirtyOffset, bytesRead, bytesWritten, recordsRead, recordsRemoved,
                segmentsRewritten, (System.nanoTime() - startedNanos) / 1_000_000);
    }
}
