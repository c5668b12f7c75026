package dev.strata.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordBatchesTest {

    /** Batches of 2 records each at offsets {@code first, first+2, ...}, concatenated. */
    private static ByteBuffer concat(long first, int batches, int room) {
        ByteBuffer out = ByteBuffer.allocate(batches * 200 + room);
        for (int i = 0; i < batches; i++) {
            out.put(new RecordBatchBuilder().baseOffset(first + 2L * i).add(i, null, new byte[] {1, 2, 3})
                    .add(i + 1, new byte[] {9}, new byte[] {4}).build());
        }
        return out;
    }

    @Test
    void parseSplitsConcatenatedBatches() {
        ByteBuffer buf = concat(10, 4, 0).flip();
        List<RecordBatch> batches = RecordBatches.parse(buf);
        assertEquals(4, batches.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(10 + 2L * i, batches.get(i).baseOffset());
            batches.get(i).ensureValid();
        }
        assertEquals(buf.limit(), batches.get(3).start() + batches.get(3).sizeInBytes());
        assertEquals(0, RecordBatches.parse(ByteBuffer.allocate(0)).size());
        ByteBuffer partial = buf.duplicate().limit(buf.limit() - 5);
        assertThrows(InvalidRecordException.class, () -> RecordBatches.parse(partial));
    }

    @Test
    void validPrefixStopsAtGarbageATornBatchOrOffsetsGoingBack() {
        ByteBuffer whole = concat(0, 3, 0).flip();
        int total = whole.limit();
        assertEquals(total, RecordBatches.validPrefixLength(whole.duplicate()));

        ByteBuffer garbage = concat(0, 3, 40);
        garbage.put(new byte[] {0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 60, 1, 2, 3}).flip();
        assertEquals(total, RecordBatches.validPrefixLength(garbage));

        ByteBuffer torn = concat(0, 4, 0).flip();
        int fourth = RecordBatches.parse(torn).get(3).start();
        assertEquals(fourth, RecordBatches.validPrefixLength(torn.duplicate().limit(torn.limit() - 1)));

        ByteBuffer back = concat(0, 3, 300);
        back.put(new RecordBatchBuilder().baseOffset(3).add(0, null, new byte[] {1}).build()).flip();
        assertEquals(total, RecordBatches.validPrefixLength(back));

        ByteBuffer corrupt = concat(0, 3, 0).flip();
        int second = RecordBatches.parse(corrupt).get(1).start();
        corrupt.put(second + RecordBatch.HEADER_SIZE + 2, (byte) 0x44);
        assertEquals(second, RecordBatches.validPrefixLength(corrupt));
    }

    @Test
    void validPrefixCountsFromTheBufferPosition() {
        ByteBuffer buf = ByteBuffer.allocate(1000);
        buf.put(new byte[17]);
        int start = buf.position();
        buf.put(concat(5, 2, 0).flip());
        buf.flip().position(start);
        assertEquals(buf.limit() - start, RecordBatches.validPrefixLength(buf));
    }
}
