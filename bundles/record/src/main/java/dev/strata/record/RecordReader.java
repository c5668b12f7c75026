package dev.strata.record;

import dev.strata.api.common.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Iterates the records of one v2 batch over its plain (uncompressed or already decompressed) records section.
 * Obtain one from {@link Records#reader}. Every length is checked against the bytes that remain before anything is
 * sliced or allocated, so a corrupt batch fails with an {@link InvalidRecordException} instead of reading out of
 * bounds or allocating what a length field claims:
 * <ul>
 * <li>CORRUPT_MESSAGE: a record's structure is broken (bad varint, size, key/value/header length);</li>
 * <li>INVALID_RECORD: the records disagree with the header's record count (fewer, or bytes left after the last).</li>
 * </ul>
 * Not thread-safe.
 */
public final class RecordReader implements Iterator<BatchRecord> {
    /** Smallest encoded record: length, attributes, timestamp delta, offset delta, key, value, header count. */
    static final int MIN_RECORD_SIZE = 7;
    /** Smallest record body (after its length): one byte each for attributes, the two deltas, key, value, headers. */
    public static final int MIN_BODY_SIZE = MIN_RECORD_SIZE - 1;

    private final ByteBuffer section;
    private final long baseOffset;
    private final long baseTimestamp;
    private final boolean logAppendTime;
    private final long maxTimestamp;
    private final int recordCount;
    private int recordsRead;

    /** @param section the records section, from its position to its limit; consumed by this reader */
    RecordReader(RecordBatch batch, ByteBuffer section) {
        this.section = section;
        this.baseOffset = batch.baseOffset();
        this.baseTimestamp = batch.baseTimestamp();
        this.logAppendTime = batch.isLogAppendTime();
        this.maxTimestamp = batch.maxTimestamp();
        this.recordCount = batch.recordCount();
        if (recordCount < 0) {
            throw new InvalidRecordException(ErrorCode.INVALID_RECORD, "Negative record count " + recordCount);
        }
        if ((long) recordCount * MIN_RECORD_SIZE > section.remaining()) {
            throw new InvalidRecordException(ErrorCode.INVALID_RECORD, "Batch declares " + recordCount
                    + " records but its records section holds only " + section.remaining() + " bytes");
        }
    }

    /** The record count declared by the batch header. */
    public int recordCount() {
        return recordCount;
    }

    @Override
    public boolean hasNext() {
        return recordsRead < recordCount;
    }

    /**
     * @throws InvalidRecordException when the record is corrupt, or (reading the last declared record) when bytes
     *                                follow it
     */
    @Override
    public BatchRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException("All " + recordCount + " records have been read");
        }
        if (!section.hasRemaining()) {
            throw new InvalidRecordException(ErrorCode.INVALID_RECORD, "Batch declares " + recordCount
                    + " records but holds only " + recordsRead);
        }
        BatchRecord record = readRecord();
        recordsRead++;
        if (recordsRead == recordCount && section.hasRemaining()) {
            throw new InvalidRecordException(ErrorCode.INVALID_RECORD, "Batch declares " + recordCount
                    + " records but " + section.remaining() + " bytes follow the last one");
        }
        return record;
    }

    private BatchRecord readRecord() {
        int size = Varint.readVarint(section);
        if (size < MIN_BODY_SIZE || size > section.remaining()) {
            throw InvalidRecordException.corrupt("Record " + recordsRead + " has invalid size " + size + " ("
                    + section.remaining() + " bytes remain)");
        }
        ByteBuffer body = section.slice(section.position(), size);
        section.position(section.position() + size);

        body.get(); // attributes: unused in v2 records
        long timestampDelta = Varint.readVarlong(body);
        int offsetDelta = Varint.readVarint(body);
        ByteBuffer key = readBytes(body, "key");
        ByteBuffer value = readBytes(body, "value");
        int headerCount = Varint.readVarint(body);
        // A header takes at least two bytes (key length and value length), which bounds the array size.
        if (headerCount < 0 || headerCount > body.remaining() / 2) {
            throw InvalidRecordException.corrupt("Record " + recordsRead + " has invalid header count "
                    + headerCount);
        }
        SimpleRecord.Header[] headers = new SimpleRecord.Header[headerCount];
        for (int i = 0; i < headerCount; i++) {
            int keyLength = Varint.readVarint(body);
            if (keyLength < 0 || keyLength > body.remaining()) {
                throw InvalidRecordException.corrupt("Record " + recordsRead + " has invalid header key length "
                        + keyLength);
            }
            String headerKey = decodeUtf8(body.slice(body.position(), keyLength));
            body.position(body.position() + keyLength);
            headers[i] = new SimpleRecord.Header(headerKey, readBytes(body, "header value"));
        }
        if (body.hasRemaining()) {
            throw InvalidRecordException.corrupt("Record " + recordsRead + " has " + body.remaining()
                    + " bytes beyond its fields");
        }
        long timestamp = logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta;
        return new BatchRecord(baseOffset + offsetDelta, timestamp, key, value, headers);
    }

    private ByteBuffer readBytes(ByteBuffer body, String what) {
        int length = Varint.readVarint(body);
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > body.remaining()) {
            throw InvalidRecordException.corrupt("Record " + recordsRead + " has invalid " + what + " length "
                    + length + " (" + body.remaining() + " bytes remain)");
        }
        ByteBuffer bytes = body.slice(body.position(), length).asReadOnlyBuffer();
        body.position(body.position() + length);
        return bytes;
    }

    /** Lenient like Kafka: invalid sequences become U+FFFD rather than failing the batch. */
    private static String decodeUtf8(ByteBuffer bytes) {
        return StandardCharsets.UTF_8.decode(bytes).toString();
    }
}
