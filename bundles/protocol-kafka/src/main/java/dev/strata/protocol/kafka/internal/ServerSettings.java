package dev.strata.protocol.kafka.internal;

import java.util.Objects;

/**
 * The listener settings, independent of OSGi so the server can be started in plain tests. Immutable.
 *
 * @param host interface to bind to
 * @param port TCP port, 0 for an ephemeral one
 * @param advertisedHost host reported to clients in Metadata; null or blank means {@code host}
 * @param maxRequestBytes the largest request frame (size prefix) accepted
 * @param ioThreads request handler threads
 * @param networkThreads Netty event-loop threads for connections
 * @param maxIdleMs a connection with no traffic for this long is closed
 * @param limits connection limits
 */
public record ServerSettings(String host, int port, String advertisedHost, int maxRequestBytes, int ioThreads,
                             int networkThreads, long maxIdleMs, ListenerLimits limits) {

    public static final int DEFAULT_MAX_REQUEST_BYTES = 104_857_600;
    public static final long DEFAULT_MAX_IDLE_MS = 600_000;

    public ServerSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(limits, "limits");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("socket.request.max.bytes must be > 0: " + maxRequestBytes);
        }
        if (ioThreads <= 0 || networkThreads <= 0) {
            throw new IllegalArgumentException("thread counts must be > 0");
        }
        if (maxIdleMs <= 0) {
            throw new IllegalArgumentException("connections.max.idle.ms must be > 0: " + maxIdleMs);
        }
        if (advertisedHost == null || advertisedHost.isBlank()) {
            advertisedHost = host;
        }
    }

    /** Without limits (defaults). */
    public ServerSettings(String host, int port, String advertisedHost, int maxRequestBytes, int ioThreads,
                          int networkThreads, long maxIdleMs) {
        this(host, port, advertisedHost, maxRequestBytes, ioThreads, networkThreads, maxIdleMs,
                ListenerLimits.defaults());
    }

    /** Loopback, ephemeral port, defaults otherwise: what tests use. */
    public static ServerSettings loopbackEphemeral() {
        return new ServerSettings("127.0.0.1", 0, null, DEFAULT_MAX_REQUEST_BYTES, 4, 2, DEFAULT_MAX_IDLE_MS);
    }

    public static ServerSettings from(KafkaServerConfig config) {
        ListenerLimits limits = new ListenerLimits(ListenerLimits.resolveMaxConnections(config.max_connections()),
                config.max_connections_per_ip(),
                ListenerLimits.parseOverrides(config.max_connections_per_ip_overrides()),
                config.max_connection_creation_rate(), config.queued_max_request_bytes(),
                config.socket_request_read_timeout_ms());
        return new ServerSettings(config.host().trim(), config.port(), config.advertised_host(),
                config.socket_request_max_bytes(), config.num_io_threads(), config.num_network_threads(),
                config.connections_max_idle_ms(), limits);
    }

    public ServerSettings withMaxRequestBytes(int max) {
        return new ServerSettings(host, port, advertisedHost, max, ioThreads, networkThreads, maxIdleMs, limits);
    }

    public ServerSettings withMaxIdleMs(long idleMs) {
        return new ServerSettings(host, port, advertisedHost, maxRequestBytes, ioThreads, networkThreads, idleMs,
                limits);
    }

    public ServerSettings withLimits(ListenerLimits newLimits) {
        return new ServerSettings(host, port, advertisedHost, maxRequestBytes, ioThreads, networkThreads, maxIdleMs,
                newLimits);
    }
}
