package dev.strata.broker.internal;

import dev.strata.api.broker.ConfigEntry;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.compression.CompressionType;
import dev.strata.api.log.LogConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The topic-level settings Kafka 4 knows (names, types, built-in defaults, which broker key supplies the default),
 * their validation, and the effective values of one topic. Settings Strata does not act on yet (retention,
 * compaction, remote storage...) are still known, validated and stored so that clients and tools see Kafka's set.
 * Immutable and stateless: thread-safe.
 */
final class TopicConfigs {
    static final int DEFAULT_MAX_MESSAGE_BYTES = 1048588;

    static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    static final String SEGMENT_BYTES = "segment.bytes";
    static final String SEGMENT_MS = "segment.ms";
    static final String FLUSH_MESSAGES = "flush.messages";
    static final String FLUSH_MS = "flush.ms";
    static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";
    static final String CLEANUP_POLICY = "cleanup.policy";
    static final String COMPRESSION_TYPE = "compression.type";
    static final String COMPRESSION_GZIP_LEVEL = "compression.gzip.level";
    static final String COMPRESSION_LZ4_LEVEL = "compression.lz4.level";
    static final String COMPRESSION_ZSTD_LEVEL = "compression.zstd.level";
    static final String TIMESTAMP_BEFORE_MAX_MS = "message.timestamp.before.max.ms";
    static final String TIMESTAMP_AFTER_MAX_MS = "message.timestamp.after.max.ms";
    /** Strata's own: the partitioner the in-container client uses for the topic (strata-client). */
    static final String PARTITIONER = "strata.partitioner";

    static final String PRODUCER_COMPRESSION = "producer";

    static final String CREATE_TIME = "CreateTime";
    static final String LOG_APPEND_TIME = "LogAppendTime";

    private enum Type { BOOLEAN, INT, LONG, DOUBLE, STRING, LIST }

    /** One known setting; {@code min}/{@code max} bound numbers, {@code allowed} enumerates strings/list items. */
    private record Def(String name, Type type, String defaultValue, long min, long max, List<String> allowed) {
    }

    private static final Map<String, Def> DEFS;

    static {
        Map<String, Def> m = new TreeMap<>();
        put(m, num(CLEANUP_POLICY, Type.LIST, "delete", 0, 0, "delete", "compact"));
        put(m, num(COMPRESSION_TYPE, Type.STRING, "producer", 0, 0,
                "uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"));
        // KIP-390's ranges; gzip also excludes 0 (see validate).
        put(m, num(COMPRESSION_GZIP_LEVEL, Type.INT, "-1", -1, 9));
        put(m, num(COMPRESSION_LZ4_LEVEL, Type.INT, "9", 1, 17));
        put(m, num(COMPRESSION_ZSTD_LEVEL, Type.INT, "3", -131072, 22));
        put(m, num("delete.retention.ms", Type.LONG, "86400000", 0, Long.MAX_VALUE));
        put(m, num(FILE_DELETE_DELAY_MS, Type.LONG, "60000", 0, Long.MAX_VALUE));
        put(m, num(FLUSH_MESSAGES, Type.LONG, Long.toString(Long.MAX_VALUE), 1, Long.MAX_VALUE));
        put(m, num(FLUSH_MS, Type.LONG, Long.toString(Long.MAX_VALUE), 0, Long.MAX_VALUE));
        put(m, num("follower.replication.throttled.replicas", Type.STRING, "", 0, 0));
        put(m, num("leader.replication.throttled.replicas", Type.STRING, "", 0, 0));
        put(m, num(INDEX_INTERVAL_BYTES, Type.INT, "4096", 0, Integer.MAX_VALUE));
        put(m, num("local.retention.bytes", Type.LONG, "-2", -2, Long.MAX_VALUE));
        put(m, num("local.retention.ms", Type.LONG, "-2", -2, Long.MAX_VALUE));
        put(m, num("max.compaction.lag.ms", Type.LONG, Long.toString(Long.MAX_VALUE), 1, Long.MAX_VALUE));
        put(m, num(MAX_MESSAGE_BYTES, Type.INT, Integer.toString(DEFAULT_MAX_MESSAGE_BYTES), 0, Integer.MAX_VALUE));
        put(m, num(TIMESTAMP_AFTER_MAX_MS, Type.LONG, "3600000", 0, Long.MAX_VALUE));
        put(m, num(TIMESTAMP_BEFORE_MAX_MS, Type.LONG, Long.toString(Long.MAX_VALUE), 0, Long.MAX_VALUE));
        put(m, num(MESSAGE_TIMESTAMP_TYPE, Type.STRING, CREATE_TIME, 0, 0, CREATE_TIME, LOG_APPEND_TIME));
        put(m, num("min.cleanable.dirty.ratio", Type.DOUBLE, "0.5", 0, 1));
        put(m, num("min.compaction.lag.ms", Type.LONG, "0", 0, Long.MAX_VALUE));
        put(m, num("min.insync.replicas", Type.INT, "1", 1, Integer.MAX_VALUE));
        put(m, num("preallocate", Type.BOOLEAN, "false", 0, 0));
        put(m, num("remote.log.copy.disable", Type.BOOLEAN, "false", 0, 0));
        put(m, num("remote.log.delete.on.disable", Type.BOOLEAN, "false", 0, 0));
        put(m, num("remote.storage.enable", Type.BOOLEAN, "false", 0, 0));
        put(m, num("retention.bytes", Type.LONG, "-1", Long.MIN_VALUE, Long.MAX_VALUE));
        put(m, num("retention.ms", Type.LONG, "604800000", -1, Long.MAX_VALUE));
        put(m, num(SEGMENT_BYTES, Type.INT, "1073741824", 14, Integer.MAX_VALUE));
        put(m, num(SEGMENT_INDEX_BYTES, Type.INT, "10485760", 8, Integer.MAX_VALUE));
        put(m, num("segment.jitter.ms", Type.LONG, "0", 0, Long.MAX_VALUE));
        put(m, num(PARTITIONER, Type.STRING, "default", 0, 0));
        put(m, num(SEGMENT_MS, Type.LONG, "604800000", 1, Long.MAX_VALUE));
        put(m, num("unclean.leader.election.enable", Type.BOOLEAN, "false", 0, 0));
        DEFS = Collections.unmodifiableMap(m);
    }

    private TopicConfigs() {
    }

    private static Def num(String name, Type type, String dflt, long min, long max, String... allowed) {
        return new Def(name, type, dflt, min, max, List.of(allowed));
    }

    private static void put(Map<String, Def> m, Def d) {
        m.put(d.name(), d);
    }

    /** Every known topic setting name, sorted. */
    static List<String> names() {
        return List.copyOf(DEFS.keySet());
    }

    static boolean isKnown(String name) {
        return DEFS.containsKey(name);
    }

    /** Kafka's built-in default of a known setting. */
    static String builtInDefault(String name) {
        return DEFS.get(name).defaultValue();
    }

    /**
     * Validates overrides and returns them normalised (trimmed; enum values in Kafka's spelling).
     *
     * @throws StrataException INVALID_CONFIG naming the first unknown setting or bad value
     */
    static Map<String, String> validate(Map<String, String> overrides) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            out.put(e.getKey(), validate(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** @throws StrataException INVALID_CONFIG */
    static String validate(String name, String value) {
        Def def = name == null ? null : DEFS.get(name);
        if (def == null) {
            throw invalid("Unknown topic config name: " + name);
        }
        if (value == null) {
            throw invalid("Null value for topic config " + name);
        }
        String v = value.trim();
        switch (def.type()) {
            case BOOLEAN -> {
                if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                    throw invalid("Invalid value " + value + " for configuration " + name + ": Expected value to be"
                            + " either true or false");
                }
                return v.toLowerCase(Locale.ROOT);
            }
            case INT, LONG -> {
                long n;
                try {
                    n = def.type() == Type.INT ? Integer.parseInt(v) : Long.parseLong(v);
                } catch (NumberFormatException ex) {
                    throw invalid("Invalid value " + value + " for configuration " + name + ": Not a number of type "
                            + def.type().name());
                }
                if (n < def.min() || n > def.max()) {
                    throw invalid("Invalid value " + value + " for configuration " + name + ": Value must be in ["
                            + def.min() + ", " + def.max() + "]");
                }
                if (name.equals(COMPRESSION_GZIP_LEVEL) && n == 0) { // Kafka: -1 (zlib's default) or 1..9
                    throw invalid("Invalid value " + value + " for configuration " + name + ": Value must be -1 or"
                            + " in [1, 9]");
                }
                return Long.toString(n);
            }
            case DOUBLE -> {
                double d;
                try {
                    d = Double.parseDouble(v);
                } catch (NumberFormatException ex) {
                    throw invalid("Invalid value " + value + " for configuration " + name + ": Not a number");
                }
                if (!(d >= def.min() && d <= def.max())) {
                    throw invalid("Invalid value " + value + " for configuration " + name + ": Value must be in ["
                            + def.min() + ", " + def.max() + "]");
                }
                return v;
            }
            case STRING -> {
                if (def.allowed().isEmpty()) {
                    return v;
                }
                return oneOf(def, v, value);
            }
            case LIST -> {
                List<String> items = new ArrayList<>();
                for (String item : v.split(",")) {
                    if (!item.isBlank()) {
                        items.add(oneOf(def, item.trim(), value));
                    }
                }
                if (items.isEmpty()) {
                    throw invalid("Invalid value " + value + " for configuration " + name + ": must not be empty");
                }
                return String.join(",", items);
            }
            default -> throw new IllegalStateException(def.type().name());
        }
    }

    private static String oneOf(Def def, String v, String original) {
        for (String a : def.allowed()) {
            if (a.equalsIgnoreCase(v)) {
                return a;
            }
        }
        throw invalid("Invalid value " + original + " for configuration " + def.name() + ": String must be one of: "
                + String.join(", ", def.allowed()));
    }

    private static StrataException invalid(String message) {
        return new StrataException(ErrorCode.INVALID_CONFIG, message);
    }

    /** The effective value of a known setting: topic override, else broker setting, else built-in default. */
    static String effective(String name, Map<String, String> overrides, BrokerSettings broker) {
        String v = overrides.get(name);
        if (v != null) {
            return v;
        }
        v = broker.topicDefaults().get(name);
        return v != null ? v : builtInDefault(name);
    }

    /**
     * Every known setting of a topic with its effective value, where it comes from and its synonyms, sorted by name:
     * the topic override (DYNAMIC_TOPIC_CONFIG), then each broker key of its family where it is set, by source
     * (this broker's dynamic, the dynamic default, static, built-in default), as Kafka's ConfigHelper lists them.
     * Unlike Kafka, a family's later key (log.retention.hours) is kept when the first (log.retention.ms) is unset,
     * so that the entry's source says where its value came from.
     */
    static List<ConfigEntry> describe(Map<String, String> overrides, BrokerSettings broker) {
        List<ConfigEntry> out = new ArrayList<>(DEFS.size());
        for (Def def : DEFS.values()) {
            String name = def.name();
            String value = effective(name, overrides, broker);
            List<ConfigEntry.Synonym> synonyms = new ArrayList<>();
            if (overrides.containsKey(name)) {
                synonyms.add(new ConfigEntry.Synonym(name, value, ConfigEntry.Source.DYNAMIC_TOPIC_CONFIG));
            }
            synonyms.addAll(broker.layers().topicSynonyms(name));
            ConfigEntry.Source source = synonyms.isEmpty() ? ConfigEntry.Source.DEFAULT_CONFIG
                    : synonyms.get(0).source();
            out.add(new ConfigEntry(name, value, source, false, false, synonyms, type(name),
                    TopicConfigDocs.of(name)));
        }
        return out;
    }

    /** The type DescribeConfigs reports for a known setting. */
    static ConfigEntry.Type type(String name) {
        return ConfigEntry.Type.valueOf(DEFS.get(name).type().name());
    }

    /** Whether a known setting is a comma-separated list (IncrementalAlterConfigs APPEND and SUBTRACT). */
    static boolean isList(String name) {
        Def def = DEFS.get(name);
        return def != null && def.type() == Type.LIST;
    }

    /** The log store settings of a topic. Values were validated on the way in. */
    static LogConfig logConfig(Map<String, String> overrides, BrokerSettings broker) {
        return new LogConfig(
                Long.parseLong(effective(SEGMENT_BYTES, overrides, broker)),
                Long.parseLong(effective(SEGMENT_MS, overrides, broker)),
                Long.parseLong(effective(FLUSH_MESSAGES, overrides, broker)),
                Long.parseLong(effective(FLUSH_MS, overrides, broker)),
                Integer.parseInt(effective(INDEX_INTERVAL_BYTES, overrides, broker)),
                Integer.parseInt(effective(SEGMENT_INDEX_BYTES, overrides, broker)),
                Long.parseLong(effective(FILE_DELETE_DELAY_MS, overrides, broker)));
    }

    static int maxMessageBytes(Map<String, String> overrides, BrokerSettings broker) {
        return Integer.parseInt(effective(MAX_MESSAGE_BYTES, overrides, broker));
    }

    /** Null for {@code producer} (keep the producer's batches), else the type the log stores batches in. */
    static CompressionType storedCompression(Map<String, String> overrides, BrokerSettings broker) {
        String v = effective(COMPRESSION_TYPE, overrides, broker);
        return PRODUCER_COMPRESSION.equals(v) ? null : CompressionType.forName(v);
    }

    /**
     * The level at which the broker compresses batches it stores as {@code type}: the topic's
     * {@code compression.<type>.level}, else the broker's explicitly set one, else empty (the codec's own configured
     * level, PID {@code dev.strata.compression.<type>}). Always empty for snappy and none.
     */
    static OptionalInt compressionLevel(CompressionType type, Map<String, String> overrides, BrokerSettings broker) {
        String name = switch (type) {
            case GZIP -> COMPRESSION_GZIP_LEVEL;
            case LZ4 -> COMPRESSION_LZ4_LEVEL;
            case ZSTD -> COMPRESSION_ZSTD_LEVEL;
            default -> null;
        };
        if (name == null) {
            return OptionalInt.empty();
        }
        String v = overrides.get(name);
        if (v == null && broker.explicitTopicDefaults().contains(name)) {
            v = broker.topicDefaults().get(name);
        }
        return v == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(v));
    }

    /**
     * Whether the topic's effective {@code cleanup.policy} includes {@code policy} ({@code delete} or
     * {@code compact}): retention, the cleaner and DeleteRecords ask.
     */
    static boolean cleanupPolicyIncludes(String policy, Map<String, String> overrides, BrokerSettings broker) {
        for (String p : effective(CLEANUP_POLICY, overrides, broker).split(",")) {
            if (p.trim().equalsIgnoreCase(policy)) {
                return true;
            }
        }
        return false;
    }

    static boolean logAppendTime(Map<String, String> overrides, BrokerSettings broker) {
        return LOG_APPEND_TIME.equals(effective(MESSAGE_TIMESTAMP_TYPE, overrides, broker));
    }
}
