package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import java.util.Map;
import java.util.TreeMap;
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
 * {@code port}, {@code rack}) and {@code instance} (host name and data directory, which tells this broker's own
 * earlier session from another broker with the same id). Written once the endpoint is known and again when it
 * changes or a new session starts; an earlier session of this same broker whose node still lingers is waited out
 * (bounded by the session timeout), while a node of another live broker with this id is refused with an ERROR.
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
    private final ScheduledExecutorService thread;
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

    /** Whether another live broker holds this broker id (found when registering). */
    boolean refused() {
        return refused;
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
                return;
            } catch (KeeperException.NodeExistsException e) {
                // ours (a new endpoint), our earlier session's, or another broker's
            }
            Stat stat = new Stat();
            Map<String, String> existing = ZkPaths.decode(client.getData().storingStatIn(stat).forPath(path));
            if (stat.getEphemeralOwner() == zk.sessionId()) {
                client.setData().withVersion(stat.getVersion()).forPath(path, data);
                LOG.info("Broker {} now registered at {}:{}", brokerId, host, port);
                return;
            }
            if (!instance.equals(existing.get("instance"))) {
                refused = true;
                LOG.error(duplicate(existing).getMessage());
                return;
            }
            retry(deadline, "the registration of its previous ZooKeeper session has not expired yet");
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            retry(deadline, "the registration changed while being written");
        } catch (Exception e) {
            retry(deadline, e.getMessage());
        }
    }

    private void retry(long deadline, String why) {
        if (closed) {
            return;
        }
        if (System.currentTimeMillis() > deadline && zk.connected()) {
            LOG.error("Broker {} could not register in ZooKeeper before the session timeout: {}", brokerId, why);
            return;
        }
        LOG.debug("Broker {} not registered yet ({}); retrying", brokerId, why);
        thread.schedule(() -> write(deadline), RETRY_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
    }
}
