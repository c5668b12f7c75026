package dev.strata.protocol.kafka.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the Kafka protocol listener (PID {@code dev.strata.protocol.kafka}); editable in the web console. */
@ObjectClassDefinition(
        name = "Strata Kafka protocol listener",
        description = "Where the Kafka wire-protocol server listens, how many threads it uses and what clients "
                + "may hold. A change rebinds the listener.")
public @interface KafkaServerConfig {

    @AttributeDefinition(name = "Host", description = "Interface to bind to (0.0.0.0 for all).")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Port", description = "TCP port; 0 picks a free ephemeral port.", min = "0",
            max = "65535")
    int port() default 9092;

    @AttributeDefinition(name = "Advertised host",
            description = "Host name clients are told to connect to in Metadata responses; empty = the bind host.")
    String advertised_host() default "";

    @AttributeDefinition(name = "Max request size (bytes)",
            description = "Largest request frame accepted; a larger size prefix closes the connection.", min = "1")
    int socket_request_max_bytes() default ServerSettings.DEFAULT_MAX_REQUEST_BYTES;

    @AttributeDefinition(name = "Request handler threads",
            description = "Threads that run requests (disk appends happen there), shared by all connections.",
            min = "1")
    int num_io_threads() default 4;

    @AttributeDefinition(name = "Network threads",
            description = "Netty event-loop threads doing socket reads and writes.", min = "1")
    int num_network_threads() default 2;

    @AttributeDefinition(name = "Idle connection timeout (ms)",
            description = "A connection with no traffic for this long is closed.", min = "1")
    long connections_max_idle_ms() default ServerSettings.DEFAULT_MAX_IDLE_MS;

    @AttributeDefinition(name = "Max connections",
            description = "Connections open at once on this listener; one more is closed right after accept. "
                    + "-1 = half the process's open-file limit (ulimit -n), so connections cannot starve the log "
                    + "of file descriptors.")
    int max_connections() default ListenerLimits.AUTO;

    @AttributeDefinition(name = "Max connections per IP",
            description = "Connections open at once from one client address; one more is closed right after accept.",
            min = "0")
    int max_connections_per_ip() default Integer.MAX_VALUE;

    @AttributeDefinition(name = "Max connections per IP, overrides",
            description = "Per-host exceptions to the per-IP limit: host:count,host:count.")
    String max_connections_per_ip_overrides() default "";

    @AttributeDefinition(name = "Max connection creation rate",
            description = "New connections accepted per second; faster arrivals are delayed (not refused).",
            min = "1")
    int max_connection_creation_rate() default Integer.MAX_VALUE;

    @AttributeDefinition(name = "Request memory (bytes)",
            description = "Memory for requests being read or handled, all connections together: a request's size is "
                    + "reserved before its body is read; connections wait (not reading) while it is used up. A "
                    + "request larger than this closes its connection. -1 = no limit (Kafka's default).")
    long queued_max_request_bytes() default ListenerLimits.DEFAULT_QUEUED_MAX_REQUEST_BYTES;

    @AttributeDefinition(name = "Request read timeout (ms)",
            description = "A request must arrive within this long of its first byte (time the server is not "
                    + "reading does not count), so a peer trickling bytes cannot hold request memory.", min = "1")
    long socket_request_read_timeout_ms() default ListenerLimits.DEFAULT_REQUEST_READ_TIMEOUT_MS;
}
