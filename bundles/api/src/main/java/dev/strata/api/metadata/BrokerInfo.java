package dev.strata.api.metadata;

/** A broker as clients see it in Metadata responses. {@code rack} may be null. */
public record BrokerInfo(int id, String host, int port, String rack) {
}
