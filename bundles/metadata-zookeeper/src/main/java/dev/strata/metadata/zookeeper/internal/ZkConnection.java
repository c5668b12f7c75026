package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.SessionConnectionStateErrorPolicy;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's Curator client on {@code zookeeper.connect} (its chroot as Curator's namespace) and what the store
 * needs to know of the connection: whether requests can be sent now (so writes fail fast while it is down), and when
 * a new session started after the old one was lost (so registration and the mirror are rebuilt).
 *
 * <p>Thread-safety: thread-safe; session hooks run on Curator's connection-state thread and must not block.
 */
final class ZkConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZkConnection.class);

    private final CuratorFramework client;
    private final String connect;
    private final int sessionTimeoutMs;
    private final int connectionTimeoutMs;
    private final List<Runnable> newSessionHooks = new CopyOnWriteArrayList<>();
    private volatile boolean connected;
    private volatile long sessionId;

    /**
     * Connects, waiting up to {@code connectionTimeoutMs}.
     *
     * @throws StrataException when ZooKeeper cannot be reached in time (the broker does not start without it)
     */
    ZkConnection(String zookeeperConnect, int sessionTimeoutMs, int connectionTimeoutMs) {
        this.connect = zookeeperConnect.trim();
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.connectionTimeoutMs = connectionTimeoutMs;
        int slash = connect.indexOf('/');
        String hosts = slash < 0 ? connect : connect.substring(0, slash);
        String chroot = slash < 0 ? "" : connect.substring(slash + 1).replaceAll("/+$", "");
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder().connectString(hosts)
                .sessionTimeoutMs(sessionTimeoutMs).connectionTimeoutMs(connectionTimeoutMs)
                // No retry of an operation that lost the connection: each attempt may already wait up to the
                // connection timeout, and a request must fail inside its own timeout with a retriable error. The
                // store's loops (controller, registration, mirror) redo their work on reconnection.
                .retryPolicy(new RetryNTimes(0, 0)).ensembleTracker(false)
                // Only a lost session is an error for the recipes: the LeaderLatch keeps its leadership through a
                // suspended connection (re-checked on reconnection), so a short blip does not move the controller
                // (as Kafka's controller, which resigns on session expiry only).
                .connectionStateErrorPolicy(new SessionConnectionStateErrorPolicy());
        if (!chroot.isEmpty()) {
            builder.namespace(chroot);
        }
        client = builder.build();
        client.getConnectionStateListenable().addListener((c, state) -> stateChanged(state));
        client.start();
        try {
            if (!client.blockUntilConnected(connectionTimeoutMs, TimeUnit.MILLISECONDS)) {
                client.close();
                throw new StrataException(ErrorCode.BROKER_NOT_AVAILABLE, "Timed out after " + connectionTimeoutMs
                        + " ms connecting to ZooKeeper at " + connect + " (zookeeper.connect)");
            }
            sessionId = client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new StrataException(ErrorCode.BROKER_NOT_AVAILABLE, "Interrupted connecting to ZooKeeper", e);
        } catch (Exception e) {
            if (e instanceof StrataException s) {
                throw s;
            }
            client.close();
            throw new StrataException(ErrorCode.BROKER_NOT_AVAILABLE, "Cannot connect to ZooKeeper at " + connect
                    + ": " + e.getMessage(), e);
        }
        connected = true;
        LOG.info("Connected to ZooKeeper at {} (session 0x{})", connect, Long.toHexString(sessionId));
    }

    private void stateChanged(ConnectionState state) {
        switch (state) {
            case CONNECTED, RECONNECTED -> {
                connected = true;
                long id;
                try {
                    id = client.getZookeeperClient().getZooKeeper().getSessionId();
                } catch (Exception e) {
                    id = 0;
                }
                boolean newSession = id != sessionId;
                sessionId = id;
                LOG.info("ZooKeeper connection {} (session 0x{}{})", state, Long.toHexString(id),
                        newSession ? ", a new one" : "");
                if (newSession && state == ConnectionState.RECONNECTED) {
                    newSessionHooks.forEach(Runnable::run);
                }
            }
            case SUSPENDED -> {
                connected = false;
                LOG.warn("ZooKeeper connection suspended: serving from the local mirror, changes are refused until"
                        + " it is back");
            }
            case LOST -> {
                connected = false;
                LOG.warn("ZooKeeper session lost: this broker is deregistered until it reconnects");
            }
            default -> {
            }
        }
    }

    CuratorFramework client() {
        return client;
    }

    String connectString() {
        return connect;
    }

    int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    int connectionTimeoutMs() {
        return connectionTimeoutMs;
    }

    long sessionId() {
        return sessionId;
    }

    boolean connected() {
        return connected;
    }

    /** Run (on Curator's thread, quickly) when a session starts after the previous one was lost. */
    void onNewSession(Runnable hook) {
        newSessionHooks.add(hook);
    }

    /** @throws StrataException {@code error} (retriable) at once while ZooKeeper is out of reach */
    void requireConnected(ErrorCode error, String what) {
        if (!connected) {
            throw unreachable(error, what, null);
        }
    }

    /** The retriable error for {@code what} failing because ZooKeeper could not be reached. */
    StrataException unreachable(ErrorCode error, String what, Exception cause) {
        return new StrataException(error, "Cannot " + what + ": the cluster metadata (ZooKeeper at " + connect
                + ") is not reachable now" + (cause == null ? "" : " (" + cause.getMessage() + ")"), cause);
    }

    /** The retriable error of {@code what} failing for want of ZooKeeper, else the failure as it is. */
    StrataException failure(ErrorCode error, String what, Exception e) {
        if (e instanceof StrataException s) {
            return s;
        }
        if (isConnectionFailure(e) || !connected) {
            return unreachable(error, what, e);
        }
        LOG.error("Could not {}", what, e);
        return new StrataException(ErrorCode.UNKNOWN_SERVER_ERROR, "Could not " + what + ": " + e, e);
    }

    /** Whether {@code e} means the connection or session failed (as opposed to a refused operation). */
    static boolean isConnectionFailure(Exception e) {
        return e instanceof KeeperException k && (k.code() == KeeperException.Code.CONNECTIONLOSS
                || k.code() == KeeperException.Code.SESSIONEXPIRED || k.code() == KeeperException.Code.OPERATIONTIMEOUT
                || k.code() == KeeperException.Code.SESSIONMOVED);
    }

    @Override
    public void close() {
        connected = false;
        client.close();
    }
}
