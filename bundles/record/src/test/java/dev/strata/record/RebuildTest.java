package dev.strata.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** Rebuilding a batch from some of its records (the log cleaner's use), read back by kafka-clients. */
class RebuildTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void recordsKeepTheirOffsetsAndTheBatchItsLastOffset() {
        ByteBuffer original = new RecordBatchBuilder().baseOffset(100).producer(7, (short) 2, 40)
                .add(1_000, utf8("a"), utf8("1")).add(1_001, utf8("b"), utf8("2")).add(1_002, utf8("c"), utf8("3"))
                .add(1_003, utf8("d"), utf8("4")).build();
        RecordBatch batch = RecordBatch.at(original, 0);
        List<BatchRecord> records = Records.readAll(batch, null, Integer.MAX_VALUE);

        ByteBuffer rebuilt = new RecordBatchBuilder().baseOffset(batch.baseOffset())
                .producer(batch.producerId(), batch.producerEpoch(), batch.baseSequence())
                .lastOffsetDelta(batch.lastOffsetDelta())
                .addWithOffset(records.get(1)).addWithOffset(records.get(2)).build();

        MutableRecordBatch kafka = MemoryRecords.readableRecords(rebuilt).batches().iterator().next();
        kafka.ensureValid();
        assertEquals(100, kafka.baseOffset());
        assertEquals(103, kafka.lastOffset());
        assertEquals(43, kafka.lastSequence());
        assertEquals(7, kafka.producerId());
        assertEquals(2, kafka.countOrNull());
        List<Long> offsets = new java.util.ArrayList<>();
        for (Record r : kafka) {
            offsets.add(r.offset());
        }
        assertEquals(List.of(101L, 102L), offsets);
        assertEquals(1_002, kafka.maxTimestamp());
    }

    @Test
    void logAppendTimeIsKept() {
        ByteBuffer original = new RecordBatchBuilder().baseOffset(0).add(5, utf8("a"), utf8("1"))
                .add(6, utf8("b"), utf8("2")).build();
        RecordBatch.at(original, 0).setLogAppendTime(9_999);
        RecordBatch batch = RecordBatch.at(original, 0);
        List<BatchRecord> records = Records.readAll(batch, null, Integer.MAX_VALUE);
        ByteBuffer rebuilt = new RecordBatchBuilder().logAppendTime(true).lastOffsetDelta(1)
                .addWithOffset(records.get(1)).build();
        MutableRecordBatch kafka = MemoryRecords.readableRecords(rebuilt).batches().iterator().next();
        kafka.ensureValid();
        assertEquals(TimestampType.LOG_APPEND_TIME, kafka.timestampType());
        assertEquals(9_999, kafka.maxTimestamp());
        assertEquals(1, kafka.lastOffset());
    }

    @Test
    void emptyHeaderKeepsProducerAndOffsets() {
        ByteBuffer original = new RecordBatchBuilder().baseOffset(50).producer(9, (short) 1, 10).transactional(true)
                .add(1_000, utf8("a"), utf8("1")).add(2_000, utf8("b"), utf8("2")).build();
        ByteBuffer empty = RecordBatchBuilder.emptyHeader(RecordBatch.at(original, 0));
        MutableRecordBatch kafka = MemoryRecords.readableRecords(empty).batches().iterator().next();
        kafka.ensureValid();
        assertEquals(50, kafka.baseOffset());
        assertEquals(51, kafka.lastOffset());
        assertEquals(11, kafka.lastSequence());
        assertEquals(0, kafka.countOrNull());
        assertTrue(kafka.isTransactional());
        assertEquals(2_000, kafka.maxTimestamp());
    }

    @Test
    void offsetsMustIncrease() {
        ByteBuffer original = new RecordBatchBuilder().baseOffset(0).add(1, utf8("a"), utf8("1"))
                .add(2, utf8("b"), utf8("2")).build();
        List<BatchRecord> records = Records.readAll(RecordBatch.at(original, 0), null, Integer.MAX_VALUE);
        RecordBatchBuilder builder = new RecordBatchBuilder().addWithOffset(records.get(1));
        assertThrows(IllegalArgumentException.class, () -> builder.addWithOffset(records.get(0)));
        assertThrows(IllegalStateException.class, () -> builder.add(records.get(0).toSimpleRecord()));
    }
}
