package dev.strata.api.metadata;

import java.util.Map;
import java.util.UUID;

/**
 * A topic as the cluster knows it. {@code configs} holds only the settings given explicitly for this topic
 * (overrides); defaults come from the broker configuration. Immutable.
 */
public record TopicMetadata(String name, UUID topicId, int partitionCount, short replicationFactor,
                            Map<String, String> configs) {
    public TopicMetadata {
        configs = Map.copyOf(configs);
    }
}
