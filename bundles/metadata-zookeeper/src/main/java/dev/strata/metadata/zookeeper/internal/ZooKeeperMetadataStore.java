package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.ElectionType;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import dev.strata.files.LogDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MetadataStore} of a broker in a cluster, kept in ZooKeeper through Curator (the layout is in
 * {@link ZkPaths} and the bundle's README). Reads answer from the local mirror ({@link ZkMirror}) without waiting;
 * changes are conditional writes to ZooKeeper that return once the mirror shows them (so the caller reads its own
 * write and the listeners have heard of it). Partition state belongs to the controller ({@link ZkController}), which
 * every broker may become; the requests it acts on are {@link ZkAdminRequests}.
 *
 * <p>While ZooKeeper is out of reach the mirror keeps answering (the broker goes on leading what it leads) and every
 * change fails at once with a retriable error (REQUEST_TIMED_OUT; COORDINATOR_LOAD_IN_PROGRESS for producer ids).
 *
 * <p>Thread-safety: thread-safe.
 */
public final class ZooKeeperMetadataStore implements MetadataStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperMetadataStore.class);
    static final int MAX_NAME_LENGTH = 249;
    private static final List<String> BASE_PATHS = List.of(ZkPaths.BROKER_IDS, ZkPaths.TOPICS,
            ZkPaths.TOPIC_CONFIGS, ZkPaths.BROKER_CONFIGS, ZkPaths.DELETE_TOPICS, ZkPaths.ELECTIONS,
            ZkPaths.CONTROLLED_SHUTDOWN);

    /** What a broker configures for its store (the PID {@code dev.strata.broker}, Kafka's names and defaults). */
    record Config(String zookeeperConnect, Path logDir, int brokerId, String rack, int sessionTimeoutMs,
                  int connectionTimeoutMs, ZkController.Settings controller) {
    }

    private final Config config;
    private final ZkConnection zk;
    private final String clusterId;
    private final BrokerRegistration registration;
    private final ZkMirror mirror;
    private final ZkController controller;
    private final ProducerIdBlocks producerIds;
    private final ZkAdminRequests requests;
    private final Random random = new Random();
    private volatile Runnable onRefused;

    /**
     * Connects, checks the directory and the broker id and loads the mirror. The broker registers once its endpoint
     * is known ({@link #endpoint}), and joins the controller election only once registered.
     *
     * @throws IOException when the directory belongs to another broker or cluster
     * @throws StrataException when ZooKeeper cannot be reached or another live broker has this broker id
     */
    public ZooKeeperMetadataStore(Config config) throws IOException {
        this.config = config;
        LogDirs.check(config.logDir());
        long producerIdFloor = ProducerIdBlocks.localFloor(config.logDir());
        this.zk = new ZkConnection(config.zookeeperConnect(), config.sessionTimeoutMs(),
                config.connectionTimeoutMs());
        ZkMirror m = null;
        ZkController c = null;
        BrokerRegistration r = null;
        try {
            for (String path : BASE_PATHS) {
                try {
                    zk.client().create().creatingParentsIfNeeded().forPath(path);
                } catch (KeeperException.NodeExistsException e) {
                    // made by an earlier broker
                }
            }
            this.clusterId = ClusterIdentity.establish(zk, config.logDir(), config.brokerId());
            r = new BrokerRegistration(zk, config.brokerId(), config.rack(), instance(config.logDir()));
            r.checkNotTaken();
            m = new ZkMirror(zk.client(), config.brokerId());
            if (!m.start(config.connectionTimeoutMs())) {
                throw new StrataException(ErrorCode.BROKER_NOT_AVAILABLE, "Timed out loading the cluster metadata"
                        + " from ZooKeeper at " + zk.connectString());
            }
            zk.onNewSession(m::rebuild);
            c = new ZkController(zk, m, config.brokerId(), config.controller());
            ZkController started = c;
            // Only a registered broker joins the election: one whose id is refused must never become controller.
            r.onRegistered(() -> {
                try {
                    started.start();
                } catch (Exception e) {
                    LOG.error("Broker {} cannot join the controller election: {}", config.brokerId(), e.toString());
                }
            });
            r.onRefused(() -> {
                started.close();
                Runnable then = onRefused;
                if (then != null) {
                    then.run();
                }
            });
        } catch (IOException | RuntimeException e) {
            closeParts(c, m, r);
            zk.close();
            throw e;
        } catch (Exception e) {
            closeParts(c, m, r);
            zk.close();
            throw new StrataException(ErrorCode.BROKER_NOT_AVAILABLE, "Cannot join the cluster at "
                    + zk.connectString() + ": " + e.getMessage(), e);
        }
        this.registration = r;
        this.mirror = m;
        this.controller = c;
        this.producerIds = new ProducerIdBlocks(zk, config.brokerId(), producerIdFloor);
        this.requests = new ZkAdminRequests(zk, mirror, config.brokerId());
        LOG.info("Broker {} joined cluster {} at {} ({} topic(s), {} live broker(s))", config.brokerId(), clusterId,
                zk.connectString(), mirror.snapshot().topics().size(), mirror.snapshot().brokers().size());
    }

    /** Tells this broker's own earlier session from another broker with the same id. */
    private static String instance(Path logDir) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return host + ":" + logDir.toAbsolutePath().normalize();
    }

    /** The broker's listener is bound at {@code host:port}: register (or re-register) with it. */
    public void endpoint(String host, int port) {
        registration.endpoint(host, port);
    }

    /**
     * Runs when the broker id is found taken by another live broker at registration (the controller is stopped
     * already; the store is of no use any more).
     */
    void onRefused(Runnable action) {
        onRefused = action;
        if (registration.refused()) {
            action.run();
        }
    }

    /** Whether this broker's id was refused at registration. */
    boolean refused() {
        return registration.refused();
    }

    /** Whether this store is of the configuration {@code next} (else it is to be re-created). */
    boolean sameIdentity(Config next) {
        return next.zookeeperConnect().equals(config.zookeeperConnect()) && next.logDir().equals(config.logDir())
                && next.brokerId() == config.brokerId();
    }

    /** The connection (tests: to expire its session). */
    ZkConnection connection() {
        return zk;
    }

    /** Whether this broker acts as the controller now. */
    boolean isController() {
        return controller.active();
    }

    public Path logDir() {
        return config.logDir();
    }

    @Override
    public String clusterId() {
        return clusterId;
    }

    @Override
    public int localBrokerId() {
        return config.brokerId();
    }

    @Override
    public List<BrokerInfo> liveBrokers() {
        return List.copyOf(mirror.snapshot().brokers().values());
    }

    @Override
    public int controllerId() {
        return mirror.snapshot().controllerId();
    }

    @Override
    public Collection<TopicMetadata> topics() {
        return mirror.snapshot().topics().values().stream().map(ZkSnapshot.Topic::metadata).toList();
    }

    @Override
    public Optional<TopicMetadata> topic(String name) {
        ZkSnapshot.Topic t = name == null ? null : mirror.snapshot().topics().get(name);
        return t == null ? Optional.empty() : Optional.of(t.metadata());
    }

    @Override
    public Optional<PartitionState> partitionState(TopicPartition tp) {
        return mirror.snapshot().partitionState(tp);
    }

    @Override
    public Map<String, String> dynamicBrokerConfigs(String entity) {
        return mirror.snapshot().brokerConfigs().getOrDefault(entity, Map.of());
    }

    /** Placed by {@link ReplicaPlacement} over the live brokers. */
    @Override
    public TopicMetadata createTopic(String name, int partitions, short replicationFactor,
                                     Map<String, String> configs) {
        checkNameAvailable(name);
        if (partitions < 1) {
            throw new StrataException(ErrorCode.INVALID_PARTITIONS,
                    "Number of partitions must be larger than 0: " + partitions);
        }
        if (replicationFactor < 1) {
            throw new StrataException(ErrorCode.INVALID_REPLICATION_FACTOR,
                    "Replication factor must be larger than 0: " + replicationFactor);
        }
        List<List<Integer>> assignment = ReplicaPlacement.assign(partitions, replicationFactor, liveBrokers(), 0,
                List.of(), random);
        return create(name, assignment, replicationFactor, configs);
    }

    @Override
    public TopicMetadata createTopic(String name, List<List<Integer>> replicaAssignment,
                                     Map<String, String> configs) {
        checkNameAvailable(name);
        if (replicaAssignment == null || replicaAssignment.isEmpty()) {
            throw new StrataException(ErrorCode.INVALID_PARTITIONS, "Number of partitions must be larger than 0: 0");
        }
        checkAssignment(replicaAssignment, replicaAssignment.get(0).size());
        return create(name, replicaAssignment, (short) replicaAssignment.get(0).size(), configs);
    }

    /**
     * Kafka's checks of a manual assignment: no empty list, no broker twice, lists of one size, registered brokers.
     */
    private void checkAssignment(List<List<Integer>> assignment, int size) {
        Set<Integer> live = mirror.snapshot().brokers().keySet();
        for (List<Integer> replicas : assignment) {
            if (replicas == null || replicas.isEmpty()) {
                throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                        "Replica assignment has an empty replica list: " + assignment);
            }
            if (new HashSet<>(replicas).size() != replicas.size()) {
                throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                        "Duplicate replica assignment found: " + replicas);
            }
            if (replicas.size() != size) {
                throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                        "All partitions should have the same number of replicas");
            }
            List<Integer> unknown = replicas.stream().filter(b -> !live.contains(b)).toList();
            if (!unknown.isEmpty()) {
                throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT, "Unknown broker(s) in replica"
                        + " assignment: " + unknown + "; registered brokers: " + live);
            }
        }
    }

    private void checkNameAvailable(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH || name.contains("/")) {
            throw new StrataException(ErrorCode.INVALID_TOPIC_EXCEPTION, "Illegal topic name: " + name);
        }
        ZkSnapshot s = mirror.snapshot();
        if (s.topics().containsKey(name)) {
            throw topicExists(name);
        }
        if (s.deletions().contains(name)) {
            throw new StrataException(ErrorCode.TOPIC_ALREADY_EXISTS, "Topic '" + name
                    + "' is marked for deletion.");
        }
        checkCollision(name, s.topics().keySet());
    }

    /** Kafka refuses names that differ only by '.' versus '_' (their metric names would collide). */
    private static void checkCollision(String name, Collection<String> existing) {
        String key = name.replace('.', '_');
        for (String other : existing) {
            if (!other.equals(name) && other.replace('.', '_').equals(key)) {
                throw new StrataException(ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic '" + name + "' collides with"
                        + " existing topic: " + other);
            }
        }
    }

    private static StrataException topicExists(String name) {
        return new StrataException(ErrorCode.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
    }

    /** The topic and config znodes in one transaction; a topic znode already there wins (TOPIC_ALREADY_EXISTS). */
    private TopicMetadata create(String name, List<List<Integer>> assignment, short replicationFactor,
                                 Map<String, String> configs) {
        String what = "create topic " + name;
        zk.requireConnected(ErrorCode.REQUEST_TIMED_OUT, what);
        TopicMetadata t = new TopicMetadata(name, newTopicId(), assignment.size(), replicationFactor,
                configs == null ? Map.of() : configs);
        try {
            var client = zk.client();
            // Against ZooKeeper itself, not only this mirror: another broker may have just created one.
            checkCollision(name, client.getChildren().forPath(ZkPaths.TOPICS));
            var configOp = client.checkExists().forPath(ZkPaths.topicConfig(name)) == null
                    ? client.transactionOp().create().forPath(ZkPaths.topicConfig(name), ZkPaths.encode(t.configs()))
                    : client.transactionOp().setData().forPath(ZkPaths.topicConfig(name), ZkPaths.encode(t.configs()));
            client.transaction().forOperations(configOp, client.transactionOp().create()
                    .forPath(ZkPaths.topic(name), ZkSnapshot.encodeTopic(t, assignment)));
        } catch (KeeperException.NodeExistsException e) {
            throw topicExists(name);
        } catch (Exception e) {
            throw failed(what, e);
        }
        LOG.info("Created topic {} (id {}, assignment {}, configs {})", name, t.topicId(), assignment, t.configs());
        awaitMirror(s -> s.topics().containsKey(name)
                && s.topics().get(name).metadata().topicId().equals(t.topicId()), what);
        return t;
    }

    private StrataException failed(String what, Exception e) {
        return zk.failure(ErrorCode.REQUEST_TIMED_OUT, what, e);
    }

    /** Waits (bounded) until the listeners heard the write, so the caller reads its own write. */
    private void awaitMirror(Predicate<ZkSnapshot> done, String what) {
        if (!mirror.awaitDelivered(done, zk.connectionTimeoutMs())) {
            LOG.warn("Written to ZooKeeper, but the local mirror does not show it yet: {}", what);
        }
    }

    /** A random topic id that is neither Kafka's zero id nor its reserved metadata-topic id. */
    private static UUID newTopicId() {
        while (true) {
            UUID id = UUID.randomUUID();
            if (!(id.getMostSignificantBits() == 0 && id.getLeastSignificantBits() <= 1)) {
                return id;
            }
        }
    }

    private TopicMetadata requireTopic(String name) {
        return topic(name).orElseThrow(() -> new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                "This server does not host this topic: " + name));
    }

    /** Asks the controller; waits (bounded) until the topic is gone. */
    @Override
    public TopicMetadata deleteTopic(String name) {
        TopicMetadata t = requireTopic(name);
        requests.deleteTopic(t);
        return t;
    }

    @Override
    public TopicMetadata alterTopicConfigs(String name, Map<String, String> configs) {
        TopicMetadata old = requireTopic(name);
        String what = "alter the configs of topic " + name;
        zk.requireConnected(ErrorCode.REQUEST_TIMED_OUT, what);
        Map<String, String> next = configs == null ? Map.of() : Map.copyOf(configs);
        try {
            zk.client().setData().forPath(ZkPaths.topicConfig(name), ZkPaths.encode(next));
        } catch (KeeperException.NoNodeException e) {
            throw new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic: "
                    + name);
        } catch (Exception e) {
            throw failed(what, e);
        }
        LOG.info("Topic {} configs now {}", name, next);
        awaitMirror(s -> s.topics().containsKey(name) && s.topics().get(name).metadata().configs().equals(next),
                what);
        return new TopicMetadata(name, old.topicId(), old.partitionCount(), old.replicationFactor(), next);
    }

    @Override
    public TopicMetadata createPartitions(String name, int totalCount, List<List<Integer>> newAssignments) {
        requireTopic(name);
        String what = "create partitions of topic " + name;
        zk.requireConnected(ErrorCode.REQUEST_TIMED_OUT, what);
        try {
            while (true) {
                Stat stat = new Stat();
                byte[] data = zk.client().getData().storingStatIn(stat).forPath(ZkPaths.topic(name));
                Map<String, String> configs = mirror.snapshot().topics().get(name) == null ? Map.of()
                        : mirror.snapshot().topics().get(name).metadata().configs();
                ZkSnapshot.Topic t = ZkSnapshot.of(List.of(new ZkSnapshot.Node(ZkPaths.topic(name), data,
                        stat.getVersion()), new ZkSnapshot.Node(ZkPaths.topicConfig(name), ZkPaths.encode(configs), 0)))
                        .topics().get(name);
                if (t == null) {
                    throw new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "Unreadable topic " + name);
                }
                List<List<Integer>> assignment = grow(t, totalCount, newAssignments);
                TopicMetadata grown = new TopicMetadata(name, t.metadata().topicId(), totalCount,
                        t.metadata().replicationFactor(), t.metadata().configs());
                try {
                    zk.client().setData().withVersion(stat.getVersion()).forPath(ZkPaths.topic(name),
                            ZkSnapshot.encodeTopic(grown, assignment));
                } catch (KeeperException.BadVersionException e) {
                    continue; // another broker changed it meanwhile: decide again
                }
                LOG.info("Topic {} now has {} partition(s) (was {})", name, totalCount, t.metadata().partitionCount());
                awaitMirror(s -> s.topics().containsKey(name)
                        && s.topics().get(name).metadata().partitionCount() >= totalCount, what);
                return grown;
            }
        } catch (KeeperException.NoNodeException e) {
            throw new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic: "
                    + name);
        } catch (Exception e) {
            throw failed(what, e);
        }
    }

    /** Kafka's controller checks, with its messages; the new partitions placed as given or by the store. */
    private List<List<Integer>> grow(ZkSnapshot.Topic t, int totalCount, List<List<Integer>> newAssignments) {
        int current = t.metadata().partitionCount();
        if (totalCount == current) {
            throw new StrataException(ErrorCode.INVALID_PARTITIONS, "Topic already has " + current
                    + " partition(s).");
        }
        if (totalCount < current) {
            throw new StrataException(ErrorCode.INVALID_PARTITIONS, "The topic " + t.metadata().name()
                    + " currently has " + current + " partition(s); " + totalCount + " would not be an increase.");
        }
        int additional = totalCount - current;
        List<List<Integer>> added;
        if (newAssignments != null) {
            if (newAssignments.size() != additional) {
                throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT, additional
                        + " new partition(s) need as many replica lists, not " + newAssignments.size());
            }
            checkAssignment(newAssignments, t.assignment().get(0).size());
            added = newAssignments;
        } else {
            added = ReplicaPlacement.assign(additional, t.assignment().get(0).size(), liveBrokers(), current,
                    t.assignment(), random);
        }
        List<List<Integer>> all = new ArrayList<>(t.assignment());
        all.addAll(added);
        return all;
    }

    /** Persisted in {@code /config/brokers/<id>} or {@code /config/brokers/<default>}; empty removes it. */
    @Override
    public void alterDynamicBrokerConfigs(String entity, Map<String, String> configs) {
        if (entity == null) {
            throw new IllegalArgumentException("A broker config entity is a broker id or \"\"");
        }
        String what = "alter the dynamic configs of " + (entity.isEmpty() ? "the cluster default" : "broker " + entity);
        zk.requireConnected(ErrorCode.REQUEST_TIMED_OUT, what);
        Map<String, String> next = configs == null ? Map.of() : Map.copyOf(configs);
        String path = ZkPaths.brokerConfig(entity);
        try {
            if (next.isEmpty()) {
                try {
                    zk.client().delete().forPath(path);
                } catch (KeeperException.NoNodeException e) {
                    // none
                }
            } else {
                try {
                    zk.client().setData().forPath(path, ZkPaths.encode(next));
                } catch (KeeperException.NoNodeException e) {
                    zk.client().create().creatingParentsIfNeeded().forPath(path, ZkPaths.encode(next));
                }
            }
        } catch (Exception e) {
            throw failed(what, e);
        }
        LOG.info("Dynamic configs of {} now {}", entity.isEmpty() ? "the cluster default" : "broker " + entity, next);
        awaitMirror(s -> s.brokerConfigs().getOrDefault(entity, Map.of()).equals(next), what);
    }

    @Override
    public long allocateProducerIds(int count) {
        return producerIds.allocate(count);
    }

    @Override
    public Map<TopicPartition, ErrorCode> electLeaders(ElectionType type, Collection<TopicPartition> partitions,
                                                       long timeoutMs) {
        return requests.electLeaders(type, partitions, timeoutMs);
    }

    @Override
    public PartitionState alterIsr(TopicPartition tp, int leaderEpoch, List<Integer> isr) {
        return requests.alterIsr(tp, leaderEpoch, isr);
    }

    @Override
    public int controlledShutdown(long timeoutMs) {
        return requests.controlledShutdown(timeoutMs);
    }

    @Override
    public void addListener(MetadataListener listener) {
        mirror.addListener(listener);
    }

    @Override
    public void removeListener(MetadataListener listener) {
        mirror.removeListener(listener);
    }

    /** Leaves the cluster: the controller role goes at once, the registration with the session. */
    @Override
    public void close() {
        closeParts(controller, mirror, registration);
        zk.close();
        LOG.info("Broker {} left the cluster at {}", config.brokerId(), zk.connectString());
    }

    private static void closeParts(ZkController c, ZkMirror m, BrokerRegistration r) {
        if (c != null) {
            c.close();
        }
        if (r != null) {
            r.close();
        }
        if (m != null) {
            m.close();
        }
    }
}
