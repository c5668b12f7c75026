package dev.strata.record;

import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one uncompressed v2 record batch (the broker's own records, recompression output, tests). Not
 * thread-safe.
 */
public final class RecordBatchBuilder {
    private final List<SimpleRecord> records = new ArrayList<>();
    /** Offset delta of each record when any was added with its own offset; null while they are 0, 1, 2... */
    private List<Integer> offsetDeltas;
    private int lastOffsetDelta = -1;
    private boolean logAppendTime;
    private long baseOffset;
    private long producerId = RecordBatch.NO_PRODUCER_ID;
    private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
    private int baseSequence = RecordBatch.NO_SEQUENCE;
    private int partitionLeaderEpoch = -1;
    private boolean transactional;
    private boolean control;

    public RecordBatchBuilder baseOffset(long offset) {
        this.baseOffset = offset;
        return this;
    }

    public RecordBatchBuilder producer(long id, short epoch, int baseSequence) {
        this.producerId = id;
        this.producerEpoch = epoch;
        this.baseSequence = baseSequence;
        return this;
    }

    public RecordBatchBuilder partitionLeaderEpoch(int epoch) {
        this.partitionLeaderEpoch = epoch;
        return this;
    }

    public RecordBatchBuilder transactional(boolean transactional) {
        this.transactional = transactional;
        return this;
    }

    public RecordBatchBuilder control(boolean control) {
        this.control = control;
        return this;
    }

    public RecordBatchBuilder add(SimpleRecord record) {
        if (offsetDeltas != null) {
            throw new IllegalStateException("Records added with their offsets cannot be mixed with plain ones");
        }
        records.add(record);
        return this;
    }

    /**
     * Adds a record read back from a batch at its own offset (relative to {@link #baseOffset}), as the log cleaner
     * rebuilds a batch from the records it keeps: offsets may skip, never go back.
     *
     * @since 1.3
     */
    public RecordBatchBuilder addWithOffset(BatchRecord record) {
        long delta = record.offset() - baseOffset;
        if (offsetDeltas == null) {
            if (!records.isEmpty()) {
                throw new IllegalStateException("Records added with their offsets cannot be mixed with plain ones");
            }
            offsetDeltas = new ArrayList<>();
        }
        int previous = offsetDeltas.isEmpty() ? -1 : offsetDeltas.get(offsetDeltas.size() - 1);
        if (delta <= previous || delta > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Offset " + record.offset() + " does not follow in a batch at "
                    + baseOffset);
        }
        offsetDeltas.add((int) delta);
        records.add(record.toSimpleRecord());
        return this;
    }

    /**
     * Keeps the header's last offset delta at {@code delta} however few records remain (Kafka's
     * {@code overrideLastOffset}: a compacted batch keeps its last offset, so its producer's last sequence holds).
     *
     * @since 1.3
     */
    public RecordBatchBuilder lastOffsetDelta(int delta) {
        this.lastOffsetDelta = delta;
        return this;
    }

    /**
     * Marks the batch's timestamps as the broker's append time; the max timestamp is then the records' (all equal
     * to the append time when read back).
     *
     * @since 1.3
     */
    public RecordBatchBuilder logAppendTime(boolean logAppendTime) {
        this.logAppendTime = logAppendTime;
        return this;
    }

    /**
     * A record-less batch with {@code original}'s header (offsets, producer, epoch, flags, max timestamp),
     * uncompressed: what Kafka's cleaner keeps of an emptied batch that is the last of its producer, so the
     * producer's state survives.
     *
     * @since 1.3
     */
    public static ByteBuffer emptyHeader(RecordBatch original) {
        ByteBuffer out = ByteBuffer.allocate(RecordBatch.HEADER_SIZE);
        out.put(original.slice().limit(RecordBatch.HEADER_SIZE)).flip();
        short attributes = (short) (original.attributes() & ~RecordBatch.COMPRESSION_MASK);
        out.putInt(RecordBatch.LENGTH_OFFSET, RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD)
                .putShort(RecordBatch.ATTRIBUTES_OFFSET, attributes)
                .putLong(RecordBatch.BASE_TIMESTAMP_OFFSET, original.maxTimestamp())
                .putInt(RecordBatch.RECORDS_COUNT_OFFSET, 0);
        out.putInt(RecordBatch.CRC_OFFSET, (int) RecordBatch.at(out, 0).computeChecksum());
        return out;
    }

    public RecordBatchBuilder add(long timestamp, byte[] key, byte[] value) {
        return add(new SimpleRecord(timestamp, key, value));
    }

    /** Encodes the records section (what a codec compresses): each record with its length prefix. */
    public static ByteBuffer encodeRecords(List<SimpleRecord> records, long baseTimestamp) {
        return encodeRecords(records, null, baseTimestamp);
    }

    private static ByteBuffer encodeRecords(List<SimpleRecord> records, List<Integer> deltas, long baseTimestamp) {
        int size = 0;
        int[] bodySizes = new int[records.size()];
        for (int i = 0; i < records.size(); i++) {
            bodySizes[i] = bodySize(records.get(i), deltas == null ? i : deltas.get(i), baseTimestamp);
            size += Varint.sizeOfVarint(bodySizes[i]) + bodySizes[i];
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (int i = 0; i < records.size(); i++) {
            SimpleRecord r = records.get(i);
            Varint.writeVarint(bodySizes[i], out);
            out.put((byte) 0);
            Varint.writeVarlong(r.timestamp() - baseTimestamp, out);
            Varint.writeVarint(deltas == null ? i : deltas.get(i), out);
            writeBytes(r.key(), out);
            writeBytes(r.value(), out);
            Varint.writeVarint(r.headers().length, out);
            for (SimpleRecord.Header h : r.headers()) {
                byte[] k = h.key().getBytes(StandardCharsets.UTF_8);
                Varint.writeVarint(k.length, out);
                out.put(k);
                writeBytes(h.value(), out);
            }
        }
        return out.flip();
    }

    /** The uncompressed batch, CRC computed, positioned at 0. */
    public ByteBuffer build() {
        return build(null);
    }

    /**
     * The batch with its records section compressed by {@code codec} (uncompressed when {@code codec} is null or
     * of type NONE), CRC computed, positioned at 0.
     */
    public ByteBuffer build(CompressionCodec codec) {
        if (records.isEmpty()) {
            throw new IllegalStateException("A record batch needs at least one record");
        }
        long baseTimestamp = records.get(0).timestamp();
        long maxTimestamp = Long.MIN_VALUE;
        for (SimpleRecord r : records) {
            maxTimestamp = Math.max(maxTimestamp, r.timestamp());
        }
        ByteBuffer section = encodeRecords(records, offsetDeltas, baseTimestamp);
        if (codec == null || codec.type() == CompressionType.NONE) {
            return assemble(section, 0, records.size(), baseTimestamp, maxTimestamp);
        }
        return assemble(Records.compress(section, codec), codec.type().id(), records.size(), baseTimestamp,
                maxTimestamp);
    }

    /**
     * Wraps an already encoded (and possibly compressed) records section in a batch header.
     *
     * @param compressionId the codec id for the attributes, 0 when {@code recordsSection} is plain
     */
    public ByteBuffer assemble(ByteBuffer recordsSection, int compressionId, int recordCount, long baseTimestamp,
                               long maxTimestamp) {
        int size = RecordBatch.HEADER_SIZE + recordsSection.remaining();
        ByteBuffer out = ByteBuffer.allocate(size);
        short attributes = (short) (compressionId & RecordBatch.COMPRESSION_MASK);
        if (transactional) {
            attributes |= RecordBatch.TRANSACTIONAL_MASK;
        }
        if (control) {
            attributes |= RecordBatch.CONTROL_MASK;
        }
        if (logAppendTime) {
            attributes |= RecordBatch.TIMESTAMP_TYPE_MASK;
        }
        int lastDelta = Math.max(recordCount - 1, offsetDeltas == null || offsetDeltas.isEmpty() ? -1
                : offsetDeltas.get(offsetDeltas.size() - 1));
        out.putLong(baseOffset)
                .putInt(size - RecordBatch.LOG_OVERHEAD)
                .putInt(partitionLeaderEpoch)
                .put(RecordBatch.MAGIC)
                .putInt(0)
                .putShort(attributes)
                .putInt(Math.max(lastDelta, lastOffsetDelta))
                .putLong(baseTimestamp)
                .putLong(maxTimestamp)
                .putLong(producerId)
                .putShort(producerEpoch)
                .putInt(baseSequence)
                .putInt(recordCount)
                .put(recordsSection.duplicate());
        out.flip();
        RecordBatch batch = RecordBatch.at(out, 0);
        out.putInt(RecordBatch.CRC_OFFSET, (int) batch.computeChecksum());
        return out;
    }

    private static int bodySize(SimpleRecord r, int offsetDelta, long baseTimestamp) {
        int size = 1 + Varint.sizeOfVarlong(r.timestamp() - baseTimestamp) + Varint.sizeOfVarint(offsetDelta)
                + bytesSize(r.key()) + bytesSize(r.value()) + Varint.sizeOfVarint(r.headers().length);
        for (SimpleRecord.Header h : r.headers()) {
            int k = h.key().getBytes(StandardCharsets.UTF_8).length;
            size += Varint.sizeOfVarint(k) + k + bytesSize(h.value());
        }
        return size;
    }

    private static int bytesSize(ByteBuffer b) {
        return b == null ? Varint.sizeOfVarint(-1) : Varint.sizeOfVarint(b.remaining()) + b.remaining();
    }

    private static void writeBytes(ByteBuffer b, ByteBuffer out) {
        if (b == null) {
            Varint.writeVarint(-1, out);
        } else {
            Varint.writeVarint(b.remaining(), out);
            out.put(b.duplicate());
        }
    }
}
