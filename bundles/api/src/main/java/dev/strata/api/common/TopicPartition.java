package dev.strata.api.common;

import java.util.Objects;

/** One partition of one topic. Immutable. */
public record TopicPartition(String topic, int partition) implements Comparable<TopicPartition> {
    public TopicPartition {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0: " + partition);
        }
    }

    @Override
    public int compareTo(TopicPartition o) {
        int c = topic.compareTo(o.topic);
        return c != 0 ? c : Integer.compare(partition, o.partition);
    }

    /** The conventional directory name, {@code topic-partition}. */
    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
