package dev.strata.partitioner.internal;

import dev.strata.api.partition.Partitioner;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Component;

/**
 * Spreads records evenly, key or not: the n-th record sent to a topic goes to partition {@code n % numPartitions}
 * (what Kafka's {@code RoundRobinPartitioner} aims at). Keys do not stay on one partition. Thread-safe: one atomic
 * counter per topic.
 */
@Component(service = Partitioner.class, property = Partitioner.PROPERTY_NAME + "=" + RoundRobinPartitioner.NAME)
public final class RoundRobinPartitioner implements Partitioner {
    static final String NAME = "round-robin";

    private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();

    @Override
    public int partition(String topic, byte[] key, byte[] value, int numPartitions) {
        int n = counters.computeIfAbsent(topic, t -> new AtomicInteger()).getAndIncrement();
        return Murmur2.toPositive(n) % numPartitions;
    }
}
