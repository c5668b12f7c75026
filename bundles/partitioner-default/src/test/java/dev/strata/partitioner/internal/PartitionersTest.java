package dev.strata.partitioner.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class PartitionersTest {

    @Test
    void murmur2IsKafkasForEveryLengthAndByteValue() {
        Random random = new Random(42);
        for (int length = 0; length <= 64; length++) {
            for (int trial = 0; trial < 200; trial++) {
                byte[] key = new byte[length];
                random.nextBytes(key);
                assertEquals(Utils.murmur2(key), Murmur2.hash(key), "murmur2 of " + length + " bytes");
            }
        }
        for (int n : new int[] {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, -123456789}) {
            assertEquals(Utils.toPositive(n), Murmur2.toPositive(n), "toPositive(" + n + ")");
        }
    }

    @Test
    void keysLandWhereKafkasProducerPutsThem() {
        DefaultPartitioner partitioner = new DefaultPartitioner();
        Random random = new Random(7);
        for (int numPartitions : new int[] {1, 2, 3, 6, 7, 50, 1000}) {
            for (int i = 0; i < 500; i++) {
                byte[] key = ("key-" + i + "-" + random.nextInt()).getBytes(StandardCharsets.UTF_8);
                assertEquals(BuiltInPartitioner.partitionForKey(key, numPartitions),
                        partitioner.partition("t", key, null, numPartitions),
                        "key " + new String(key, StandardCharsets.UTF_8) + " over " + numPartitions);
            }
        }
        // A few fixed points, so a change in kafka-clients itself would show too.
        assertEquals(Utils.toPositive(Utils.murmur2(new byte[0])) % 6, partitioner.partition("t", new byte[0], null, 6));
    }

    @Test
    void nullKeysStickToOnePartitionForABatchThenSwitch() {
        DefaultPartitioner partitioner = new DefaultPartitioner();
        byte[] value = new byte[1000];
        int first = partitioner.partition("t", null, value, 8);
        int sameRun = 1;
        int p = first;
        while (p == first && sameRun < 100) {
            p = partitioner.partition("t", null, value, 8);
            if (p == first) {
                sameRun++;
            }
        }
        // 16 records of 1008 bytes fill 16 KiB; the 17th starts the next batch on another partition.
        assertEquals(DefaultPartitioner.STICKY_BATCH_BYTES / 1008 + 1, sameRun);
        assertNotEquals(first, p);

        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 16 * 400; i++) {
            used.add(partitioner.partition("t", null, value, 8));
        }
        assertEquals(8, used.size(), "over many batches every partition gets some: " + used);
        // Topics have their own sticky partition and a shrunken count is honoured.
        assertTrue(partitioner.partition("other", null, value, 1) == 0);
    }

    @Test
    void roundRobinCyclesPerTopic() {
        RoundRobinPartitioner partitioner = new RoundRobinPartitioner();
        for (int i = 0; i < 9; i++) {
            assertEquals(i % 3, partitioner.partition("a", "same".getBytes(StandardCharsets.UTF_8), null, 3));
        }
        assertEquals(0, partitioner.partition("b", null, null, 3));
    }
}
