package dev.strata.broker.internal;

import dev.strata.api.broker.ConfigEntry.Type;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The broker settings Strata knows, as Kafka 4.1 defines them: type, built-in default, one line of documentation,
 * whether Kafka lets it change dynamically (per broker and as the cluster default, {@code ""}), and the topic
 * setting it is a default for, with Kafka's synonyms ({@code retention.ms} comes from {@code log.retention.ms}, else
 * {@code log.retention.minutes}, else {@code log.retention.hours}, in that order). Stateless: thread-safe.
 */
final class BrokerConfigs {

    /**
     * One broker setting.
     *
     * @param dflt Kafka's (or Strata's) built-in default as text; null when it has none (a synonym supplies it)
     * @param dynamic whether AlterConfigs may change it (Kafka's DynamicBrokerConfig.AllDynamicConfigs)
     * @param topicKey the topic setting it provides the default for, or null
     * @param toTopic factor from this key's unit to the topic setting's (hours and minutes to milliseconds)
     */
    record Def(String name, Type type, String dflt, String doc, boolean dynamic, long min, String topicKey,
               long toTopic) {
    }

    private static final long HOURS = 3_600_000L;
    private static final long MINUTES = 60_000L;
    private static final String LONG_MAX = Long.toString(Long.MAX_VALUE);

    private static final Map<String, Def> DEFS;
    /** Topic setting to its broker synonyms, highest precedence first (Kafka's ServerTopicConfigSynonyms). */
    private static final Map<String, List<Def>> TOPIC_SYNONYMS;

    static {
        Map<String, Def> m = new TreeMap<>();
        // The broker's own (read-only over Kafka, as in Kafka, unless said).
        add(m, "broker.id", Type.INT, "0", "The id of this broker", false, 0);
        add(m, "log.dirs", Type.STRING, null, "The directory the log data is kept in (one)", false, 0);
        add(m, "auto.create.topics.enable", Type.BOOLEAN, "false",
                "Enable auto creation of topic on the server", false, 0);
        add(m, "num.partitions", Type.INT, "1", "The default number of log partitions per topic", false, 1);
        add(m, "default.replication.factor", Type.INT, "1",
                "The replication factor for automatically created topics", false, 1);
        add(m, "delete.topic.enable", Type.BOOLEAN, "true", "Enables delete topic", false, 0);
        add(m, "max.broker.partitions", Type.INT, Integer.toString(Integer.MAX_VALUE),
                "The maximum number of partitions this broker hosts (KIP-578)", false, 1);
        add(m, "log.store.unavailable.wait.ms", Type.INT, "10000", "Strata: how long a request to a partition "
                + "whose log store is being swapped is held before KAFKA_STORAGE_ERROR", true, 0);
        add(m, "logStore.target", Type.STRING, null, "Strata: the LDAP filter choosing the log store", false, 0);
        // The cluster (Kafka 3.x's ZooKeeper mode; zookeeper.connect blank: a single broker with local metadata).
        add(m, "zookeeper.connect", Type.STRING, null, "Specifies the ZooKeeper connection string in the form "
                + "hostname:port where host and port are the host and port of a ZooKeeper server. The server can also "
                + "have a ZooKeeper chroot path as part of its ZooKeeper connection string, e.g. "
                + "hostname1:port1,hostname2:port2/chroot/path", false, 0);
        add(m, "zookeeper.session.timeout.ms", Type.INT, "18000", "Zookeeper session timeout", false, 1);
        add(m, "zookeeper.connection.timeout.ms", Type.INT, "18000", "The max time that the client waits to "
                + "establish a connection to ZooKeeper. If not set, the value in zookeeper.session.timeout.ms is used",
                false, 1);
        add(m, "broker.rack", Type.STRING, null, "Rack of the broker. This will be used in rack aware replication "
                + "assignment for fault tolerance. Examples: RACK1, us-east-1d", false, 0);
        add(m, "auto.leader.rebalance.enable", Type.BOOLEAN, "true", "Enables auto leader balancing. A background "
                + "thread checks the distribution of partition leaders at regular intervals, configurable by "
                + "leader.imbalance.check.interval.seconds. If the leader imbalance exceeds "
                + "leader.imbalance.per.broker.percentage, leader rebalance to the preferred leader for partitions is "
                + "triggered.", false, 0);
        add(m, "leader.imbalance.check.interval.seconds", Type.LONG, "300", "The frequency with which the partition "
                + "rebalance check is triggered by the controller", false, 1);
        add(m, "leader.imbalance.per.broker.percentage", Type.INT, "10", "The ratio of leader imbalance allowed per "
                + "broker. The controller would trigger a leader balance if it goes above this value per broker. The "
                + "value is specified in percentage.", false, 0);
        add(m, "controlled.shutdown.enable", Type.BOOLEAN, "true", "Enable controlled shutdown of the server.",
                false, 0);
        add(m, "log.retention.check.interval.ms", Type.LONG, "300000", "The frequency in milliseconds that the log "
                + "cleaner checks whether any log is eligible for deletion", false, 1);
        add(m, "log.cleaner.enable", Type.BOOLEAN, "true",
                "Enable the log cleaner process to run on the server", false, 0);
        add(m, "log.cleaner.threads", Type.INT, "1", "The number of background threads to use for log cleaning",
                true, 0);
        add(m, "log.cleaner.dedupe.buffer.size", Type.LONG, "134217728",
                "The total memory used for log deduplication across all cleaner threads", true, 0);
        add(m, "log.cleaner.backoff.ms", Type.LONG, "15000",
                "The amount of time to sleep when there are no logs to clean", true, 0);
        // flush.ms's second synonym, which Kafka does not let change dynamically although it is in milliseconds
        m.put("log.flush.scheduler.interval.ms", new Def("log.flush.scheduler.interval.ms", Type.LONG, LONG_MAX,
                "The frequency in ms that the log flusher checks whether any log needs to be flushed to disk", false,
                0, "flush.ms", 1));
        // Topic defaults: the first synonym of each topic setting is dynamic, the others are not (as in Kafka).
        topic(m, "log.segment.bytes", Type.INT, "1073741824", "The maximum size of a single log file", 14,
                "segment.bytes", 1);
        topic(m, "log.roll.ms", Type.LONG, null, "The maximum time before a new log segment is rolled out (in "
                + "milliseconds). If not set, the value in log.roll.hours is used", 1, "segment.ms", 1);
        topic(m, "log.roll.hours", Type.INT, "168", "The maximum time before a new log segment is rolled out (in "
                + "hours), secondary to log.roll.ms property", 1, "segment.ms", HOURS);
        topic(m, "log.roll.jitter.ms", Type.LONG, null, "The maximum jitter to subtract from logRollTimeMillis (in "
                + "milliseconds). If not set, the value in log.roll.jitter.hours is used", 0, "segment.jitter.ms", 1);
        topic(m, "log.roll.jitter.hours", Type.INT, "0", "The maximum jitter to subtract from logRollTimeMillis (in "
                + "hours), secondary to log.roll.jitter.ms property", 0, "segment.jitter.ms", HOURS);
        topic(m, "log.index.size.max.bytes", Type.INT, "10485760", "The maximum size in bytes of the offset index",
                8, "segment.index.bytes", 1);
        topic(m, "log.flush.interval.messages", Type.LONG, LONG_MAX, "The number of messages accumulated on a log "
                + "partition before messages are flushed to disk", 1, "flush.messages", 1);
        topic(m, "log.flush.interval.ms", Type.LONG, null, "The maximum time in ms that a message in any topic is "
                + "kept in memory before flushed to disk. If not set, the value in log.flush.scheduler.interval.ms "
                + "is used", 0, "flush.ms", 1);
        topic(m, "log.retention.bytes", Type.LONG, "-1", "The maximum size of the log before deleting it",
                Long.MIN_VALUE, "retention.bytes", 1);
        topic(m, "log.retention.ms", Type.LONG, null, "The number of milliseconds to keep a log file before "
                + "deleting it (in milliseconds), If not set, the value in log.retention.minutes is used. If set to "
                + "-1, no time limit is applied.", -1, "retention.ms", 1);
        topic(m, "log.retention.minutes", Type.INT, null, "The number of minutes to keep a log file before deleting "
                + "it (in minutes), secondary to log.retention.ms property. If not set, the value in "
                + "log.retention.hours is used.", Integer.MIN_VALUE, "retention.ms", MINUTES);
        topic(m, "log.retention.hours", Type.INT, "168", "The number of hours to keep a log file before deleting it "
                + "(in hours), tertiary to log.retention.ms property", Integer.MIN_VALUE, "retention.ms", HOURS);
        topic(m, "message.max.bytes", Type.INT, Integer.toString(TopicConfigs.DEFAULT_MAX_MESSAGE_BYTES),
                "The largest record batch size allowed by Kafka (after compression if compression is enabled)", 0,
                "max.message.bytes", 1);
        topic(m, "log.index.interval.bytes", Type.INT, "4096",
                "The interval with which we add an entry to the offset index", 0, "index.interval.bytes", 1);
        topic(m, "log.cleaner.delete.retention.ms", Type.LONG, "86400000", "The amount of time to retain tombstone "
                + "message markers for log compacted topics", 0, "delete.retention.ms", 1);
        topic(m, "log.cleaner.min.compaction.lag.ms", Type.LONG, "0", "The minimum time a message will remain "
                + "uncompacted in the log", 0, "min.compaction.lag.ms", 1);
        topic(m, "log.cleaner.max.compaction.lag.ms", Type.LONG, LONG_MAX, "The maximum time a message will remain "
                + "ineligible for compaction in the log", 1, "max.compaction.lag.ms", 1);
        topic(m, "log.segment.delete.delay.ms", Type.LONG, "60000",
                "The amount of time to wait before deleting a file from the filesystem", 0, "file.delete.delay.ms", 1);
        topic(m, "log.cleaner.min.cleanable.ratio", Type.DOUBLE, "0.5", "The minimum ratio of dirty log to total log "
                + "for a log to eligible for cleaning", 0, "min.cleanable.dirty.ratio", 1);
        topic(m, "log.cleanup.policy", Type.LIST, "delete", "The default cleanup policy for segments beyond the "
                + "retention window. A comma separated list of valid policies.", 0, "cleanup.policy", 1);
        topic(m, "unclean.leader.election.enable", Type.BOOLEAN, "false", "Indicates whether to enable replicas not "
                + "in the ISR set to be elected as leader as a last resort", 0, "unclean.leader.election.enable", 1);
        topic(m, "min.insync.replicas", Type.INT, "1", "The minimum number of replicas that must acknowledge a write "
                + "for the write to be considered successful when acks is all", 1, "min.insync.replicas", 1);
        topic(m, "compression.type", Type.STRING, "producer", "The final compression type for a given topic",
                0, "compression.type", 1);
        topic(m, "compression.gzip.level", Type.INT, "-1", "The compression level to use if compression.type is "
                + "set to gzip", -1, "compression.gzip.level", 1);
        topic(m, "compression.lz4.level", Type.INT, "9", "The compression level to use if compression.type is set "
                + "to lz4", 1, "compression.lz4.level", 1);
        topic(m, "compression.zstd.level", Type.INT, "3", "The compression level to use if compression.type is set "
                + "to zstd", -131072, "compression.zstd.level", 1);
        topic(m, "log.preallocate", Type.BOOLEAN, "false",
                "Should pre allocate file when create new segment?", 0, "preallocate", 1);
        topic(m, "log.message.timestamp.type", Type.STRING, "CreateTime", "Define whether the timestamp in the "
                + "message is message create time or log append time", 0, "message.timestamp.type", 1);
        topic(m, "log.message.timestamp.before.max.ms", Type.LONG, LONG_MAX, "The allowable timestamp difference "
                + "between the broker's timestamp and the message timestamp (in the past)", 0,
                "message.timestamp.before.max.ms", 1);
        topic(m, "log.message.timestamp.after.max.ms", Type.LONG, "3600000", "The allowable timestamp difference "
                + "between the message timestamp and the broker's timestamp (in the future)", 0,
                "message.timestamp.after.max.ms", 1);
        topic(m, "log.local.retention.ms", Type.LONG, "-2", "The number of milliseconds to keep the local log "
                + "segment before it gets eligible for deletion", -2, "local.retention.ms", 1);
        topic(m, "log.local.retention.bytes", Type.LONG, "-2", "The maximum size of local log segments that can "
                + "grow for a partition before it gets eligible for deletion", -2, "local.retention.bytes", 1);
        DEFS = Collections.unmodifiableMap(m);

        Map<String, List<Def>> s = new LinkedHashMap<>();
        for (Def d : m.values()) {
            if (d.topicKey() != null) {
                s.computeIfAbsent(d.topicKey(), k -> new ArrayList<>()).add(d);
            }
        }
        // Kafka's order within one topic setting: milliseconds, then minutes, then hours.
        s.values().forEach(list -> list.sort((a, b) -> Long.compare(a.toTopic(), b.toTopic())));
        s.replaceAll((k, v) -> List.copyOf(v));
        TOPIC_SYNONYMS = Collections.unmodifiableMap(s);
    }

    private BrokerConfigs() {
    }

    private static void add(Map<String, Def> m, String name, Type type, String dflt, String doc, boolean dynamic,
                            long min) {
        m.put(name, new Def(name, type, dflt, doc, dynamic, min, null, 1));
    }

    /** A topic default: dynamic when it is the topic setting's first synonym (in Kafka's units). */
    private static void topic(Map<String, Def> m, String name, Type type, String dflt, String doc, long min,
                              String topicKey, long toTopic) {
        m.put(name, new Def(name, type, dflt, doc, toTopic == 1, min, topicKey, toTopic));
    }

    /** Every known broker setting, sorted by name. */
    static Map<String, Def> all() {
        return DEFS;
    }

    /** The definition of {@code name}, or null when Strata does not know it. */
    static Def def(String name) {
        return DEFS.get(name);
    }

    /** The broker settings that supply a topic setting's default, highest precedence first; empty for none. */
    static List<Def> topicSynonyms(String topicKey) {
        return TOPIC_SYNONYMS.getOrDefault(topicKey, List.of());
    }

    /**
     * The names whose values can stand for {@code name} on a broker (Kafka's DynamicBrokerConfig.brokerConfigSynonyms):
     * itself, or its whole family (the retention, roll and jitter times in ms/minutes/hours, log.flush.interval.ms
     * with log.flush.scheduler.interval.ms).
     */
    static List<String> brokerSynonyms(String name) {
        Def d = DEFS.get(name);
        if (d == null || d.topicKey() == null) {
            return List.of(name);
        }
        return topicSynonyms(d.topicKey()).stream().map(Def::name).toList();
    }

    /**
     * The topic setting's broker-wide value from {@code effective} (every broker key set, at any level), following
     * the synonyms in order and converting units; null when no synonym is set or has a built-in default.
     *
     * @param explicitOnly true: consider set keys only, not built-in defaults
     */
    static String topicDefault(String topicKey, Map<String, String> effective, boolean explicitOnly) {
        for (Def d : topicSynonyms(topicKey)) {
            String v = effective.get(d.name());
            if (v != null) {
                return convert(d, v);
            }
        }
        if (explicitOnly) {
            return null;
        }
        for (Def d : topicSynonyms(topicKey)) {
            if (d.dflt() != null) {
                return convert(d, d.dflt());
            }
        }
        return null;
    }

    private static String convert(Def d, String v) {
        if (d.toTopic() == 1) {
            return v;
        }
        long n = Long.parseLong(v.trim());
        // Kafka: a negative time (e.g. -1 hours) means "no limit", which is -1 ms whatever the unit.
        return Long.toString(n < 0 ? -1 : Math.multiplyExact(n, d.toTopic()));
    }

    /**
     * Validates a value of a known broker setting and returns it normalised.
     *
     * @throws StrataException INVALID_CONFIG with Kafka's ConfigDef message
     */
    static String validate(String name, String value) {
        Def d = DEFS.get(name);
        if (d == null) {
            throw invalid("Unknown broker config name: " + name);
        }
        if (value == null) {
            throw invalid("Null value not supported for : " + name);
        }
        if (d.topicKey() != null && d.toTopic() == 1) {
            // The same ranges and spellings as the topic setting; Kafka's message names the broker key.
            try {
                return TopicConfigs.validate(d.topicKey(), value);
            } catch (StrataException e) {
                throw invalid(e.getMessage().replace("configuration " + d.topicKey() + ":",
                        "configuration " + name + ":"));
            }
        }
        String v = value.trim();
        switch (d.type()) {
            case BOOLEAN -> {
                if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                    throw invalid("Invalid value " + value + " for configuration " + name
                            + ": Expected value to be either true or false");
                }
                return v.toLowerCase(Locale.ROOT);
            }
            case INT, LONG -> {
                long n;
                try {
                    n = d.type() == Type.INT ? Integer.parseInt(v) : Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw invalid("Invalid value " + value + " for configuration " + name + ": Not a number of type "
                            + d.type().name());
                }
                if (n < d.min()) {
                    throw invalid("Invalid value " + value + " for configuration " + name + ": Value must be at least "
                            + d.min());
                }
                return Long.toString(n);
            }
            default -> {
                return v;
            }
        }
    }

    private static StrataException invalid(String message) {
        return new StrataException(ErrorCode.INVALID_CONFIG, message);
    }
}
