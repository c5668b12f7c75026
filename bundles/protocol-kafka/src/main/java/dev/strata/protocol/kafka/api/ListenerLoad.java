package dev.strata.protocol.kafka.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Live figures of a bound Kafka listener against its limits, for health output. The listener registers one object
 * under both {@link KafkaListener} and this interface (same service properties). Values are read when asked, so
 * they may change between calls. Thread-safe.
 */
@ProviderType
public interface ListenerLoad {

    /** Connections open now. */
    int openConnections();

    /** {@code max.connections} in effect ({@code Integer.MAX_VALUE}: no limit). */
    int maxConnections();

    /** Connections closed right after accept because of a connection limit, since the listener started. */
    long refusedConnections();

    /** Bytes reserved now for requests being read or handled. */
    long requestBytesInUse();

    /** {@code queued.max.request.bytes} in effect ({@code Long.MAX_VALUE}: no limit). */
    long requestBytesLimit();
}
