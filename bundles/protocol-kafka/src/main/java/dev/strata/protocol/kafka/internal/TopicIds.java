package dev.strata.protocol.kafka.internal;

import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.TopicMetadata;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.Uuid;

/** Conversions between Strata's {@link UUID} topic ids and Kafka's {@link Uuid}. Stateless. */
final class TopicIds {
    private TopicIds() {
    }

    static Uuid toKafka(UUID id) {
        return id == null ? Uuid.ZERO_UUID : new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    /** Topic names by id, a snapshot for one request. */
    static Map<Uuid, String> namesById(MetadataStore metadata) {
        Map<Uuid, String> names = new HashMap<>();
        for (TopicMetadata topic : metadata.topics()) {
            names.put(toKafka(topic.topicId()), topic.name());
        }
        return names;
    }
}
