package dev.strata.record;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Splits a buffer of concatenated record batches into batch views. */
public final class RecordBatches {
    private RecordBatches() {
    }

    /**
     * Every batch between {@code buf.position()} and {@code buf.limit()}, which must hold whole batches only.
     *
     * @throws InvalidRecordException CORRUPT_MESSAGE if the buffer ends inside a batch or a length is impossible
     */
    public static List<RecordBatch> parse(ByteBuffer buf) {
        List<RecordBatch> batches = new ArrayList<>();
        int pos = buf.position();
        while (pos < buf.limit()) {
            RecordBatch batch = RecordBatch.at(buf, pos);
            batches.add(batch);
            pos += batch.sizeInBytes();
        }
        return Collections.unmodifiableList(batches);
    }

    /**
     * The number of bytes at the start of {@code buf} (from its position) that form whole, CRC-valid v2 batches with
     * increasing offsets. Used by log recovery to find where a torn or corrupt tail begins.
     */
    public static int validPrefixLength(ByteBuffer buf) {
        int pos = buf.position();
        long nextOffset = Long.MIN_VALUE;
        while (pos < buf.limit()) {
            RecordBatch batch;
            try {
                batch = RecordBatch.at(buf, pos);
                batch.ensureValid();
            } catch (InvalidRecordException e) {
                break;
            }
            if (batch.baseOffset() < nextOffset) {
                break;
            }
            nextOffset = batch.nextOffset();
            pos += batch.sizeInBytes();
        }
        return pos - buf.position();
    }
}
