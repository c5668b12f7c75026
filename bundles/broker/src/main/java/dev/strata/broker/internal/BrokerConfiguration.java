package dev.strata.broker.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The broker's ConfigAdmin configuration (PID {@value BrokerComponent#PID}). Method names map to Kafka's key names
 * ({@code log_dirs} is {@code log.dirs}); FileInstall reads them from {@code etc/dev.strata.broker.cfg}. An
 * annotation that bnd turns into metatype at build time (no state, no threads); {@link BrokerSettings} parses the
 * actual values.
 */
@ObjectClassDefinition(name = "Strata Broker", description = "Broker identity, data directory and log defaults")
public @interface BrokerConfiguration {

    @AttributeDefinition(name = "broker.id", description = "The id of this broker")
    int broker_id() default 0;

    @AttributeDefinition(name = "log.dirs", required = false,
            description = "Data directory, one (relative paths resolve against the working directory). Empty: the "
                    + "container's, ${karaf.data}/strata in Karaf, else data/ in the working directory")
    String log_dirs() default "";

    @AttributeDefinition(name = "auto.create.topics.enable",
            description = "Create a topic when a Metadata request names one that does not exist")
    boolean auto_create_topics_enable() default false;

    @AttributeDefinition(name = "num.partitions", description = "Partitions of a topic created with -1 or auto-created")
    int num_partitions() default 1;

    @AttributeDefinition(name = "default.replication.factor",
            description = "Replication factor of a topic created with -1 or auto-created")
    short default_replication_factor() default 1;

    @AttributeDefinition(name = "delete.topic.enable", description = "Whether DeleteTopics is allowed")
    boolean delete_topic_enable() default true;

    @AttributeDefinition(name = "max.broker.partitions", description = "The most partitions this broker hosts, "
            + "internal topics included; CreateTopics beyond it is refused with POLICY_VIOLATION. Independent of "
            + "it, a creation that would leave too few free file descriptors is refused too.", min = "1")
    int max_broker_partitions() default Integer.MAX_VALUE;

    @AttributeDefinition(name = "message.max.bytes",
            description = "Largest record batch accepted (topic override: max.message.bytes)")
    int message_max_bytes() default TopicConfigs.DEFAULT_MAX_MESSAGE_BYTES;

    @AttributeDefinition(name = "log.segment.bytes", description = "Segment size (topic override: segment.bytes)")
    int log_segment_bytes() default 1073741824;

    @AttributeDefinition(name = "log.roll.ms", description = "Segment age before a roll (topic override: segment.ms)")
    long log_roll_ms() default 604800000L;

    // Retention: the hours key only, as the console form saves the defaults it shows and the finer synonyms
    // (log.retention.minutes, log.retention.ms) win over it, so a value set in one of them is never overridden.
    @AttributeDefinition(name = "log.retention.hours", description = "Hours to keep a log segment before deleting it"
            + " (topic override: retention.ms; log.retention.minutes and log.retention.ms, when set, take precedence)")
    int log_retention_hours() default 168;

    @AttributeDefinition(name = "log.retention.bytes",
            description = "The most bytes a partition keeps before old segments are deleted; -1: no limit (topic "
                    + "override: retention.bytes)")
    long log_retention_bytes() default -1L;

    @AttributeDefinition(name = "log.retention.check.interval.ms", min = "1",
            description = "How often retention looks for segments to delete (read at start)")
    long log_retention_check_interval_ms() default 300000L;

    @AttributeDefinition(name = "log.segment.delete.delay.ms", min = "0",
            description = "How long a removed segment's files stay, renamed .deleted, before they are deleted "
                    + "(topic override: file.delete.delay.ms)")
    long log_segment_delete_delay_ms() default 60000L;

    @AttributeDefinition(name = "log.flush.interval.messages",
            description = "fsync after this many messages (topic override: flush.messages);"
                    + " the default leaves it to the OS")
    long log_flush_interval_messages() default Long.MAX_VALUE;

    @AttributeDefinition(name = "log.flush.interval.ms",
            description = "fsync when the last flush is this old (topic override: flush.ms);"
                    + " the default leaves it to the OS")
    long log_flush_interval_ms() default Long.MAX_VALUE;

    @AttributeDefinition(name = "log.index.interval.bytes",
            description = "Bytes between sparse offset-index entries (topic override: index.interval.bytes)")
    int log_index_interval_bytes() default 4096;

    @AttributeDefinition(name = "log.index.size.max.bytes",
            description = "Maximum size of one segment's index (topic override: segment.index.bytes)")
    int log_index_size_max_bytes() default 10485760;

    @AttributeDefinition(name = "log.message.timestamp.type",
            description = "CreateTime keeps the producer's timestamps; LogAppendTime stamps the broker's time",
            options = {@Option(label = "CreateTime", value = "CreateTime"),
                    @Option(label = "LogAppendTime", value = "LogAppendTime")})
    String log_message_timestamp_type() default "CreateTime";

    @AttributeDefinition(name = "compression.type",
            description = "How batches are stored (topic override: compression.type): producer keeps them as sent;"
                    + " uncompressed, gzip, snappy, lz4 or zstd recompresses every batch to that codec",
            options = {@Option(label = "producer", value = "producer"),
                    @Option(label = "uncompressed", value = "uncompressed"),
                    @Option(label = "gzip", value = "gzip"), @Option(label = "snappy", value = "snappy"),
                    @Option(label = "lz4", value = "lz4"), @Option(label = "zstd", value = "zstd")})
    String compression_type() default "producer";

    @AttributeDefinition(name = "log.cleanup.policy", description = "The default cleanup policy for segments beyond "
            + "the retention window. A comma separated list of valid policies (topic override: cleanup.policy)")
    String log_cleanup_policy() default "delete";

    @AttributeDefinition(name = "log.cleaner.enable", description = "Enable the log cleaner process to run on the "
            + "server. Should be enabled if using any topics with a cleanup.policy=compact including the internal "
            + "offsets topic. If disabled those topics will not be compacted and continually grow in size.")
    boolean log_cleaner_enable() default true;

    @AttributeDefinition(name = "log.cleaner.threads", min = "0",
            description = "The number of background threads to use for log cleaning")
    int log_cleaner_threads() default 1;

    @AttributeDefinition(name = "log.cleaner.dedupe.buffer.size",
            description = "The total memory used for log deduplication across all cleaner threads")
    long log_cleaner_dedupe_buffer_size() default CleanerSettings.DEFAULT_DEDUPE_BUFFER_SIZE;

    @AttributeDefinition(name = "log.cleaner.backoff.ms", min = "0",
            description = "The amount of time to sleep when there are no logs to clean")
    long log_cleaner_backoff_ms() default CleanerSettings.DEFAULT_BACKOFF_MS;

    @AttributeDefinition(name = "log.cleaner.delete.retention.ms", description = "The amount of time to retain "
            + "tombstone message markers for log compacted topics. This setting also gives a bound on the time in "
            + "which a consumer must complete a read if they begin from offset 0 to ensure that they get a valid "
            + "snapshot of the final stage (otherwise tombstones messages may be collected before a consumer "
            + "completes their scan). (topic override: delete.retention.ms)")
    long log_cleaner_delete_retention_ms() default 86400000L;

    @AttributeDefinition(name = "log.cleaner.min.cleanable.ratio", description = "The minimum ratio of dirty log to "
            + "total log for a log to eligible for cleaning (topic override: min.cleanable.dirty.ratio)")
    double log_cleaner_min_cleanable_ratio() default 0.5;

    @AttributeDefinition(name = "log.cleaner.min.compaction.lag.ms", description = "The minimum time a message will "
            + "remain uncompacted in the log. Only applicable for logs that are being compacted. (topic override: "
            + "min.compaction.lag.ms)")
    long log_cleaner_min_compaction_lag_ms() default 0L;

    @AttributeDefinition(name = "log.cleaner.max.compaction.lag.ms", description = "The maximum time a message will "
            + "remain ineligible for compaction in the log. Only applicable for logs that are being compacted. "
            + "(topic override: max.compaction.lag.ms)")
    long log_cleaner_max_compaction_lag_ms() default Long.MAX_VALUE;

    @AttributeDefinition(name = "log.store.unavailable.wait.ms",
            description = "How long a request to a partition whose log store is being swapped, or has gone, is "
                    + "held before it gets KAFKA_STORAGE_ERROR (which clients retry)")
    int log_store_unavailable_wait_ms() default 10000;

    @AttributeDefinition(name = "zookeeper.connect", required = false, description = "ZooKeeper connection string "
            + "(host:port[,host:port...][/chroot]) of the cluster this broker joins; blank: a single broker with "
            + "local metadata")
    String zookeeper_connect() default "";

    @AttributeDefinition(name = "zookeeper.session.timeout.ms", min = "1", description = "Zookeeper session timeout")
    int zookeeper_session_timeout_ms() default 18000;

    @AttributeDefinition(name = "zookeeper.connection.timeout.ms", min = "1",
            description = "The max time that the client waits to establish a connection to ZooKeeper")
    int zookeeper_connection_timeout_ms() default 18000;

    @AttributeDefinition(name = "broker.rack", required = false, description = "Rack of the broker, used in rack "
            + "aware replica placement, e.g. RACK1, us-east-1d")
    String broker_rack() default "";

    @AttributeDefinition(name = "auto.leader.rebalance.enable", description = "Whether the controller moves "
            + "leadership back to preferred replicas when the imbalance exceeds leader.imbalance.per.broker.percentage")
    boolean auto_leader_rebalance_enable() default true;

    @AttributeDefinition(name = "leader.imbalance.check.interval.seconds", min = "1",
            description = "How often the controller checks the leader imbalance")
    long leader_imbalance_check_interval_seconds() default 300L;

    @AttributeDefinition(name = "leader.imbalance.per.broker.percentage", min = "0",
            description = "The leader imbalance per broker (in percent) that triggers a preferred leader election")
    int leader_imbalance_per_broker_percentage() default 10;

    @AttributeDefinition(name = "controlled.shutdown.enable", description = "Whether a stopping broker hands its "
            + "leaderships to other in-sync replicas before it closes its logs")
    boolean controlled_shutdown_enable() default true;

    @AttributeDefinition(name = "logStore.target",
            description = "LDAP filter choosing the LogStore service; changing it moves every partition to the "
                    + "matching store while the broker runs, e.g. (strata.store.name=segment)")
    String logStore_target() default "(" + dev.strata.api.log.LogStore.PROPERTY_NAME + "=*)";
}
