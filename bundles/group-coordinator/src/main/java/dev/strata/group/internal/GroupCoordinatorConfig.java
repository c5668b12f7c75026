package dev.strata.group.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of PID {@code dev.strata.group.coordinator}; names follow Kafka's broker settings. */
@ObjectClassDefinition(name = "Strata group coordinator",
        description = "Consumer groups (classic protocol) and committed offsets in __consumer_offsets")
public @interface GroupCoordinatorConfig {
    @AttributeDefinition(name = "offsets.topic.num.partitions",
            description = "Partitions of __consumer_offsets when it is created (fixed afterwards)")
    int offsets_topic_num_partitions() default 50;

    @AttributeDefinition(name = "offsets.topic.replication.factor",
            description = "Replication factor of __consumer_offsets; -1 takes the broker default")
    short offsets_topic_replication_factor() default -1;

    @AttributeDefinition(name = "group.min.session.timeout.ms")
    int group_min_session_timeout_ms() default 6000;

    @AttributeDefinition(name = "group.max.session.timeout.ms")
    int group_max_session_timeout_ms() default 1800000;

    @AttributeDefinition(name = "group.initial.rebalance.delay.ms",
            description = "How long the first rebalance of an empty group waits for more members")
    int group_initial_rebalance_delay_ms() default 3000;

    @AttributeDefinition(name = "group.max.size", description = "Most members per group; 0 for no limit")
    int group_max_size() default 0;

    @AttributeDefinition(name = "offsets.retention.minutes",
            description = "How long offsets of an empty group are kept")
    int offsets_retention_minutes() default 10080;

    @AttributeDefinition(name = "offsets.retention.check.interval.ms")
    long offsets_retention_check_interval_ms() default 600000;

    @AttributeDefinition(name = "offset.metadata.max.bytes", description = "Longest metadata string of a commit")
    int offset_metadata_max_bytes() default 4096;

    @AttributeDefinition(name = "offsets.commit.timeout.ms",
            description = "How long a commit waits for its write to be acknowledged")
    int offsets_commit_timeout_ms() default 5000;

    @AttributeDefinition(name = "offsets.load.buffer.size", description = "Bytes per read while loading")
    int offsets_load_buffer_size() default 5242880;
}
