package dev.strata.broker.internal;

import dev.strata.api.common.StrataException;
import dev.strata.files.LogDirs;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The broker configuration (PID {@code dev.strata.broker}) parsed and validated once. Built from the raw
 * configuration properties so that it also knows which keys were set explicitly (DescribeConfigs reports those as
 * BROKER, the rest as DEFAULT). The defaults here are the ones {@link BrokerConfiguration} shows in the console.
 * Immutable: thread-safe.
 *
 * @param topicDefaults topic setting name to the broker-wide value, e.g. {@code segment.bytes} from
 *     {@code log.segment.bytes}
 * @param explicitTopicDefaults topic setting names whose broker key was set explicitly
 * @param storeUnavailableWaitMs how long requests to a partition without a log (its store being swapped, or none
 *     bound) are held before KAFKA_STORAGE_ERROR
 * @param raw every key that was set (blank values dropped), for the components that parse their own settings
 *     ({@link #longValue}, {@link #intValue}, {@link #boolValue})
 */
record BrokerSettings(int brokerId, Path logDir, boolean autoCreateTopics, int numPartitions,
                      short defaultReplicationFactor, boolean deleteTopicEnable, int maxBrokerPartitions,
                      long storeUnavailableWaitMs, Map<String, String> topicDefaults,
                      Set<String> explicitTopicDefaults, Map<String, Object> raw) {

    static final String BROKER_ID = "broker.id";
    static final String LOG_DIRS = LogDirs.LOG_DIRS;
    static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    static final String NUM_PARTITIONS = "num.partitions";
    static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    /** KIP-578's name: the most partitions this broker hosts (internal topics included). */
    static final String MAX_BROKER_PARTITIONS = "max.broker.partitions";
    /** Strata's: how long a request to a partition whose log store is being swapped (or missing) waits. */
    static final String STORE_UNAVAILABLE_WAIT_MS = "log.store.unavailable.wait.ms";
    static final int DEFAULT_STORE_UNAVAILABLE_WAIT_MS = 10_000;

    /** Broker key to the topic setting whose default it provides. */
    static final Map<String, String> BROKER_TO_TOPIC_KEY;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("message.max.bytes", TopicConfigs.MAX_MESSAGE_BYTES);
        m.put("log.segment.bytes", TopicConfigs.SEGMENT_BYTES);
        m.put("log.roll.ms", TopicConfigs.SEGMENT_MS);
        m.put("log.flush.interval.messages", TopicConfigs.FLUSH_MESSAGES);
        m.put("log.flush.interval.ms", TopicConfigs.FLUSH_MS);
        m.put("log.index.interval.bytes", TopicConfigs.INDEX_INTERVAL_BYTES);
        m.put("log.index.size.max.bytes", TopicConfigs.SEGMENT_INDEX_BYTES);
        m.put("log.message.timestamp.type", TopicConfigs.MESSAGE_TIMESTAMP_TYPE);
        m.put("compression.type", TopicConfigs.COMPRESSION_TYPE); // Kafka spells both the same
        m.put("compression.gzip.level", TopicConfigs.COMPRESSION_GZIP_LEVEL); // and these (KIP-390)
        m.put("compression.lz4.level", TopicConfigs.COMPRESSION_LZ4_LEVEL);
        m.put("compression.zstd.level", TopicConfigs.COMPRESSION_ZSTD_LEVEL);
        m.put("log.cleanup.policy", CleanerSettings.CLEANUP_POLICY);
        m.put("log.cleaner.delete.retention.ms", CleanerSettings.DELETE_RETENTION_MS);
        m.put("log.cleaner.min.cleanable.ratio", CleanerSettings.MIN_CLEANABLE_DIRTY_RATIO);
        m.put("log.cleaner.min.compaction.lag.ms", CleanerSettings.MIN_COMPACTION_LAG_MS);
        m.put("log.cleaner.max.compaction.lag.ms", CleanerSettings.MAX_COMPACTION_LAG_MS);
        BROKER_TO_TOPIC_KEY = Collections.unmodifiableMap(m);
    }

    BrokerSettings {
        topicDefaults = Map.copyOf(topicDefaults);
        explicitTopicDefaults = Set.copyOf(explicitTopicDefaults);
        raw = Map.copyOf(raw);
    }

    /** As {@link #of(Map, Path)} outside any container: {@code log.dirs} defaults to {@code data} here. */
    static BrokerSettings of(Map<String, ?> rawProps) {
        return of(rawProps, LogDirs.defaultDir(name -> null));
    }

    /**
     * Parses configuration properties (values may be strings, as FileInstall gives them, or typed).
     *
     * @param defaultLogDir the directory when {@code log.dirs} is not set ({@link LogDirs#defaultDir})
     * @throws IllegalArgumentException naming the bad key
     */
    static BrokerSettings of(Map<String, ?> rawProps, Path defaultLogDir) {
        // A key left blank in a .cfg file ("log.flush.interval.ms =") means "use the default".
        Map<String, Object> props = new HashMap<>();
        rawProps.forEach((k, v) -> {
            if (v != null && !(v instanceof String str && str.isBlank())) {
                props.put(k, v);
            }
        });
        int brokerId = intValue(props, BROKER_ID, 0, 0);
        Path logDir = LogDirs.resolve(props.get(LOG_DIRS), defaultLogDir);
        boolean autoCreate = bool(props, AUTO_CREATE_TOPICS_ENABLE, false);
        int numPartitions = intValue(props, NUM_PARTITIONS, 1, 1);
        int rf = intValue(props, DEFAULT_REPLICATION_FACTOR, 1, 1);
        if (rf > Short.MAX_VALUE) {
            throw new IllegalArgumentException(DEFAULT_REPLICATION_FACTOR + " too large: " + rf);
        }
        boolean deleteEnable = bool(props, DELETE_TOPIC_ENABLE, true);
        int maxBrokerPartitions = intValue(props, MAX_BROKER_PARTITIONS, Integer.MAX_VALUE, 1);
        int storeWaitMs = intValue(props, STORE_UNAVAILABLE_WAIT_MS, DEFAULT_STORE_UNAVAILABLE_WAIT_MS, 0);
        Map<String, String> topicDefaults = new TreeMap<>();
        Set<String> explicit = new TreeSet<>();
        for (Map.Entry<String, String> e : BROKER_TO_TOPIC_KEY.entrySet()) {
            Object raw = props.get(e.getKey());
            if (raw == null) {
                continue;
            }
            try {
                topicDefaults.put(e.getValue(), TopicConfigs.validate(e.getValue(), raw.toString()));
            } catch (StrataException ex) {
                throw new IllegalArgumentException("Broker setting " + e.getKey() + ": " + ex.getMessage(), ex);
            }
            explicit.add(e.getValue());
        }
        return new BrokerSettings(brokerId, logDir, autoCreate, numPartitions, (short) rf, deleteEnable,
                maxBrokerPartitions, storeWaitMs, topicDefaults, explicit, props);
    }

    /** Whether a change from {@code this} to {@code next} needs the logs to be closed and reopened. */
    boolean needsRestart(BrokerSettings next) {
        return brokerId != next.brokerId || !logDir.equals(next.logDir);
    }


    /** A broker-only setting (not a topic default) as a long, {@code dflt} when unset. */
    long longValue(String key, long dflt, long min) {
        Object v = raw.get(key);
        if (v == null) {
            return dflt;
        }
        long n;
        try {
            n = v instanceof Number num ? num.longValue() : Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is not an integer: " + v, e);
        }
        if (n < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ": " + n);
        }
        return n;
    }

    /** A broker-only setting as an int, {@code dflt} when unset. */
    int intValue(String key, int dflt, int min) {
        return intValue(raw, key, dflt, min);
    }

    /** A broker-only setting as a boolean, {@code dflt} when unset. */
    boolean boolValue(String key, boolean dflt) {
        return bool(raw, key, dflt);
    }

    private static int intValue(Map<String, ?> props, String key, int dflt, int min) {
        Object v = props.get(key);
        if (v == null) {
            return dflt;
        }
        int n;
        try {
            n = v instanceof Number num ? num.intValue() : Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is not an integer: " + v, e);
        }
        if (n < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ": " + n);
        }
        return n;
    }

    private static boolean bool(Map<String, ?> props, String key, boolean dflt) {
        Object v = props.get(key);
        if (v == null) {
            return dflt;
        }
        String s = v.toString().trim();
        if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(key + " must be true or false: " + v);
        }
        return Boolean.parseBoolean(s);
    }
}
