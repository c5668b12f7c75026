package dev.strata.api.metadata;

import java.util.Collection;
import org.osgi.annotation.versioning.ConsumerType;

/** Told of topic changes. Called on the thread that made the change; must not block. */
// A callback any bundle may implement: a new method is a major change.
@ConsumerType
public interface MetadataListener {
    void topicCreated(TopicMetadata topic);

    void topicDeleted(TopicMetadata topic);

    default void topicConfigChanged(TopicMetadata topic) {
    }

    /** The topic grew from {@code previousCount} partitions to {@code topic.partitionCount()}. */
    default void partitionsCreated(TopicMetadata topic, int previousCount) {
    }

    /** The dynamic broker settings of {@code entity} (a broker id as text, or "" for the default) changed. */
    default void brokerConfigsChanged(String entity) {
    }

    /**
     * Leadership changed: each of {@code states} is the new state of one partition (leader, leader epoch, ISR), in
     * the order the controller wrote them. The broker leads, follows or stops serving the partitions it holds.
     */
    default void partitionStatesChanged(Collection<PartitionState> states) {
    }

    /** The set of live brokers or the controller changed ({@link MetadataStore#liveBrokers()}, {@code controllerId()}). */
    default void clusterChanged() {
    }
}
