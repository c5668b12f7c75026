package dev.strata.record;

import dev.strata.api.compression.CompressionType;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A view over one v2 record batch held in a buffer, from its base offset field to its last record. Reads and
 * in-place header edits only; it copies nothing. Not thread-safe (the buffer is shared, the view is not).
 *
 * <pre>
 * baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
 * attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 | producerId int64 |
 * producerEpoch int16 | baseSequence int32 | recordCount int32 | records...
 * </pre>
 * The CRC (CRC-32C) covers everything from attributes to the end, so the base offset, the length and the
 * partition leader epoch may be rewritten without recomputing it.
 */
public final class RecordBatch {
    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int LENGTH_OFFSET = 8;
    public static final int PARTITION_LEADER_EPOCH_OFFSET = 12;
    public static final int MAGIC_OFFSET = 16;
    public static final int CRC_OFFSET = 17;
    public static final int ATTRIBUTES_OFFSET = 21;
    public static final int LAST_OFFSET_DELTA_OFFSET = 23;
    public static final int BASE_TIMESTAMP_OFFSET = 27;
    public static final int MAX_TIMESTAMP_OFFSET = 35;
    public static final int PRODUCER_ID_OFFSET = 43;
    public static final int PRODUCER_EPOCH_OFFSET = 51;
    public static final int BASE_SEQUENCE_OFFSET = 53;
    public static final int RECORDS_COUNT_OFFSET = 57;
    /** Size of the header before the first record. */
    public static final int HEADER_SIZE = 61;
    /** Bytes before the batch length field ends: base offset + length. */
    public static final int LOG_OVERHEAD = 12;
    public static final byte MAGIC = 2;

    public static final int COMPRESSION_MASK = 0x07;
    public static final int TIMESTAMP_TYPE_MASK = 0x08;
    public static final int TRANSACTIONAL_MASK = 0x10;
    public static final int CONTROL_MASK = 0x20;

    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;
    public static final long NO_TIMESTAMP = -1L;

    private final ByteBuffer buf;
    private final int start;

    private RecordBatch(ByteBuffer buf, int start) {
        this.buf = buf;
        this.start = start;
    }

    /**
     * A view of the batch starting at absolute position {@code start} of {@code buf}. Checks only that the header
     * and the declared length fit; use {@link #ensureValid()} for the rest.
     *
     * @throws InvalidRecordException CORRUPT_MESSAGE when the batch is truncated or its length is impossible
     */
    public static RecordBatch at(ByteBuffer buf, int start) {
        int available = buf.limit() - start;
        if (available < HEADER_SIZE) {
            throw InvalidRecordException.corrupt("Record batch header truncated: " + available + " bytes");
        }
        int length = buf.getInt(start + LENGTH_OFFSET);
        if (length < HEADER_SIZE - LOG_OVERHEAD) {
            throw InvalidRecordException.corrupt("Record batch length " + length + " is smaller than its header");
        }
        if ((long) length + LOG_OVERHEAD > available) {
            throw InvalidRecordException.corrupt("Record batch truncated: length " + length + ", only "
                    + (available - LOG_OVERHEAD) + " bytes follow");
        }
        return new RecordBatch(buf, start);
    }

    /** Absolute position of the batch in its buffer. */
    public int start() {
        return start;
    }

    /** Total size of the batch in bytes, including base offset and length fields. */
    public int sizeInBytes() {
        return LOG_OVERHEAD + batchLength();
    }

    public long baseOffset() {
        return buf.getLong(start + BASE_OFFSET_OFFSET);
    }

    public int batchLength() {
        return buf.getInt(start + LENGTH_OFFSET);
    }

    public int partitionLeaderEpoch() {
        return buf.getInt(start + PARTITION_LEADER_EPOCH_OFFSET);
    }

    public byte magic() {
        return buf.get(start + MAGIC_OFFSET);
    }

    /** The stored CRC as an unsigned value. */
    public long checksum() {
        return Integer.toUnsignedLong(buf.getInt(start + CRC_OFFSET));
    }

    public short attributes() {
        return buf.getShort(start + ATTRIBUTES_OFFSET);
    }

    public int compressionId() {
        return attributes() & COMPRESSION_MASK;
    }

    /** @throws InvalidRecordException UNSUPPORTED_COMPRESSION_TYPE for ids 5 to 7 */
    public CompressionType compressionType() {
        int id = compressionId();
        if (id > CompressionType.ZSTD.id()) {
            throw new InvalidRecordException(dev.strata.api.common.ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
                    "Unknown compression type id " + id);
        }
        return CompressionType.forId(id);
    }

    /** True when the timestamps are the broker's append time, false for the producer's create time. */
    public boolean isLogAppendTime() {
        return (attributes() & TIMESTAMP_TYPE_MASK) != 0;
    }

    public boolean isTransactional() {
        return (attributes() & TRANSACTIONAL_MASK) != 0;
    }

    public boolean isControl() {
        return (attributes() & CONTROL_MASK) != 0;
    }

    public int lastOffsetDelta() {
        return buf.getInt(start + LAST_OFFSET_DELTA_OFFSET);
    }

    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    /** The offset after this batch. */
    public long nextOffset() {
        return lastOffset() + 1;
    }

    public long baseTimestamp() {
        return buf.getLong(start + BASE_TIMESTAMP_OFFSET);
    }

    public long maxTimestamp() {
        return buf.getLong(start + MAX_TIMESTAMP_OFFSET);
    }

    public long producerId() {
        return buf.getLong(start + PRODUCER_ID_OFFSET);
    }

    public short producerEpoch() {
        return buf.getShort(start + PRODUCER_EPOCH_OFFSET);
    }

    public int baseSequence() {
        return buf.getInt(start + BASE_SEQUENCE_OFFSET);
    }

    /** The sequence of the last record, wrapping at Integer.MAX_VALUE as Kafka does. */
    public int lastSequence() {
        int base = baseSequence();
        if (base == NO_SEQUENCE) {
            return NO_SEQUENCE;
        }
        long last = (long) base + lastOffsetDelta();
        return (int) (last > Integer.MAX_VALUE ? last - Integer.MAX_VALUE - 1 : last);
    }

    public boolean hasProducerId() {
        return producerId() > NO_PRODUCER_ID;
    }

    public int recordCount() {
        return buf.getInt(start + RECORDS_COUNT_OFFSET);
    }

    /** The CRC-32C of attributes through the last record, as it should be stored. */
    public long computeChecksum() {
        CRC32C crc = new CRC32C();
        ByteBuffer dup = buf.duplicate();
        dup.limit(start + sizeInBytes()).position(start + ATTRIBUTES_OFFSET);
        crc.update(dup);
        return crc.getValue();
    }

    public boolean isValidChecksum() {
        return checksum() == computeChecksum();
    }

    /**
     * Checks what can be checked without reading the records: magic, CRC, the record count against the offset
     * delta, and a known compression type.
     *
     * @throws InvalidRecordException with CORRUPT_MESSAGE, INVALID_RECORD or UNSUPPORTED_COMPRESSION_TYPE
     */
    public void ensureValid() {
        if (magic() != MAGIC) {
            throw new InvalidRecordException(dev.strata.api.common.ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
                    "Record batch magic " + magic() + " is not supported; only magic 2 is");
        }
        if (!isValidChecksum()) {
            throw InvalidRecordException.corrupt("Record batch CRC mismatch: stored " + checksum() + ", computed "
                    + computeChecksum());
        }
        int count = recordCount();
        if (count < 0 || lastOffsetDelta() < 0 || (count > 0 && lastOffsetDelta() < count - 1)) {
            throw new InvalidRecordException(dev.strata.api.common.ErrorCode.INVALID_RECORD,
                    "Record batch has " + count + " records but last offset delta " + lastOffsetDelta());
        }
        compressionType();
    }

    /** Rewrites the base offset (not covered by the CRC). */
    public void setBaseOffset(long offset) {
        buf.putLong(start + BASE_OFFSET_OFFSET, offset);
    }

    /** Rewrites the partition leader epoch (not covered by the CRC). */
    public void setPartitionLeaderEpoch(int epoch) {
        buf.putInt(start + PARTITION_LEADER_EPOCH_OFFSET, epoch);
    }

    /**
     * Stamps the batch with the broker's append time: sets the timestamp-type bit and max timestamp, then
     * recomputes the CRC since both are covered by it.
     */
    public void setLogAppendTime(long timestamp) {
        short attributes = (short) (attributes() | TIMESTAMP_TYPE_MASK);
        buf.putShort(start + ATTRIBUTES_OFFSET, attributes);
        buf.putLong(start + MAX_TIMESTAMP_OFFSET, timestamp);
        buf.putInt(start + CRC_OFFSET, (int) computeChecksum());
    }

    /** A buffer over exactly this batch, sharing content with the original. */
    public ByteBuffer slice() {
        return buf.slice(start, sizeInBytes());
    }

    @Override
    public String toString() {
        return "RecordBatch(baseOffset=" + baseOffset() + ", lastOffset=" + lastOffset() + ", size=" + sizeInBytes()
                + ", records=" + recordCount() + ", compression=" + compressionId() + ", producerId=" + producerId()
                + ", baseSequence=" + baseSequence() + ")";
    }
}
