package dev.strata.group.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.TopicPartition;
import dev.strata.group.internal.CoordinatorRecords.GroupValue;
import dev.strata.group.internal.CoordinatorRecords.MemberValue;
import dev.strata.group.internal.CoordinatorRecords.OffsetValue;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoordinatorRecordsTest {

    @Test
    void offsetKeyAndValueRoundTripInKafkasLayout() {
        byte[] key = CoordinatorRecords.offsetKey("grp", new TopicPartition("t", 3));
        // int16 version 1 | int16 3 "grp" | int16 1 "t" | int32 3
        assertArrayEquals(new byte[] {0, 1, 0, 3, 'g', 'r', 'p', 0, 1, 't', 0, 0, 0, 3}, key);
        CoordinatorRecords.Key k = CoordinatorRecords.parseKey(ByteBuffer.wrap(key));
        assertTrue(k.isOffsetKey());
        assertEquals("grp", k.group());
        assertEquals(new TopicPartition("t", 3), k.tp());

        OffsetValue v = new OffsetValue(123456789L, 7, "meta", 1700000000000L);
        assertEquals(v, CoordinatorRecords.parseOffsetValue(ByteBuffer.wrap(CoordinatorRecords.offsetValue(v))));
    }

    @Test
    void groupValueRoundTrips() {
        MemberValue m1 = new MemberValue("m-1", null, "client", "/1.2.3.4", 30000, 10000, new byte[] {1, 2},
                new byte[] {3});
        MemberValue m2 = new MemberValue("m-2", "instance-2", "client", "/1.2.3.5", 30000, 10000, new byte[0],
                new byte[0]);
        GroupValue v = new GroupValue("consumer", 5, "range", "m-1", 99L, List.of(m1, m2));
        GroupValue back = CoordinatorRecords.parseGroupValue(ByteBuffer.wrap(CoordinatorRecords.groupValue(v)));
        assertEquals("consumer", back.protocolType());
        assertEquals(5, back.generation());
        assertEquals("range", back.protocolName());
        assertEquals("m-1", back.leader());
        assertEquals(99L, back.currentStateTimestampMs());
        assertEquals(2, back.members().size());
        assertNull(back.members().get(0).groupInstanceId());
        assertEquals("instance-2", back.members().get(1).groupInstanceId());
        assertArrayEquals(new byte[] {1, 2}, back.members().get(0).subscription());
        assertArrayEquals(new byte[] {3}, back.members().get(0).assignment());

        CoordinatorRecords.Key k = CoordinatorRecords.parseKey(ByteBuffer.wrap(CoordinatorRecords.groupKey("g")));
        assertEquals("g", k.group());
        assertNull(k.tp());

        GroupValue empty = new GroupValue("consumer", 6, null, null, 100L, List.of());
        GroupValue emptyBack = CoordinatorRecords.parseGroupValue(
                ByteBuffer.wrap(CoordinatorRecords.groupValue(empty)));
        assertNull(emptyBack.protocolName());
        assertTrue(emptyBack.members().isEmpty());
    }

    @Test
    void malformedRecordsAreRejectedNotOverread() {
        byte[] value = CoordinatorRecords.groupValue(new GroupValue("consumer", 1, "range", "m", 1L,
                List.of(new MemberValue("m", null, "c", "h", 1, 1, new byte[10], new byte[10]))));
        for (int cut = 0; cut < value.length; cut++) {
            byte[] truncated = Arrays.copyOf(value, cut);
            assertThrows(IllegalArgumentException.class,
                    () -> CoordinatorRecords.parseGroupValue(ByteBuffer.wrap(truncated)));
        }
        assertThrows(IllegalArgumentException.class,
                () -> CoordinatorRecords.parseKey(ByteBuffer.wrap(new byte[] {0, 9, 0, 0})));
        // A member count far beyond the bytes present must not allocate.
        ByteBuffer huge = ByteBuffer.allocate(2 + 2 + 4 + 2 + 2 + 8 + 4);
        huge.putShort((short) 3).putShort((short) 0).putInt(1).putShort((short) -1).putShort((short) -1)
                .putLong(0).putInt(Integer.MAX_VALUE);
        assertThrows(IllegalArgumentException.class, () -> CoordinatorRecords.parseGroupValue(huge.flip()));
    }
}
