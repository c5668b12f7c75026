package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's controller, when this broker wins the Curator {@link LeaderLatch} at {@code /controller_election}
 * (participant id = broker id): it increments {@code /controller_epoch}, writes the ephemeral {@code /controller},
 * and then, on one thread, after every change of the mirror (and every {@code leader.imbalance.check.interval.seconds}
 * for the automatic rebalance), decides with {@link Elections} and writes the partition states, deletes the topics
 * asked to be deleted, answers election requests and hands over the leaderships of brokers in controlled shutdown.
 *
 * <p>Every write is one ZooKeeper transaction that checks the version of {@code /controller_epoch} this controller
 * wrote, plus the versions of the znodes it replaces: once another broker became controller (a newer epoch) the
 * writes of this one fail and it stops acting. A write that fails on a stale version is redone from the next
 * snapshot.
 *
 * <p>Thread-safety: thread-safe; all decisions run on the controller thread.
 */
final class ZkController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZkController.class);
    private static final long CLOSE_WAIT_MS = 5_000;

    /** The broker settings the controller uses (Kafka's names and defaults). */
    record Settings(boolean autoLeaderRebalance, long imbalanceCheckIntervalSeconds, int imbalancePercentage,
                    boolean uncleanDefault) {
    }

    /** This controller was deposed: its epoch is no longer the current one. */
    static final class DeposedException extends Exception {
        private static final long serialVersionUID = 1L;
    }

    private final ZkConnection zk;
    private final ZkMirror mirror;
    private final int brokerId;
    private final Settings settings;
    private final ScheduledExecutorService loop;
    private final AtomicBoolean queued = new AtomicBoolean();
    /** One retry at a time after a failed pass (failures must not multiply the passes). */
    private final AtomicBoolean retryPending = new AtomicBoolean();
    /** The latch this broker takes part in (a new one after it was deposed while holding the old one). */
    private volatile LeaderLatch latch;
    /** Bumped on every isLeader/notLeader (controller thread): a become() of an older term does nothing. */
    private volatile int generation;
    private volatile boolean active;
    private volatile int epoch;
    private volatile int epochVersion;
    private ScheduledFuture<?> rebalance;
    /**
     * Partitions elected by an election request whose other topics' writes failed on a stale version (controller
     * thread): the request is answered from a later snapshot, where these already have their new leader and would
     * otherwise read ELECTION_NOT_NEEDED instead of NONE.
     */
    private final Map<String, Set<TopicPartition>> partlyElected = new HashMap<>();

    ZkController(ZkConnection zk, ZkMirror mirror, int brokerId, Settings settings) {
        this.zk = zk;
        this.mirror = mirror;
        this.brokerId = brokerId;
        this.settings = settings;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "strata-zk-controller-" + brokerId);
            t.setDaemon(true);
            return t;
        });
    }

    private boolean started;
    private boolean closed;

    /** Joins the controller election (once; not after {@link #close}). */
    synchronized void start() throws Exception {
        if (started || closed) {
            return;
        }
        started = true;
        mirror.onChange(s -> trigger());
        joinElection();
    }

    private synchronized void joinElection() throws Exception {
        if (closed) {
            return;
        }
        LeaderLatch l = new LeaderLatch(zk.client(), ZkPaths.CONTROLLER_ELECTION, Integer.toString(brokerId));
        l.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                if (latch == l) {
                    become(l, ++generation);
                }
            }

            @Override
            public void notLeader() {
                if (latch == l) {
                    generation++;
                    resign("lost the controller election (ZooKeeper session lost)");
                }
            }
        }, loop);
        latch = l;
        l.start();
    }

    /**
     * Deposed by a newer epoch while still holding the latch (the other controller may have stepped down since):
     * leave the election and join it again, so that some broker, maybe this one, takes office with a newer epoch.
     */
    private void deposed() {
        resign("a newer controller epoch exists");
        LeaderLatch l = latch;
        if (!l.hasLeadership()) {
            return;
        }
        generation++;
        LOG.warn("Broker {} holds the controller election but was deposed: rejoining the election", brokerId);
        try {
            synchronized (this) {
                if (closed) {
                    return;
                }
                l.close();
            }
            joinElection();
        } catch (Exception e) {
            LOG.error("Broker {} could not rejoin the controller election: {}", brokerId, e.toString());
        }
    }

    /** Whether this broker acts as controller now. */
    boolean active() {
        return active;
    }

    int epoch() {
        return epoch;
    }

    private void trigger() {
        if (active && queued.compareAndSet(false, true)) {
            loop.execute(this::run);
        }
    }

    private void become(LeaderLatch l, int term) {
        if (term != generation || latch != l || !l.hasLeadership()) {
            return; // lost the latch (or a newer term started) since
        }
        CuratorFramework client = zk.client();
        try {
            while (true) {
                Stat stat = new Stat();
                try {
                    byte[] data = client.getData().storingStatIn(stat).forPath(ZkPaths.CONTROLLER_EPOCH);
                    int next = ZkPaths.intValue(ZkPaths.decode(data), "epoch") + 1;
                    Stat written = client.setData().withVersion(stat.getVersion()).forPath(ZkPaths.CONTROLLER_EPOCH,
                            ZkPaths.encode(Map.of("epoch", Integer.toString(next))));
                    epoch = next;
                    epochVersion = written.getVersion();
                    break;
                } catch (KeeperException.NoNodeException e) {
                    try {
                        client.create().creatingParentsIfNeeded().forPath(ZkPaths.CONTROLLER_EPOCH,
                                ZkPaths.encode(Map.of("epoch", "1")));
                        epoch = 1;
                        epochVersion = 0;
                        break;
                    } catch (KeeperException.NodeExistsException again) {
                        // another broker created it first: read it again
                    }
                } catch (KeeperException.BadVersionException e) {
                    // another broker incremented it meanwhile: read it again
                }
            }
            List<CuratorOp> ops = new ArrayList<>();
            ops.add(epochCheck());
            if (client.checkExists().forPath(ZkPaths.CONTROLLER) != null) {
                ops.add(client.transactionOp().delete().forPath(ZkPaths.CONTROLLER)); // left by a deposed session
            }
            ops.add(client.transactionOp().create().withMode(CreateMode.EPHEMERAL).forPath(ZkPaths.CONTROLLER,
                    ZkPaths.encode(Map.of("brokerid", Integer.toString(brokerId), "epoch", Integer.toString(epoch)))));
            client.transaction().forOperations(ops);
        } catch (Exception e) {
            LOG.warn("Broker {} won the controller election but could not take office ({}); trying again", brokerId,
                    e.toString());
            loop.schedule(() -> become(l, term), 1, TimeUnit.SECONDS);
            return;
        }
        LOG.info("Broker {} is the controller (epoch {})", brokerId, epoch);
        active = true;
        if (settings.autoLeaderRebalance()) {
            long every = Math.max(1, settings.imbalanceCheckIntervalSeconds());
            rebalance = loop.scheduleWithFixedDelay(this::rebalance, every, every, TimeUnit.SECONDS);
        }
        trigger();
    }

    private void resign(String why) {
        if (active) {
            LOG.info("Broker {} is no longer the controller (epoch {}): {}", brokerId, epoch, why);
        }
        active = false;
        if (rebalance != null) {
            rebalance.cancel(false);
            rebalance = null;
        }
    }

    private CuratorOp epochCheck() throws Exception {
        return zk.client().transactionOp().check().withVersion(epochVersion).forPath(ZkPaths.CONTROLLER_EPOCH);
    }

    /** One pass over the latest snapshot. */
    private void run() {
        queued.set(false);
        if (!active) {
            return;
        }
        ZkSnapshot s = mirror.snapshot();
        try {
            for (String topic : s.deletions()) {
                deleteTopic(s, topic);
            }
            boolean unclean = uncleanDefault(s);
            // Brokers in controlled shutdown stay live for reconcile (a partition only they can lead stays theirs
            // until they stop); their leaderships are moved below.
            List<TopicPartition> uncleanElected = new ArrayList<>();
            write(s, Elections.reconcile(s.view(Set.of(), unclean), uncleanElected));
            if (!uncleanElected.isEmpty()) {
                LOG.warn("Unclean leader election for {}: the new leaders were not in sync; records the previous"
                        + " leader had beyond what they hold may be lost", uncleanElected);
            }
            ClusterView full = s.view(s.shuttingDown(), unclean);
            for (int broker : s.shuttingDown()) {
                write(s, Elections.controlledShutdown(full, broker));
            }
            for (Map.Entry<String, Map<String, String>> request : s.elections().entrySet()) {
                if (!request.getValue().containsKey("results")) {
                    answerElection(s, full, request.getKey(), request.getValue());
                }
            }
            partlyElected.keySet().retainAll(s.elections().keySet());
        } catch (DeposedException e) {
            deposed();
        } catch (Exception e) {
            if (retryPending.compareAndSet(false, true)) {
                LOG.warn("Controller pass failed ({}); retrying in a second", e.toString());
                loop.schedule(() -> {
                    retryPending.set(false);
                    trigger();
                }, 1, TimeUnit.SECONDS);
            }
        }
    }

    private boolean uncleanDefault(ZkSnapshot s) {
        String v = s.brokerConfigs().getOrDefault(Integer.toString(brokerId), Map.of())
                .get("unclean.leader.election.enable");
        if (v == null) {
            v = s.brokerConfigs().getOrDefault("", Map.of()).get("unclean.leader.election.enable");
        }
        return v == null ? settings.uncleanDefault() : Boolean.parseBoolean(v.trim());
    }

    private void rebalance() {
        if (!active) {
            return;
        }
        ZkSnapshot s = mirror.snapshot();
        try {
            ClusterView view = s.view(s.shuttingDown(), uncleanDefault(s));
            Collection<TopicPartition> imbalanced = Elections.imbalanced(view, settings.imbalancePercentage());
            if (!imbalanced.isEmpty()) {
                Map<TopicPartition, LeaderAndIsr> changes = Elections.preferred(view, imbalanced,
                        new LinkedHashMap<>());
                LOG.info("Leader imbalance: electing the preferred leaders of {}", changes.keySet());
                write(s, changes);
            }
        } catch (DeposedException e) {
            deposed();
        } catch (Exception e) {
            LOG.warn("Automatic leader rebalance failed: {}", e.toString());
        }
    }

    private void answerElection(ZkSnapshot s, ClusterView view, String path, Map<String, String> request)
            throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String p : ZkPaths.split(request.get("partitions"))) {
            int colon = p.lastIndexOf(':');
            partitions.add(new TopicPartition(p.substring(0, colon), Integer.parseInt(p.substring(colon + 1))));
        }
        Map<TopicPartition, ErrorCode> results = new LinkedHashMap<>();
        Map<TopicPartition, LeaderAndIsr> changes = "UNCLEAN".equals(request.get("type"))
                ? Elections.unclean(view, partitions, results) : Elections.preferred(view, partitions, results);
        Set<TopicPartition> written = new HashSet<>();
        if (!write(s, changes, written)) {
            partlyElected.computeIfAbsent(path, k -> new HashSet<>()).addAll(written);
            return; // a stale version: answered from the next snapshot
        }
        Set<TopicPartition> earlier = partlyElected.getOrDefault(path, Set.of());
        List<String> codes = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            ErrorCode code = results.getOrDefault(tp, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            codes.add((code == ErrorCode.ELECTION_NOT_NEEDED && earlier.contains(tp) ? ErrorCode.NONE : code).name());
        }
        Map<String, String> answered = new TreeMap<>(request);
        answered.put("results", String.join(",", codes));
        try {
            // Version 0: a request is answered once (a pass on a snapshot that does not show the answer yet would
            // otherwise answer again, from the states the first answer wrote).
            zk.client().transaction().forOperations(epochCheck(),
                    zk.client().transactionOp().setData().withVersion(0).forPath(path, ZkPaths.encode(answered)));
        } catch (KeeperException e) {
            checkDeposed(e);
            // answered already, or the requester gave up and deleted it
        }
    }

    private void deleteTopic(ZkSnapshot s, String topic) throws Exception {
        CuratorFramework client = zk.client();
        List<CuratorOp> ops = new ArrayList<>();
        ops.add(epochCheck());
        ZkSnapshot.Topic t = s.topics().get(topic);
        if (t != null) {
            boolean anyState = false;
            for (int p = 0; p < t.metadata().partitionCount(); p++) {
                if (s.states().containsKey(new TopicPartition(topic, p))) {
                    ops.add(client.transactionOp().delete().forPath(ZkPaths.state(topic, p)));
                    ops.add(client.transactionOp().delete().forPath(ZkPaths.partition(topic, p)));
                    anyState = true;
                }
            }
            if (anyState) {
                ops.add(client.transactionOp().delete().forPath(ZkPaths.partitions(topic)));
            }
            ops.add(client.transactionOp().delete().withVersion(t.version()).forPath(ZkPaths.topic(topic)));
            ops.add(client.transactionOp().delete().forPath(ZkPaths.topicConfig(topic)));
        }
        ops.add(client.transactionOp().delete().forPath(ZkPaths.deleteRequest(topic)));
        try {
            client.transaction().forOperations(ops);
            LOG.info("Deleted topic {}", topic);
        } catch (KeeperException e) {
            checkDeposed(e);
            LOG.debug("Deleting topic {} failed on a stale mirror ({}); redone from the next one", topic, e.code());
        }
    }

    /**
     * Writes {@code changes}, one transaction per topic (new states create their znodes).
     *
     * @return false when a transaction failed on a stale version (it is redone from the next snapshot)
     * @throws DeposedException when the controller epoch changed
     */
    private boolean write(ZkSnapshot s, Map<TopicPartition, LeaderAndIsr> changes) throws Exception {
        return write(s, changes, new HashSet<>());
    }

    /** Writes per topic; {@code written} gets the partitions whose topic's transaction succeeded. */
    private boolean write(ZkSnapshot s, Map<TopicPartition, LeaderAndIsr> changes, Set<TopicPartition> written)
            throws Exception {
        Map<String, List<TopicPartition>> byTopic = new TreeMap<>();
        for (TopicPartition tp : changes.keySet()) {
            byTopic.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(tp);
        }
        CuratorFramework client = zk.client();
        boolean all = true;
        for (Map.Entry<String, List<TopicPartition>> e : byTopic.entrySet()) {
            String topic = e.getKey();
            List<CuratorOp> ops = new ArrayList<>();
            ops.add(epochCheck());
            boolean hasPartitionsNode = s.states().keySet().stream().anyMatch(tp -> tp.topic().equals(topic));
            for (TopicPartition tp : e.getValue()) {
                byte[] data = ZkSnapshot.encodeState(changes.get(tp), epoch);
                ZkSnapshot.StoredState old = s.states().get(tp);
                if (old != null) {
                    ops.add(client.transactionOp().setData().withVersion(old.version())
                            .forPath(ZkPaths.state(topic, tp.partition()), data));
                    continue;
                }
                if (!hasPartitionsNode) {
                    ops.add(client.transactionOp().create().forPath(ZkPaths.partitions(topic)));
                    hasPartitionsNode = true;
                }
                ops.add(client.transactionOp().create().forPath(ZkPaths.partition(topic, tp.partition())));
                ops.add(client.transactionOp().create().forPath(ZkPaths.state(topic, tp.partition()), data));
            }
            try {
                client.transaction().forOperations(ops);
                written.addAll(e.getValue());
                LOG.debug("Wrote the states of {}", e.getValue());
            } catch (KeeperException ex) {
                checkDeposed(ex);
                LOG.debug("Writing the states of {} failed on a stale mirror ({})", e.getValue(), ex.code());
                all = false;
            }
        }
        return all;
    }

    /** The first operation of every transaction checks the epoch: its failure means a newer controller. */
    private void checkDeposed(KeeperException e) throws DeposedException, KeeperException {
        if (ZkConnection.isConnectionFailure(e)) {
            throw e;
        }
        List<OpResult> results = e.getResults();
        if (results != null && !results.isEmpty() && results.get(0) instanceof OpResult.ErrorResult r
                && r.getErr() != KeeperException.Code.OK.intValue()
                && r.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
            throw new DeposedException();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            active = false;
            if (started) {
                try {
                    latch.close(); // a successor is elected at once, not after the session timeout
                } catch (Exception e) {
                    LOG.debug("Closing the controller latch: {}", e.toString());
                }
            }
        }
        shutdownLoop(); // outside the lock: the loop may be waiting for it (rejoining the election)
    }

    /** Stops the controller thread and waits for it briefly (bounded), so no pass runs on a closed client. */
    private void shutdownLoop() {
        loop.shutdownNow();
        if (Thread.currentThread().getName().startsWith("strata-zk-controller-")) {
            return; // closing from the loop itself (cannot wait for itself)
        }
        try {
            if (!loop.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("Broker {}'s controller thread did not stop within {} ms", brokerId, CLOSE_WAIT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
