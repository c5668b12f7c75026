package dev.strata.protocol.kafka.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;

/**
 * The APIs this server implements and the version range of each: exactly what ApiVersions advertises and what the
 * request decoder accepts. Ranges are clamped to what the embedded kafka-clients message classes can encode (stable
 * versions only). The consumer-group APIs count only while a group coordinator service is present. Immutable.
 */
final class SupportedApis {

    /** The inclusive version range of one API. */
    record Range(short min, short max) {
        boolean contains(short version) {
            return version >= min && version <= max;
        }
    }

    private static final Map<Short, Range> RANGES;
    private static final Map<Short, Range> GROUP_RANGES;

    static {
        Map<Short, Range> m = new LinkedHashMap<>();
        put(m, ApiMessageType.PRODUCE, 3, 13);
        put(m, ApiMessageType.FETCH, 4, 18);
        put(m, ApiMessageType.LIST_OFFSETS, 1, 10);
        put(m, ApiMessageType.METADATA, 0, 13);
        put(m, ApiMessageType.API_VERSIONS, 0, 4);
        put(m, ApiMessageType.CREATE_TOPICS, 2, 7);
        put(m, ApiMessageType.DELETE_TOPICS, 1, 6);
        put(m, ApiMessageType.DESCRIBE_CONFIGS, 1, 4);
        put(m, ApiMessageType.ALTER_CONFIGS, 0, 2);
        put(m, ApiMessageType.INCREMENTAL_ALTER_CONFIGS, 0, 1);
        // v6 adds two-phase commit (KIP-939) for transactions, which Strata does not do yet.
        put(m, ApiMessageType.INIT_PRODUCER_ID, 0, 5);
        put(m, ApiMessageType.DESCRIBE_CLUSTER, 0, 2);
        put(m, ApiMessageType.CREATE_PARTITIONS, 0, 3);
        put(m, ApiMessageType.DELETE_RECORDS, 0, 2);
        put(m, ApiMessageType.DESCRIBE_LOG_DIRS, 1, 4);
        put(m, ApiMessageType.DESCRIBE_PRODUCERS, 0, 0);
        put(m, ApiMessageType.ELECT_LEADERS, 0, 2);
        RANGES = Collections.unmodifiableMap(m);

        Map<Short, Range> g = new LinkedHashMap<>();
        put(g, ApiMessageType.OFFSET_COMMIT, 2, 9); // v10 names topics by id (KIP-848)
        put(g, ApiMessageType.OFFSET_FETCH, 1, 9);
        put(g, ApiMessageType.FIND_COORDINATOR, 0, 6);
        put(g, ApiMessageType.JOIN_GROUP, 0, 9);
        put(g, ApiMessageType.HEARTBEAT, 0, 4);
        put(g, ApiMessageType.LEAVE_GROUP, 0, 5);
        put(g, ApiMessageType.SYNC_GROUP, 0, 5);
        put(g, ApiMessageType.DESCRIBE_GROUPS, 0, 6);
        put(g, ApiMessageType.LIST_GROUPS, 0, 5);
        put(g, ApiMessageType.DELETE_GROUPS, 0, 2);
        put(g, ApiMessageType.OFFSET_DELETE, 0, 0);
        GROUP_RANGES = Collections.unmodifiableMap(g);
    }

    private static void put(Map<Short, Range> m, ApiMessageType api, int min, int max) {
        short lo = (short) Math.max(min, api.lowestSupportedVersion());
        short hi = (short) Math.min(max, api.highestSupportedVersion(false));
        m.put(api.apiKey(), new Range(lo, hi));
    }

    private SupportedApis() {
    }

    /** The range for an API key, or null when this server does not implement it (now). */
    static Range range(short apiKey, boolean groupsAvailable) {
        Range r = RANGES.get(apiKey);
        return r != null || !groupsAvailable ? r : GROUP_RANGES.get(apiKey);
    }

    static boolean isGroupApi(short apiKey) {
        return GROUP_RANGES.containsKey(apiKey);
    }

    /**
     * The lowest Produce version advertised. librdkafka compresses with gzip, snappy or lz4 only when the broker
     * lists Produce v0-v2 and silently sends such batches uncompressed otherwise, so, like Kafka 4 (KAFKA-18659), we
     * advertise v0 while {@link #range} still refuses requests below v3.
     */
    static final short ADVERTISED_PRODUCE_MIN_VERSION = 0;

    /** A fresh ApiVersions list (collections are mutable and owned by one response). */
    static ApiVersionCollection apiVersions(boolean groupsAvailable) {
        ApiVersionCollection list = new ApiVersionCollection(RANGES.size() + GROUP_RANGES.size());
        RANGES.forEach((key, r) -> list.add(new ApiVersion().setApiKey(key)
                .setMinVersion(key == ApiMessageType.PRODUCE.apiKey() ? ADVERTISED_PRODUCE_MIN_VERSION : r.min())
                .setMaxVersion(r.max())));
        if (groupsAvailable) {
            GROUP_RANGES.forEach((key, r) -> list.add(new ApiVersion().setApiKey(key).setMinVersion(r.min())
                    .setMaxVersion(r.max())));
        }
        return list;
    }
}
