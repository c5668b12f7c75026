package dev.strata.api.metadata;

/** Told of topic changes. Called on the thread that made the change; must not block. */
public interface MetadataListener {
    void topicCreated(TopicMetadata topic);

    void topicDeleted(TopicMetadata topic);

    default void topicConfigChanged(TopicMetadata topic) {
    }
}
