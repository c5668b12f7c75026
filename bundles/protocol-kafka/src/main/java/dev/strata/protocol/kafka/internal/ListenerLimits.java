package dev.strata.protocol.kafka.internal;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.ObjectName;

/**
 * What one listener lets clients hold: connections (in total, per address, created per second) and memory for
 * requests. Kafka's setting names where Kafka has one; {@code Integer.MAX_VALUE} means no limit. Immutable.
 *
 * @param maxConnections {@code max.connections}
 * @param maxConnectionsPerIp {@code max.connections.per.ip} (0 with overrides: only the listed hosts)
 * @param maxConnectionsPerIpOverrides {@code max.connections.per.ip.overrides}, resolved
 * @param maxConnectionCreationRate {@code max.connection.creation.rate}, connections accepted per second
 * @param queuedMaxRequestBytes {@code queued.max.request.bytes}: memory for requests being read or handled, all
 *     connections together; &le; 0 for no limit (Kafka's -1)
 * @param requestReadTimeoutMs {@code socket.request.read.timeout.ms} (Strata's): a request must arrive within this
 *     long of its first byte
 */
public record ListenerLimits(int maxConnections, int maxConnectionsPerIp,
                             Map<InetAddress, Integer> maxConnectionsPerIpOverrides, int maxConnectionCreationRate,
                             long queuedMaxRequestBytes, long requestReadTimeoutMs) {

    /**
     * 200 MiB: twice {@code socket.request.max.bytes}, so a request of the largest size can be handled while another
     * is read. Kafka's default (-1) is unbounded, which is what let 64 half-sent 99 MB requests exhaust memory.
     */
    public static final long DEFAULT_QUEUED_MAX_REQUEST_BYTES = 209_715_200;
    /** kafka-clients give up on a request after {@code request.timeout.ms} (30 s) anyway. */
    public static final long DEFAULT_REQUEST_READ_TIMEOUT_MS = 30_000;

    /** Configured {@code max.connections} meaning "half the process's file-descriptor limit". */
    public static final int AUTO = -1;

    public ListenerLimits {
        if (maxConnections <= 0 || maxConnectionCreationRate <= 0) {
            throw new IllegalArgumentException("max.connections and max.connection.creation.rate must be > 0");
        }
        if (maxConnectionsPerIp < 0 || maxConnectionsPerIp == 0 && maxConnectionsPerIpOverrides.isEmpty()) {
            // As in Kafka: 0 only makes sense with overrides (the listed hosts are the only ones let in).
            throw new IllegalArgumentException("max.connections.per.ip must be > 0, or 0 with overrides");
        }
        if (requestReadTimeoutMs <= 0) {
            throw new IllegalArgumentException("socket.request.read.timeout.ms must be > 0: " + requestReadTimeoutMs);
        }
        maxConnectionsPerIpOverrides = Map.copyOf(maxConnectionsPerIpOverrides);
    }

    /** The defaults: {@code max.connections} from the file-descriptor limit, everything else unlimited. */
    public static ListenerLimits defaults() {
        return new ListenerLimits(resolveMaxConnections(AUTO), Integer.MAX_VALUE, Map.of(), Integer.MAX_VALUE,
                DEFAULT_QUEUED_MAX_REQUEST_BYTES, DEFAULT_REQUEST_READ_TIMEOUT_MS);
    }

    public ListenerLimits withMaxConnections(int max) {
        return new ListenerLimits(max, maxConnectionsPerIp, maxConnectionsPerIpOverrides, maxConnectionCreationRate,
                queuedMaxRequestBytes, requestReadTimeoutMs);
    }

    public ListenerLimits withMaxConnectionsPerIp(int max, Map<InetAddress, Integer> overrides) {
        return new ListenerLimits(maxConnections, max, overrides, maxConnectionCreationRate, queuedMaxRequestBytes,
                requestReadTimeoutMs);
    }

    public ListenerLimits withMaxConnectionCreationRate(int perSecond) {
        return new ListenerLimits(maxConnections, maxConnectionsPerIp, maxConnectionsPerIpOverrides, perSecond,
                queuedMaxRequestBytes, requestReadTimeoutMs);
    }

    public ListenerLimits withQueuedMaxRequestBytes(long bytes) {
        return new ListenerLimits(maxConnections, maxConnectionsPerIp, maxConnectionsPerIpOverrides,
                maxConnectionCreationRate, bytes, requestReadTimeoutMs);
    }

    public ListenerLimits withRequestReadTimeoutMs(long timeoutMs) {
        return new ListenerLimits(maxConnections, maxConnectionsPerIp, maxConnectionsPerIpOverrides,
                maxConnectionCreationRate, queuedMaxRequestBytes, timeoutMs);
    }

    /**
     * {@code max.connections} as configured, {@link #AUTO} (or any value &le; 0) resolved to half the process's
     * open-file limit: every connection is a file descriptor, and when they run out the log can no longer open
     * segment files either, so the whole broker fails, not just new clients. The other half is left for the log,
     * the bundles' jars and the JVM. Unlimited when the JVM does not tell the limit (not a Unix system).
     */
    static int resolveMaxConnections(int configured) {
        if (configured > 0) {
            return configured;
        }
        try {
            Object max = ManagementFactory.getPlatformMBeanServer().getAttribute(
                    new ObjectName("java.lang:type=OperatingSystem"), "MaxFileDescriptorCount");
            if (max instanceof Long fds && fds > 0) {
                return (int) Math.max(1, Math.min(Integer.MAX_VALUE, fds / 2));
            }
        } catch (Exception | LinkageError e) {
            // Not a Unix JVM: no limit to derive one from.
        }
        return Integer.MAX_VALUE;
    }

    /**
     * Parses {@code max.connections.per.ip.overrides}, Kafka's {@code host:count,host:count} (an IPv6 address keeps
     * its colons: the count follows the last one). Host names are resolved now, as Kafka does.
     */
    static Map<InetAddress, Integer> parseOverrides(String value) {
        Map<InetAddress, Integer> overrides = new LinkedHashMap<>();
        if (value == null || value.isBlank()) {
            return overrides;
        }
        for (String entry : value.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.lastIndexOf(':');
            if (colon <= 0 || colon == trimmed.length() - 1) {
                throw new IllegalArgumentException("max.connections.per.ip.overrides: '" + trimmed
                        + "' is not host:count");
            }
            String host = trimmed.substring(0, colon).trim();
            int count;
            try {
                count = Integer.parseInt(trimmed.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("max.connections.per.ip.overrides: '" + trimmed
                        + "' has no numeric count");
            }
            if (count < 0) {
                throw new IllegalArgumentException("max.connections.per.ip.overrides: negative count in '"
                        + trimmed + "'");
            }
            try {
                overrides.put(InetAddress.getByName(host.replace("[", "").replace("]", "")), count);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("max.connections.per.ip.overrides: unknown host '" + host + "'");
            }
        }
        return overrides;
    }
}
