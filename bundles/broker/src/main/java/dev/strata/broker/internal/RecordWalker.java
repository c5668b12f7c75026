package dev.strata.broker.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.record.InvalidRecordException;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordReader;
import dev.strata.record.Varint;
import java.nio.ByteBuffer;

/**
 * Walks the records of an uncompressed v2 batch without copying them: validates their structure (lengths, offset
 * deltas, record count) on produce, and finds a record by timestamp for ListOffsets. Stateless: thread-safe.
 */
final class RecordWalker {
    /** Sees each record's position in the batch; returns false to stop the walk. */
    interface Visitor {
        boolean record(int index, long timestamp, int offsetDelta);
    }

    private RecordWalker() {
    }

    /**
     * Checks every record of an uncompressed batch: its length frames exactly its fields, offset deltas run
     * 0, 1, 2..., the count matches the header, and each timestamp (other than -1, "none") lies in
     * {@code [minTimestamp, maxTimestamp]}.
     *
     * @throws StrataException CORRUPT_MESSAGE for a malformed record, INVALID_RECORD for wrong offsets or count,
     *     INVALID_TIMESTAMP for a timestamp out of range
     */
    static void validate(RecordBatch batch, long minTimestamp, long maxTimestamp) {
        walk(batch, true, (i, ts, delta) -> {
            if (delta != i) {
                throw new InvalidRecordException(ErrorCode.INVALID_RECORD, "Record " + i + " has offset delta "
                        + delta + "; inner offsets must run 0, 1, 2...");
            }
            checkTimestamp(ts, i, minTimestamp, maxTimestamp);
            return true;
        });
    }

    /** @throws StrataException INVALID_TIMESTAMP */
    static void checkTimestamp(long timestamp, int index, long minTimestamp, long maxTimestamp) {
        if (timestamp != RecordBatch.NO_TIMESTAMP && (timestamp < minTimestamp || timestamp > maxTimestamp)) {
            throw new InvalidRecordException(ErrorCode.INVALID_TIMESTAMP, "Timestamp " + timestamp + " of record "
                    + index + " is out of range. The timestamp should be within [" + minTimestamp + ", "
                    + maxTimestamp + "]");
        }
    }

    /**
     * Visits the records of an uncompressed batch in order.
     *
     * @param strict check that each record's fields fill its length exactly and that the batch holds exactly
     *     {@code recordCount} records
     */
    static void walk(RecordBatch batch, boolean strict, Visitor visitor) {
        ByteBuffer in = batch.slice();
        in.position(RecordBatch.HEADER_SIZE);
        int count = batch.recordCount();
        long baseTimestamp = batch.baseTimestamp();
        for (int i = 0; i < count; i++) {
            if (!in.hasRemaining()) {
                throw InvalidRecordException.corrupt("The batch declares " + count + " records but holds " + i);
            }
            int length = Varint.readVarint(in);
            if (length < 0 || length > in.remaining()) {
                throw InvalidRecordException.corrupt("Record " + i + " has an impossible length " + length);
            }
            if (length < RecordReader.MIN_BODY_SIZE) {
                // Attributes, timestamp delta, offset delta, key length, value length, header count: a byte each
                // at least. Checked here so that no field read can run past the record.
                throw InvalidRecordException.corrupt("Record " + i + " has length " + length + ", less than the "
                        + RecordReader.MIN_BODY_SIZE + " bytes of its fixed fields");
            }
            int end = in.position() + length;
            ByteBuffer rec = in.duplicate().limit(end);
            rec.get(); // attributes
            long timestamp = baseTimestamp + Varint.readVarlong(rec);
            int offsetDelta = Varint.readVarint(rec);
            if (strict) {
                skipBytes(rec, true, i, "key");
                skipBytes(rec, true, i, "value");
                int headers = Varint.readVarint(rec);
                if (headers < 0) {
                    throw InvalidRecordException.corrupt("Record " + i + " has " + headers + " headers");
                }
                for (int h = 0; h < headers; h++) {
                    skipBytes(rec, false, i, "header key");
                    skipBytes(rec, true, i, "header value");
                }
                if (rec.hasRemaining()) {
                    throw InvalidRecordException.corrupt("Record " + i + " has " + rec.remaining()
                            + " bytes after its last field");
                }
            }
            if (!visitor.record(i, timestamp, offsetDelta)) {
                return;
            }
            in.position(end);
        }
        if (strict && in.hasRemaining()) {
            throw InvalidRecordException.corrupt("The batch has " + in.remaining() + " bytes after its " + count
                    + " records");
        }
    }

    private static void skipBytes(ByteBuffer rec, boolean nullable, int index, String what) {
        int n = Varint.readVarint(rec);
        if (n < 0 && nullable && n == -1) {
            return;
        }
        if (n < 0 || n > rec.remaining()) {
            throw InvalidRecordException.corrupt("Record " + index + " has an impossible " + what + " length " + n);
        }
        rec.position(rec.position() + n);
    }
}
