package dev.strata.broker.internal;

import dev.strata.api.log.LogConfig;
import java.util.Map;

/**
 * The effective settings of one topic that the write path needs (broker defaults plus topic overrides), computed
 * once per change. Immutable: thread-safe.
 */
record TopicSettings(int maxMessageBytes, boolean logAppendTime, LogConfig logConfig) {

    static TopicSettings of(Map<String, String> overrides, BrokerSettings broker) {
        return new TopicSettings(TopicConfigs.maxMessageBytes(overrides, broker),
                TopicConfigs.logAppendTime(overrides, broker), TopicConfigs.logConfig(overrides, broker));
    }
}
