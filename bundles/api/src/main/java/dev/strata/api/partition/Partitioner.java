package dev.strata.api.partition;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Chooses the partition of a record produced through Strata's in-container client API. Vendors register
 * implementations as services with the property {@value #PROPERTY_NAME}; a producer names the one it wants.
 * Implementations are thread-safe.
 */
// Vendors implement it in their own bundles: a new method is a major change.
@ConsumerType
public interface Partitioner {
    String PROPERTY_NAME = "strata.partitioner.name";

    /**
     * @param key the serialized key, or {@code null}
     * @param numPartitions the topic's current partition count, at least 1
     * @return a partition in {@code [0, numPartitions)}
     */
    int partition(String topic, byte[] key, byte[] value, int numPartitions);
}
