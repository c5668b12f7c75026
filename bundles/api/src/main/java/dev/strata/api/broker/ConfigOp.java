package dev.strata.api.broker;

/**
 * One change of IncrementalAlterConfigs.
 *
 * @param value the value for SET, the list items for APPEND and SUBTRACT; ignored for DELETE
 */
public record ConfigOp(String name, Type type, String value) {

    /** Kafka's operation types (the numbers are the wire's). */
    public enum Type { SET, DELETE, APPEND, SUBTRACT }
}
