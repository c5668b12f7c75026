package dev.strata.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.compression.CompressionType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordBatchTest {

    private static ByteBuffer threeRecords() {
        return new RecordBatchBuilder().baseOffset(1000).producer(77, (short) 3, 40).partitionLeaderEpoch(9)
                .transactional(true)
                .add(5000, "a".getBytes(StandardCharsets.UTF_8), "one".getBytes(StandardCharsets.UTF_8))
                .add(5007, null, "two".getBytes(StandardCharsets.UTF_8))
                .add(4990, "c".getBytes(StandardCharsets.UTF_8), null)
                .build();
    }

    @Test
    void headerFieldsAreWhatTheBuilderWrote() {
        ByteBuffer buf = threeRecords();
        RecordBatch b = RecordBatch.at(buf, 0);
        assertEquals(1000, b.baseOffset());
        assertEquals(buf.limit(), b.sizeInBytes());
        assertEquals(buf.limit() - RecordBatch.LOG_OVERHEAD, b.batchLength());
        assertEquals(9, b.partitionLeaderEpoch());
        assertEquals(RecordBatch.MAGIC, b.magic());
        assertEquals(2, b.lastOffsetDelta());
        assertEquals(1002, b.lastOffset());
        assertEquals(1003, b.nextOffset());
        assertEquals(5000, b.baseTimestamp());
        assertEquals(5007, b.maxTimestamp());
        assertEquals(77, b.producerId());
        assertEquals(3, b.producerEpoch());
        assertEquals(40, b.baseSequence());
        assertEquals(42, b.lastSequence());
        assertEquals(3, b.recordCount());
        assertTrue(b.hasProducerId());
        assertTrue(b.isTransactional());
        assertFalse(b.isControl());
        assertFalse(b.isLogAppendTime());
        assertEquals(CompressionType.NONE, b.compressionType());
        assertTrue(b.isValidChecksum());
        b.ensureValid();
        assertEquals(buf.limit(), b.slice().remaining());
    }

    @Test
    void aBatchWithoutProducerHasNoSequence() {
        RecordBatch b = RecordBatch.at(new RecordBatchBuilder().control(true).add(1, null, new byte[] {1}).build(), 0);
        assertFalse(b.hasProducerId());
        assertEquals(RecordBatch.NO_SEQUENCE, b.lastSequence());
        assertTrue(b.isControl());
        assertEquals(0, b.lastOffsetDelta());
    }

    @Test
    void lastSequenceWrapsLikeKafka() {
        RecordBatchBuilder builder = new RecordBatchBuilder().producer(1, (short) 0, Integer.MAX_VALUE - 1);
        for (int i = 0; i < 4; i++) {
            builder.add(i, null, new byte[] {(byte) i});
        }
        assertEquals(1, RecordBatch.at(builder.build(), 0).lastSequence());
    }

    @Test
    void anyFlippedByteCoveredByTheCrcIsDetected() {
        ByteBuffer good = threeRecords();
        for (int i = RecordBatch.ATTRIBUTES_OFFSET; i < good.limit(); i++) {
            ByteBuffer bad = copy(good);
            bad.put(i, (byte) (bad.get(i) ^ 0x10));
            RecordBatch b = RecordBatch.at(bad, 0);
            assertFalse(b.isValidChecksum(), "flip at " + i);
            assertThrows(InvalidRecordException.class, b::ensureValid, "flip at " + i);
        }
        ByteBuffer records = copy(good);
        records.put(records.limit() - 1, (byte) 0x7f);
        assertEquals(ErrorCode.CORRUPT_MESSAGE,
                assertThrows(InvalidRecordException.class, () -> RecordBatch.at(records, 0).ensureValid()).error());
    }

    @Test
    void offsetLengthFreeFieldsMayBeRewrittenWithoutBreakingTheCrc() {
        ByteBuffer buf = threeRecords();
        RecordBatch b = RecordBatch.at(buf, 0);
        b.setBaseOffset(123_456_789_000L);
        b.setPartitionLeaderEpoch(44);
        b.ensureValid();
        assertEquals(123_456_789_002L, b.lastOffset());
        assertEquals(44, b.partitionLeaderEpoch());

        b.setLogAppendTime(9_999);
        assertTrue(b.isLogAppendTime());
        assertEquals(9_999, b.maxTimestamp());
        assertTrue(b.isTransactional(), "other attributes are kept");
        b.ensureValid();
    }

    @Test
    void wrongMagicUnknownCompressionAndBadCountsAreRefused() {
        ByteBuffer magic = threeRecords();
        magic.put(RecordBatch.MAGIC_OFFSET, (byte) 1);
        assertEquals(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
                assertThrows(InvalidRecordException.class, () -> RecordBatch.at(magic, 0).ensureValid()).error());

        ByteBuffer codec = threeRecords();
        codec.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) 6);
        RecordBatch withCodec6 = RecordBatch.at(codec, 0);
        codec.putInt(RecordBatch.CRC_OFFSET, (int) withCodec6.computeChecksum());
        assertEquals(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
                assertThrows(InvalidRecordException.class, withCodec6::ensureValid).error());

        ByteBuffer count = threeRecords();
        count.putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, 1);
        RecordBatch fewerDeltas = RecordBatch.at(count, 0);
        count.putInt(RecordBatch.CRC_OFFSET, (int) fewerDeltas.computeChecksum());
        assertEquals(ErrorCode.INVALID_RECORD,
                assertThrows(InvalidRecordException.class, fewerDeltas::ensureValid).error());
    }

    @Test
    void truncatedOrImpossibleLengthsAreCorrupt() {
        ByteBuffer buf = threeRecords();
        ByteBuffer shortHeader = copy(buf).limit(RecordBatch.HEADER_SIZE - 1);
        assertEquals(ErrorCode.CORRUPT_MESSAGE,
                assertThrows(InvalidRecordException.class, () -> RecordBatch.at(shortHeader, 0)).error());
        ByteBuffer truncated = copy(buf).limit(buf.limit() - 1);
        assertThrows(InvalidRecordException.class, () -> RecordBatch.at(truncated, 0));
        ByteBuffer tiny = copy(buf);
        tiny.putInt(RecordBatch.LENGTH_OFFSET, 10);
        assertThrows(InvalidRecordException.class, () -> RecordBatch.at(tiny, 0));
        ByteBuffer huge = copy(buf);
        huge.putInt(RecordBatch.LENGTH_OFFSET, Integer.MAX_VALUE);
        assertThrows(InvalidRecordException.class, () -> RecordBatch.at(huge, 0));
    }

    @Test
    void anEmptyBuilderIsRefused() {
        assertThrows(IllegalStateException.class, () -> new RecordBatchBuilder().build());
    }

    static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.limit());
        c.put(b.duplicate().position(0)).flip();
        return c;
    }
}
