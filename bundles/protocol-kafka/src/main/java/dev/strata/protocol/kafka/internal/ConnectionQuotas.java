package dev.strata.protocol.kafka.internal;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts open connections, in total and per client address, against {@code max.connections},
 * {@code max.connections.per.ip} and its per-host overrides, as Kafka's {@code ConnectionQuotas} does. A connection
 * is counted from {@link #tryAcquire} until {@link #release}.
 *
 * <p>Thread-safe: acquired on the acceptor thread, released on whichever thread closes the connection.
 */
final class ConnectionQuotas {
    /** Why a connection was refused; null from {@link #tryAcquire} means it was admitted. */
    enum Refusal { MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP }

    private final int maxConnections;
    private final int maxPerIp;
    private final Map<InetAddress, Integer> perIpOverrides;
    private final Map<InetAddress, Integer> perIp = new HashMap<>();
    private int total;
    private long refused;

    ConnectionQuotas(int maxConnections, int maxPerIp, Map<InetAddress, Integer> perIpOverrides) {
        this.maxConnections = maxConnections;
        this.maxPerIp = maxPerIp;
        this.perIpOverrides = Map.copyOf(perIpOverrides);
    }

    /** Counts a new connection from {@code address}, or says which limit it would break (and counts nothing). */
    synchronized Refusal tryAcquire(InetAddress address) {
        if (total >= maxConnections) {
            refused++;
            return Refusal.MAX_CONNECTIONS;
        }
        int fromAddress = perIp.getOrDefault(address, 0);
        if (fromAddress >= maxFor(address)) {
            refused++;
            return Refusal.MAX_CONNECTIONS_PER_IP;
        }
        perIp.put(address, fromAddress + 1);
        total++;
        return null;
    }

    /** A connection counted by {@link #tryAcquire} closed. */
    synchronized void release(InetAddress address) {
        Integer count = perIp.get(address);
        if (count == null) {
            throw new IllegalStateException("no connection counted for " + address);
        }
        if (count == 1) {
            perIp.remove(address);
        } else {
            perIp.put(address, count - 1);
        }
        total--;
    }

    int maxFor(InetAddress address) {
        return perIpOverrides.getOrDefault(address, maxPerIp);
    }

    int maxConnections() {
        return maxConnections;
    }

    synchronized int open() {
        return total;
    }

    synchronized int open(InetAddress address) {
        return perIp.getOrDefault(address, 0);
    }

    /** Connections refused by a limit since the server started. */
    synchronized long refused() {
        return refused;
    }
}
