package dev.strata.broker.internal;

import dev.strata.api.log.LogConfig;
import java.util.Map;

/**
 * The effective settings of one topic that the write path needs (broker defaults plus topic overrides), computed
 * once per change. Immutable: thread-safe.
 */
record TopicSettings(int maxMessageBytes, boolean logAppendTime, long timestampBeforeMaxMs,
                     long timestampAfterMaxMs, LogConfig logConfig) {

    static TopicSettings of(Map<String, String> overrides, BrokerSettings broker) {
        return new TopicSettings(TopicConfigs.maxMessageBytes(overrides, broker),
                TopicConfigs.logAppendTime(overrides, broker),
                Long.parseLong(TopicConfigs.effective(TopicConfigs.TIMESTAMP_BEFORE_MAX_MS, overrides, broker)),
                Long.parseLong(TopicConfigs.effective(TopicConfigs.TIMESTAMP_AFTER_MAX_MS, overrides, broker)),
                TopicConfigs.logConfig(overrides, broker));
    }

    /** The oldest CreateTime accepted at {@code nowMs} ({@code message.timestamp.before.max.ms}). */
    long minTimestamp(long nowMs) {
        return timestampBeforeMaxMs >= nowMs ? Long.MIN_VALUE : nowMs - timestampBeforeMaxMs;
    }

    /** The newest CreateTime accepted at {@code nowMs} ({@code message.timestamp.after.max.ms}). */
    long maxTimestamp(long nowMs) {
        return timestampAfterMaxMs > Long.MAX_VALUE - nowMs ? Long.MAX_VALUE : nowMs + timestampAfterMaxMs;
    }
}
