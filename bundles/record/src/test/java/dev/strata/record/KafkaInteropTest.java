package dev.strata.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.compression.CompressionType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The format against Kafka's own implementation (kafka-clients, test scope only), in both directions. */
class KafkaInteropTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    private static org.apache.kafka.common.record.SimpleRecord[] kafkaRecords() {
        return new org.apache.kafka.common.record.SimpleRecord[] {
            new org.apache.kafka.common.record.SimpleRecord(1_000L, utf8("k0"), utf8("v0")),
            new org.apache.kafka.common.record.SimpleRecord(1_050L, null, utf8("v1")),
            new org.apache.kafka.common.record.SimpleRecord(990L, utf8("k2"), null,
                    new org.apache.kafka.common.header.Header[] {new RecordHeader("h", utf8("hv"))}),
        };
    }

    @Test
    void aBatchKafkaBuiltParsesAndValidates() {
        MemoryRecords records = MemoryRecords.withRecords(RecordBatch.MAGIC, 500L, Compression.NONE,
                TimestampType.CREATE_TIME, kafkaRecords());
        ByteBuffer buf = records.buffer();
        List<RecordBatch> batches = RecordBatches.parse(buf);
        assertEquals(1, batches.size());
        RecordBatch b = batches.get(0);
        b.ensureValid();
        MutableRecordBatch theirs = records.batches().iterator().next();
        assertEquals(theirs.baseOffset(), b.baseOffset());
        assertEquals(502, b.lastOffset());
        assertEquals(theirs.sizeInBytes(), b.sizeInBytes());
        assertEquals(theirs.checksum(), b.checksum());
        assertEquals(theirs.maxTimestamp(), b.maxTimestamp());
        assertEquals(1_050L, b.maxTimestamp());
        assertEquals(1_000L, b.baseTimestamp());
        assertEquals(3, b.recordCount());
        assertFalse(b.hasProducerId());
        assertEquals(buf.limit(), RecordBatches.validPrefixLength(buf.duplicate()));

        List<BatchRecord> ours = Records.readAll(b, null, 1 << 20);
        assertEquals(3, ours.size());
        assertEquals(500, ours.get(0).offset());
        assertArrayEquals(utf8("k0"), bytes(ours.get(0).key()));
        assertNull(ours.get(1).key());
        assertArrayEquals(utf8("v1"), bytes(ours.get(1).value()));
        assertEquals(990L, ours.get(2).timestamp());
        assertNull(ours.get(2).value());
        assertEquals("h", ours.get(2).headers()[0].key());
    }

    @Test
    void idempotentTransactionalAndCompressedKafkaBatchesKeepTheirHeader() {
        MemoryRecords txn = MemoryRecords.withTransactionalRecords(42L, Compression.NONE, 9_001L, (short) 4, 17, 3,
                kafkaRecords());
        RecordBatch t = RecordBatch.at(txn.buffer(), 0);
        t.ensureValid();
        assertEquals(42, t.baseOffset());
        assertEquals(9_001L, t.producerId());
        assertEquals(4, t.producerEpoch());
        assertEquals(17, t.baseSequence());
        assertEquals(19, t.lastSequence());
        assertEquals(3, t.partitionLeaderEpoch());
        assertTrue(t.isTransactional());

        MemoryRecords gzip = MemoryRecords.withRecords(7L, Compression.gzip().build(), kafkaRecords());
        RecordBatch g = RecordBatch.at(gzip.buffer(), 0);
        g.ensureValid();
        assertEquals(CompressionType.GZIP, g.compressionType());
        assertEquals(9, g.lastOffset());
    }

    @Test
    void aBatchWeBuiltIsValidForKafka() {
        ByteBuffer ours = new RecordBatchBuilder().baseOffset(1_234L).producer(55L, (short) 2, 100)
                .partitionLeaderEpoch(6)
                .add(new SimpleRecord(2_000L, ByteBuffer.wrap(utf8("key")), ByteBuffer.wrap(utf8("value")),
                        new SimpleRecord.Header[] {new SimpleRecord.Header("trace", ByteBuffer.wrap(utf8("x"))),
                            new SimpleRecord.Header("empty", null)}))
                .add(1_990L, null, utf8("second"))
                .add(2_500L, utf8("third"), null)
                .build();
        MemoryRecords theirs = MemoryRecords.readableRecords(ours.duplicate());
        List<MutableRecordBatch> batches = new ArrayList<>();
        theirs.batches().forEach(batches::add);
        assertEquals(1, batches.size());
        MutableRecordBatch b = batches.get(0);
        b.ensureValid();
        assertTrue(b.isValid());
        assertEquals(1_234L, b.baseOffset());
        assertEquals(1_236L, b.lastOffset());
        assertEquals(2_500L, b.maxTimestamp());
        assertEquals(55L, b.producerId());
        assertEquals(2, b.producerEpoch());
        assertEquals(100, b.baseSequence());
        assertEquals(6, b.partitionLeaderEpoch());
        assertEquals(TimestampType.CREATE_TIME, b.timestampType());
        assertEquals(3, b.countOrNull());

        List<Record> records = new ArrayList<>();
        b.forEach(records::add);
        assertEquals(3, records.size());
        Record first = records.get(0);
        first.ensureValid();
        assertEquals(1_234L, first.offset());
        assertEquals(2_000L, first.timestamp());
        assertEquals(100, first.sequence());
        assertArrayEquals(utf8("key"), bytes(first.key()));
        assertArrayEquals(utf8("value"), bytes(first.value()));
        assertEquals(2, first.headers().length);
        assertEquals("trace", first.headers()[0].key());
        assertArrayEquals(utf8("x"), first.headers()[0].value());
        assertEquals("empty", first.headers()[1].key());
        assertNull(first.headers()[1].value());
        assertFalse(records.get(1).hasKey());
        assertEquals(1_990L, records.get(1).timestamp());
        assertEquals(1_236L, records.get(2).offset());
        assertFalse(records.get(2).hasValue());
    }

    @Test
    void headerRewritesAreSeenByKafka() {
        MemoryRecords records = MemoryRecords.withRecords(0L, Compression.NONE, kafkaRecords());
        ByteBuffer buf = records.buffer();
        RecordBatch b = RecordBatch.at(buf, 0);
        b.setBaseOffset(77_000L);
        b.setPartitionLeaderEpoch(12);
        b.setLogAppendTime(123_456L);
        MutableRecordBatch theirs = MemoryRecords.readableRecords(buf.duplicate()).batches().iterator().next();
        theirs.ensureValid();
        assertEquals(77_000L, theirs.baseOffset());
        assertEquals(77_002L, theirs.lastOffset());
        assertEquals(12, theirs.partitionLeaderEpoch());
        assertEquals(TimestampType.LOG_APPEND_TIME, theirs.timestampType());
        assertEquals(123_456L, theirs.maxTimestamp());
        theirs.forEach(r -> assertEquals(123_456L, r.timestamp()));
    }
}
