package com.example.strata.partitioner;

import dev.strata.api.partition.Partitioner;
import org.osgi.service.component.annotations.Component;

/**
 * Sends every record to partition 0, whatever its key: the simplest rule that shows where records go (for
 * example to keep a whole topic in one total order while it still has several partitions for later).
 *
 * <p>A partitioner is a Declarative Services component that offers {@link Partitioner} with the service property
 * {@code strata.partitioner.name}; producers select it by that name, per record or per topic
 * ({@code strata.partitioner} topic config). It must be thread-safe: many producers call it at once.
 */
@Component(service = Partitioner.class, property = Partitioner.PROPERTY_NAME + "=" + FirstPartitionPartitioner.NAME)
public final class FirstPartitionPartitioner implements Partitioner {
    public static final String NAME = "first-partition";

    @Override
    public int partition(String topic, byte[] key, byte[] value, int numPartitions) {
        return 0;
    }
}
