package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's liveness in the cluster: the ephemeral {@code /brokers/ids/<id>} with its endpoint ({@code host},
 * {@code port}, {@code rack}), {@code instance} (host name and data directory) and {@code incarnation} (random,
 * new at every start). Written once the endpoint is known and again when it changes or a new session starts. A node
 * left by an earlier session is waited out when it is this store's own (same incarnation: it goes when the server
 * expires that session) or, at the first registration, a previous start's on this host and directory (same
 * instance; bounded by the session timeout); a node of any other live session is refused, as is a previous start's
 * node that outlives the wait: the broker then logs an ERROR and {@link #onRefused} runs (the store stops its
 * controller and the component withdraws the store). Other failures are retried while the store is open.
 * {@link #onRegistered} runs once, when this session first created the node: only then may the broker join the
 * controller election, so two brokers started with one id never both do.
 *
 * <p>Thread-safety: thread-safe; writes run on one registration thread.
 */
final class BrokerRegistration implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerRegistration.class);
    private static final long RETRY_MS = 500;

    private final ZkConnection zk;
    private final int brokerId;
    private final String rack;
    private final String instance;
    private final String incarnation = UUID.randomUUID().toString();
    private final ScheduledExecutorService thread;
    private volatile Runnable onRegistered = () -> { };
    private volatile Runnable onRefused = () -> { };
    private volatile boolean registered;
    private volatile String host;
    private volatile int port = -1;
    private volatile boolean refused;
    private volatile boolean closed;

    BrokerRegistration(ZkConnection zk, int brokerId, String rack, String instance) {
        this.zk = zk;
        this.brokerId = brokerId;
        this.rack = rack;
        this.instance = instance;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "strata-zk-register-" + brokerId);
            t.setDaemon(true);
            return t;
        });
        zk.onNewSession(() -> thread.execute(() -> write(deadline())));
    }

    /**
     * At start: refuses a broker id registered by another live broker (not this broker's own earlier session).
     *
     * @throws StrataException INVALID_CONFIG with the message the operator needs
     */
    void checkNotTaken() {
        try {
            Stat stat = new Stat();
            byte[] data = zk.client().getData().storingStatIn(stat).forPath(ZkPaths.broker(brokerId));
            Map<String, String> v = ZkPaths.decode(data);
            if (stat.getEphemeralOwner() != zk.sessionId() && !instance.equals(v.get("instance"))) {
                throw duplicate(v);
            }
        } catch (KeeperException.NoNodeException e) {
            // free
        } catch (StrataException e) {
            throw e;
        } catch (Exception e) {
            throw new StrataException(ErrorCode.BROKER_NOT_AVAILABLE, "Cannot read the registration of broker "
                    + brokerId + " in ZooKeeper: " + e.getMessage(), e);
        }
    }

    private StrataException duplicate(Map<String, String> v) {
        return new StrataException(ErrorCode.INVALID_CONFIG, "broker.id " + brokerId + " is already registered by a"
                + " live broker at " + v.get("host") + ":" + v.get("port") + "; each broker needs its own broker.id");
    }

    /** The broker's listener is bound at {@code host:port} (again, or elsewhere): (re-)register with it. */
    void endpoint(String newHost, int newPort) {
        host = newHost;
        port = newPort;
        thread.execute(() -> write(deadline()));
    }

    /** Runs once, on the registration thread, when this session first created the node. */
    void onRegistered(Runnable action) {
        onRegistered = action;
    }

    /** Runs once, on the registration thread, when the broker id is refused (see the class comment). */
    void onRefused(Runnable action) {
        onRefused = action;
    }

    /** Whether another live broker holds this broker id (found when registering). */
    boolean refused() {
        return refused;
    }

    private void registered() {
        if (!registered) {
            registered = true;
            onRegistered.run();
        }
    }

    private void refuse(String message) {
        refused = true;
        LOG.error(message);
        onRefused.run();
    }

    private long deadline() {
        return System.currentTimeMillis() + zk.sessionTimeoutMs() * 3L / 2 + zk.connectionTimeoutMs();
    }

    private void write(long deadline) {
        if (closed || refused || host == null) {
            return;
        }
        Map<String, String> v = new TreeMap<>();
        v.put("host", host);
        v.put("port", Integer.toString(port));
        v.put("instance", instance);
        v.put("incarnation", incarnation);
        if (rack != null) {
            v.put("rack", rack);
        }
        byte[] data = ZkPaths.encode(v);
        String path = ZkPaths.broker(brokerId);
        CuratorFramework client = zk.client();
        try {
            try {
                client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, data);
                LOG.info("Registered broker {} at {}:{} in ZooKeeper", brokerId, host, port);
                registered();
                return;
            } catch (KeeperException.NodeExistsException e) {
                // ours (a new endpoint), our earlier session's, or another broker's
            }
            Stat stat = new Stat();
            Map<String, String> existing = ZkPaths.decode(client.getData().storingStatIn(stat).forPath(path));
            if (stat.getEphemeralOwner() == zk.sessionId()) {
                client.setData().withVersion(stat.getVersion()).forPath(path, data);
                LOG.info("Broker {} now registered at {}:{}", brokerId, host, port);
                registered(); // a create whose answer was lost to a connection blip
                return;
            }
            boolean ownEarlierSession = incarnation.equals(existing.get("incarnation"));
            boolean previousStart = !registered && instance.equals(existing.get("instance"));
            if (!ownEarlierSession && !previousStart) {
                refuse(duplicate(existing).getMessage());
                return;
            }
            if (!ownEarlierSession && System.currentTimeMillis() > deadline) {
                // Outlived a session timeout: another live process on this host and directory holds it. (A node of
                // this very store's earlier session always goes, when the server expires that session.)
                refuse(duplicate(existing).getMessage());
                return;
            }
            retry(deadline, "the registration of its previous ZooKeeper session has not expired yet");
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            retry(deadline, "the registration changed while being written");
        } catch (Exception e) {
            retry(deadline, e.getMessage());
        }
    }

    /**
     * Tries again later. Only a registration held by another process refuses the broker id; any other failure
     * (a session that expired again, ZooKeeper out of reach) is retried for as long as the store is open, with a
     * WARN once the session timeout has passed, so a broker never gives up its metadata over a passing fault.
     */
    private void retry(long deadline, String why) {
        if (closed) {
            return;
        }
        long now = System.currentTimeMillis();
        if (now > deadline) {
            LOG.warn("Broker {} is still not registered in ZooKeeper ({}); retrying", brokerId, why);
            deadline = now + zk.sessionTimeoutMs();
        } else {
            LOG.debug("Broker {} not registered yet ({}); retrying", brokerId, why);
        }
        long next = deadline;
        thread.schedule(() -> write(next), RETRY_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
    }
}
