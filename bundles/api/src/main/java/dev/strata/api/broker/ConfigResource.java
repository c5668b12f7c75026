package dev.strata.api.broker;

/**
 * What a configuration belongs to, as Kafka names it.
 *
 * @param name the topic name; for a broker its id as text, or {@code ""} for the cluster-wide broker default
 */
public record ConfigResource(Type type, String name) {

    public enum Type { TOPIC, BROKER, BROKER_LOGGER }

    public ConfigResource {
        if (type == null || name == null) {
            throw new IllegalArgumentException("A config resource needs a type and a name");
        }
    }

    /** Whether this names the cluster-wide broker default ({@code ""}). */
    public boolean isDefaultBroker() {
        return type == Type.BROKER && name.isEmpty();
    }
}
