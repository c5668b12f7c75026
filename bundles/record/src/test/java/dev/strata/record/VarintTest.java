package dev.strata.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.api.common.ErrorCode;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.utils.ByteUtils;
import org.junit.jupiter.api.Test;

class VarintTest {
    private static final int[] INTS = {0, 1, -1, 63, -64, 64, -65, 127, 128, 8191, -8192, 8192, 1 << 20, -(1 << 20),
        (1 << 27) - 1, 1 << 27, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 1, Integer.MIN_VALUE + 1};
    private static final long[] LONGS = {0, 1, -1, 63, -64, 64, Integer.MAX_VALUE, Integer.MIN_VALUE,
        (long) Integer.MAX_VALUE + 1, (long) Integer.MIN_VALUE - 1, 1L << 55, -(1L << 55), (1L << 62) - 1,
        Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1};

    @Test
    void intsRoundTripWithTheSizeTheyAnnounce() {
        for (int v : INTS) {
            ByteBuffer buf = ByteBuffer.allocate(5);
            Varint.writeVarint(v, buf);
            assertEquals(Varint.sizeOfVarint(v), buf.position(), "size of " + v);
            buf.flip();
            assertEquals(v, Varint.readVarint(buf), "value " + v);
            assertFalse(buf.hasRemaining());
        }
        assertEquals(1, Varint.sizeOfVarint(0));
        assertEquals(1, Varint.sizeOfVarint(-64));
        assertEquals(2, Varint.sizeOfVarint(64));
        assertEquals(5, Varint.sizeOfVarint(Integer.MIN_VALUE));
        assertEquals(5, Varint.sizeOfVarint(Integer.MAX_VALUE));
    }

    @Test
    void longsRoundTripWithTheSizeTheyAnnounce() {
        for (long v : LONGS) {
            ByteBuffer buf = ByteBuffer.allocate(10);
            Varint.writeVarlong(v, buf);
            assertEquals(Varint.sizeOfVarlong(v), buf.position(), "size of " + v);
            buf.flip();
            assertEquals(v, Varint.readVarlong(buf), "value " + v);
            assertFalse(buf.hasRemaining());
        }
        assertEquals(10, Varint.sizeOfVarlong(Long.MIN_VALUE));
        assertEquals(10, Varint.sizeOfVarlong(Long.MAX_VALUE));
    }

    @Test
    void encodingIsByteForByteKafkas() {
        for (int v : INTS) {
            ByteBuffer ours = ByteBuffer.allocate(5);
            ByteBuffer theirs = ByteBuffer.allocate(5);
            Varint.writeVarint(v, ours);
            ByteUtils.writeVarint(v, theirs);
            assertArrayEquals(Arrays.copyOf(theirs.array(), theirs.position()),
                    Arrays.copyOf(ours.array(), ours.position()), "int " + v);
            assertEquals(ByteUtils.sizeOfVarint(v), Varint.sizeOfVarint(v));
        }
        for (long v : LONGS) {
            ByteBuffer ours = ByteBuffer.allocate(10);
            ByteBuffer theirs = ByteBuffer.allocate(10);
            Varint.writeVarlong(v, ours);
            ByteUtils.writeVarlong(v, theirs);
            assertArrayEquals(Arrays.copyOf(theirs.array(), theirs.position()),
                    Arrays.copyOf(ours.array(), ours.position()), "long " + v);
            assertEquals(ByteUtils.sizeOfVarlong(v), Varint.sizeOfVarlong(v));
        }
    }

    @Test
    void truncatedAndOverlongVarintsAreCorrupt() {
        ByteBuffer truncated = ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) 0x80});
        assertEquals(ErrorCode.CORRUPT_MESSAGE,
                assertThrows(InvalidRecordException.class, () -> Varint.readVarint(truncated)).error());
        assertThrows(InvalidRecordException.class, () -> Varint.readVarlong(ByteBuffer.allocate(0)));

        byte[] six = {(byte) 0x81, (byte) 0x81, (byte) 0x81, (byte) 0x81, (byte) 0x81, 0x01};
        assertThrows(InvalidRecordException.class, () -> Varint.readVarint(ByteBuffer.wrap(six)));
        byte[] eleven = new byte[11];
        Arrays.fill(eleven, (byte) 0xff);
        eleven[10] = 0x01;
        assertThrows(InvalidRecordException.class, () -> Varint.readVarlong(ByteBuffer.wrap(eleven)));
    }
}
