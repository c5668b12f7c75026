package dev.strata.group.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/** Groups land on the __consumer_offsets partition Kafka would choose, negative hash codes included. */
class GroupPlacementTest {

    @Test
    void placesGroupsAsKafkaDoes() {
        int negatives = 0;
        for (int i = 0; i < 10_000; i++) {
            String group = "group-" + i;
            negatives += group.hashCode() < 0 ? 1 : 0;
            for (int partitions : new int[] {1, 3, 50}) {
                assertEquals(Utils.abs(group.hashCode()) % partitions, Groups.partitionFor(group, partitions), group);
            }
        }
        assertTrue(negatives > 0, "the sample must include negative hash codes");
        // "polygenelubricants".hashCode() == Integer.MIN_VALUE: Kafka takes abs of it as 0.
        assertEquals(0, Groups.partitionFor("polygenelubricants", 50));
    }
}
