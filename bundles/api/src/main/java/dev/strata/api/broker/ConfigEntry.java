package dev.strata.api.broker;

import java.util.List;

/**
 * One configuration value as DescribeConfigs reports it, with Kafka's sources and synonyms.
 *
 * @param value the effective value; null for a sensitive setting or one without a value
 * @param source where the value comes from
 * @param synonyms every place the value could come from, highest precedence first (the entry's own source among
 *     them), as Kafka lists them: for a topic's {@code retention.ms}, the topic override, then the broker's
 *     {@code log.retention.ms}, {@code log.retention.minutes}, {@code log.retention.hours}, then the default
 * @param type the value's type, for tools that render it
 * @param documentation one line on what the setting does, or null
 */
public record ConfigEntry(String name, String value, Source source, boolean readOnly, boolean sensitive,
                          List<Synonym> synonyms, Type type, String documentation) {

    public ConfigEntry {
        synonyms = List.copyOf(synonyms);
    }

    /** Kafka's config sources (DescribeConfigs' {@code config_source}), in Kafka's precedence order. */
    public enum Source {
        DYNAMIC_TOPIC_CONFIG, DYNAMIC_BROKER_LOGGER_CONFIG, DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG,
        STATIC_BROKER_CONFIG, DEFAULT_CONFIG
    }

    /** Kafka's config types (DescribeConfigs' {@code config_type}). */
    public enum Type { BOOLEAN, STRING, INT, SHORT, LONG, DOUBLE, LIST, CLASS, PASSWORD }

    /** One place a value could come from. */
    public record Synonym(String name, String value, Source source) {
    }

    public boolean isDefault() {
        return source == Source.DEFAULT_CONFIG;
    }
}
