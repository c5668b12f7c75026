package dev.strata.protocol.kafka.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A bound Kafka protocol listener, registered as a service while the server accepts connections. The service also
 * carries the properties {@link #PROP_HOST}, {@link #PROP_PORT} and {@link #PROP_NAME}, so a test started with
 * {@code port=0} can find the ephemeral port with a filter such as {@code (strata.kafka.port=*)}. Immutable.
 */
// Implemented by the protocol bundle only; others read it.
@ProviderType
public interface KafkaListener {

    /** Service property: the listener name (always {@code PLAINTEXT} for now). */
    String PROP_NAME = "strata.kafka.listener";
    /** Service property: the host clients should connect to (the advertised host). */
    String PROP_HOST = "strata.kafka.host";
    /** Service property (Integer): the port the server is bound to. */
    String PROP_PORT = "strata.kafka.port";

    String name();

    /** The advertised host, as Metadata responses report it. */
    String host();

    /** The bound port (the real one when configured with 0). */
    int port();

    /** {@code host:port}, ready for a client's {@code bootstrap.servers}. */
    default String bootstrapServers() {
        return host() + ":" + port();
    }
}
