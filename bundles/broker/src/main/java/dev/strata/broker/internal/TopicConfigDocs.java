package dev.strata.broker.internal;

import java.util.Map;

/** One line of Kafka's documentation for each topic setting (DescribeConfigs' include_documentation). Stateless. */
final class TopicConfigDocs {

    private static final Map<String, String> DOCS = Map.ofEntries(
            Map.entry("cleanup.policy", "The retention policy to use on log segments: delete, compact, or both"),
            Map.entry("compression.type", "The final compression type for a given topic"),
            Map.entry("compression.gzip.level", "The compression level to use if compression.type is set to gzip"),
            Map.entry("compression.lz4.level", "The compression level to use if compression.type is set to lz4"),
            Map.entry("compression.zstd.level", "The compression level to use if compression.type is set to zstd"),
            Map.entry("delete.retention.ms", "The amount of time to retain delete tombstone markers for log "
                    + "compacted topics"),
            Map.entry("file.delete.delay.ms", "The time to wait before deleting a file from the filesystem"),
            Map.entry("flush.messages", "The number of messages written to a log partition before we force an fsync"),
            Map.entry("flush.ms", "The time after which we force an fsync of data written to the log"),
            Map.entry("follower.replication.throttled.replicas", "A list of replicas for which log replication "
                    + "should be throttled on the follower side"),
            Map.entry("leader.replication.throttled.replicas", "A list of replicas for which log replication "
                    + "should be throttled on the leader side"),
            Map.entry("index.interval.bytes", "How frequently Kafka adds an index entry to its offset index"),
            Map.entry("local.retention.bytes", "The maximum size of local log segments before they are eligible "
                    + "for deletion (tiered storage)"),
            Map.entry("local.retention.ms", "The time to keep a local log segment before it is eligible for "
                    + "deletion (tiered storage)"),
            Map.entry("max.compaction.lag.ms", "The maximum time a message will remain ineligible for compaction"),
            Map.entry("max.message.bytes", "The largest record batch size allowed by Kafka (after compression)"),
            Map.entry("message.timestamp.after.max.ms", "The allowable timestamp difference between the message "
                    + "timestamp and the broker's timestamp (in the future)"),
            Map.entry("message.timestamp.before.max.ms", "The allowable timestamp difference between the broker's "
                    + "timestamp and the message timestamp (in the past)"),
            Map.entry("message.timestamp.type", "Define whether the timestamp in the message is message create "
                    + "time or log append time"),
            Map.entry("min.cleanable.dirty.ratio", "How frequently the log compactor will attempt to clean the log"),
            Map.entry("min.compaction.lag.ms", "The minimum time a message will remain uncompacted in the log"),
            Map.entry("min.insync.replicas", "The minimum number of replicas that must acknowledge a write when "
                    + "acks is all"),
            Map.entry("preallocate", "True if we should preallocate the file on disk when creating a new segment"),
            Map.entry("remote.log.copy.disable", "Whether copying segments to remote storage is disabled"),
            Map.entry("remote.log.delete.on.disable", "Whether remote segments are deleted when tiered storage is "
                    + "disabled for the topic"),
            Map.entry("remote.storage.enable", "Whether tiered storage is enabled for the topic"),
            Map.entry("retention.bytes", "The maximum size a partition can grow to before old log segments are "
                    + "discarded (with the delete policy)"),
            Map.entry("retention.ms", "The maximum time a log is retained before old log segments are discarded "
                    + "(with the delete policy); -1: no time limit"),
            Map.entry("segment.bytes", "The segment file size for the log"),
            Map.entry("segment.index.bytes", "The size of the index that maps offsets to file positions"),
            Map.entry("segment.jitter.ms", "The maximum random jitter subtracted from the scheduled segment roll "
                    + "time"),
            Map.entry("segment.ms", "The period of time after which Kafka will force the log to roll even if the "
                    + "segment file isn't full"),
            Map.entry("unclean.leader.election.enable", "Whether replicas not in the ISR may be elected as leader "
                    + "as a last resort"),
            Map.entry(TopicConfigs.PARTITIONER, "Strata: the partitioner the in-container client uses for the topic"));

    private TopicConfigDocs() {
    }

    /** The documentation of a topic setting, or null for one without. */
    static String of(String name) {
        return DOCS.get(name);
    }
}
