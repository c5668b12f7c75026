package dev.strata.api.broker;

/**
 * One configuration value as DescribeConfigs reports it.
 *
 * @param source where the value comes from: {@link Source#TOPIC} override, broker default, or built-in default
 */
public record ConfigEntry(String name, String value, Source source, boolean readOnly, boolean sensitive) {
    public enum Source { TOPIC, BROKER, DEFAULT }

    public boolean isDefault() {
        return source != Source.TOPIC;
    }
}
