package dev.strata.metadata.local.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.ElectionType;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import dev.strata.files.AtomicFiles;
import dev.strata.files.LogDirs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-broker {@link MetadataStore}: this broker is the only live broker and leads every partition (epoch 0,
 * replicas = ISR = [broker.id]). State is persisted under {@code log.dirs}:
 * <ul>
 *   <li>{@code meta.properties}: {@code version=0}, {@code broker.id}, {@code cluster.id} (generated once; a
 *       different configured broker.id refuses to start, as Kafka does);</li>
 *   <li>{@code __strata_meta/topics.properties}: one group of keys per topic, keyed by topic id (names may contain
 *       dots): {@code <id>.name}, {@code <id>.partitions}, {@code <id>.replication.factor},
 *       {@code <id>.config.<name>}. Rewritten whole (temp file, fsync, atomic rename) on every change.</li>
 *   <li>{@code __strata_meta/producer-ids.properties}: the producer ids reserved so far ({@link LocalProducerIds}).
 *   </li>
 *   <li>{@code __strata_meta/broker-configs.properties}: the dynamic broker settings (AlterConfigs on a broker,
 *       {@link LocalBrokerConfigs}).</li>
 * </ul>
 *
 * <p>A store records; it does not judge topics. Kafka's rules for names and configs are the broker's, which checks a
 * request against them before it calls {@link #createTopic} (with the configs normalised). This store keeps true
 * only what it alone can: a name is not taken (nor one that differs only by '.' versus '_'), a topic has
 * partitions, and its replicas are on this broker.
 *
 * <p>{@link LocalMetadataComponent} opens it on the broker's {@code log.dirs} and {@code broker.id} and registers it
 * as the {@code MetadataStore} service when the broker is not in a cluster ({@code zookeeper.connect} blank).
 *
 * <p>Broker endpoints: the listener belongs to the protocol bundle, so {@link #liveBrokers()} returns the local
 * broker with {@code host == null} and {@code port == -1}. A protocol bundle answering Metadata replaces such an
 * entry (id == {@link #localBrokerId()}, null host) with its own advertised host and bound port. Entries of other
 * brokers (in a future cluster store) carry real endpoints.
 *
 * <p>Thread-safety: thread-safe. Reads are lock-free over a concurrent map; changes are serialised by a lock, made
 * durable before they become visible, and listeners are called under that lock so they see changes in order.
 */
public final class LocalMetadataStore implements MetadataStore {
    private static final Logger LOG = LoggerFactory.getLogger(LocalMetadataStore.class);
    static final String LOG_DIRS = LogDirs.LOG_DIRS;
    static final String BROKER_ID = "broker.id";
    /** Kafka's bound on a topic name (the broker checks the rest of its rules). */
    static final int MAX_NAME_LENGTH = 249;

    static final String META_PROPERTIES = "meta.properties";
    static final String META_DIR = "__strata_meta";
    static final String TOPICS_FILE = "topics.properties";

    private final Path logDir;
    private final int brokerId;
    private final String clusterId;
    private final Path topicsFile;
    private final Object writeLock = new Object();
    private final Map<String, TopicMetadata> topics = new ConcurrentHashMap<>();
    private final LocalBrokerConfigs brokerConfigs;
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private final LocalProducerIds producerIds;

    /**
     * Opens the store of the broker's {@code log.dirs} and {@code broker.id} as given in the broker's configuration
     * (tests; the framework's default directory is not known here).
     *
     * @throws IOException as {@link #LocalMetadataStore(Path, int)}
     * @throws IllegalArgumentException when either setting is invalid
     */
    public LocalMetadataStore(Map<String, Object> properties) throws IOException {
        this(logDir(properties, LogDirs.defaultDir(name -> null)), brokerId(properties));
    }

    /** {@code log.dirs} as the broker reads it: one directory, resolved against the working directory. */
    static Path logDir(Map<String, ?> properties, Path defaultDir) {
        return LogDirs.resolve(properties.get(LOG_DIRS), defaultDir);
    }

    static int brokerId(Map<String, ?> properties) {
        Object v = properties.get(BROKER_ID);
        if (v == null || v.toString().isBlank()) {
            return 0;
        }
        try {
            int id = v instanceof Number n ? n.intValue() : Integer.parseInt(v.toString().trim());
            if (id < 0) {
                throw new IllegalArgumentException(BROKER_ID + " must be at least 0: " + id);
            }
            return id;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(BROKER_ID + " is not an integer: " + v, e);
        }
    }

    /**
     * Loads the metadata in {@code logDir}, creating the directory, the cluster id and an empty topic list when
     * absent.
     *
     * @throws IOException when the files cannot be read or written, or when meta.properties names another broker id
     */
    public LocalMetadataStore(Path logDir, int brokerId) throws IOException {
        this.logDir = logDir;
        this.brokerId = brokerId;
        LogDirs.check(logDir);
        this.clusterId = loadOrCreateMetaProperties();
        this.topicsFile = logDir.resolve(META_DIR).resolve(TOPICS_FILE);
        loadTopics();
        this.brokerConfigs = new LocalBrokerConfigs(logDir.resolve(META_DIR));
        this.producerIds = new LocalProducerIds(logDir.resolve(META_DIR));
        LOG.info("Metadata loaded from {}: cluster id {}, broker id {}, {} topic(s)", logDir, clusterId, brokerId,
                topics.size());
    }

    private String loadOrCreateMetaProperties() throws IOException {
        Path file = logDir.resolve(META_PROPERTIES);
        Optional<Map<String, String>> existing = AtomicFiles.readProperties(file);
        if (existing.isPresent()) {
            Map<String, String> props = existing.get();
            String id = props.get("cluster.id");
            String storedBroker = props.get("broker.id");
            if (id == null || id.isBlank()) {
                throw new IOException(file + " has no cluster.id");
            }
            if (storedBroker != null && !storedBroker.trim().equals(Integer.toString(brokerId))) {
                throw new IOException("Configured broker.id " + brokerId + " doesn't match stored broker.id "
                        + storedBroker.trim() + " in " + file);
            }
            return id.trim();
        }
        String id = newClusterId();
        Map<String, String> props = new TreeMap<>();
        props.put("version", "0");
        props.put("broker.id", Integer.toString(brokerId));
        props.put("cluster.id", id);
        AtomicFiles.writeProperties(file, props, "Strata broker metadata; do not edit");
        LOG.info("Generated cluster id {} in {}", id, file);
        return id;
    }

    /** Kafka's format: a random UUID as 22 characters of unpadded URL-safe base64. */
    static String newClusterId() {
        UUID uuid = UUID.randomUUID();
        ByteBuffer b = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    private void loadTopics() throws IOException {
        Optional<Map<String, String>> file = AtomicFiles.readProperties(topicsFile);
        if (file.isEmpty()) {
            return;
        }
        String version = file.get().getOrDefault("version", "1").trim();
        if (!version.equals("1")) {
            throw new IOException(topicsFile + " has format version " + version + "; this Strata reads version 1");
        }
        Map<String, Map<String, String>> byId = new HashMap<>();
        for (Map.Entry<String, String> e : file.get().entrySet()) {
            int dot = e.getKey().indexOf('.');
            if (dot <= 0) {
                continue; // "version" and anything not keyed by a topic id
            }
            byId.computeIfAbsent(e.getKey().substring(0, dot), k -> new HashMap<>())
                    .put(e.getKey().substring(dot + 1), e.getValue());
        }
        for (Map.Entry<String, Map<String, String>> e : byId.entrySet()) {
            TopicMetadata t = parseTopic(e.getKey(), e.getValue());
            topics.put(t.name(), t);
        }
    }

    private TopicMetadata parseTopic(String id, Map<String, String> fields) throws IOException {
        try {
            UUID topicId = UUID.fromString(id);
            String name = fields.get("name");
            if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
                throw new IllegalArgumentException("name " + name);
            }
            int partitions = Integer.parseInt(fields.get("partitions"));
            short rf = Short.parseShort(fields.get("replication.factor"));
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions " + partitions);
            }
            Map<String, String> configs = new TreeMap<>();
            for (Map.Entry<String, String> f : fields.entrySet()) {
                if (f.getKey().startsWith("config.")) {
                    configs.put(f.getKey().substring("config.".length()), f.getValue());
                }
            }
            return new TopicMetadata(name, topicId, partitions, rf, configs);
        } catch (RuntimeException e) {
            throw new IOException("Corrupt topic entry " + id + " in " + topicsFile + ": " + e.getMessage(), e);
        }
    }

    private void persist(Map<String, TopicMetadata> state) throws IOException {
        Map<String, String> props = new TreeMap<>();
        props.put("version", "1");
        for (TopicMetadata t : state.values()) {
            String p = t.topicId() + ".";
            props.put(p + "name", t.name());
            props.put(p + "partitions", Integer.toString(t.partitionCount()));
            props.put(p + "replication.factor", Short.toString(t.replicationFactor()));
            t.configs().forEach((k, v) -> props.put(p + "config." + k, v));
        }
        AtomicFiles.writeProperties(topicsFile, props, "Strata topics; do not edit while the broker runs");
    }

    /** The data directory this store lives in. */
    public Path logDir() {
        return logDir;
    }

    @Override
    public String clusterId() {
        return clusterId;
    }

    @Override
    public int localBrokerId() {
        return brokerId;
    }

    /** A single broker is its own controller. */
    @Override
    public int controllerId() {
        return brokerId;
    }

    /** The local broker only, with no endpoint (see the class comment). */
    @Override
    public List<BrokerInfo> liveBrokers() {
        return List.of(new BrokerInfo(brokerId, null, -1, null));
    }

    @Override
    public Collection<TopicMetadata> topics() {
        return List.copyOf(topics.values());
    }

    @Override
    public Optional<TopicMetadata> topic(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(topics.get(name));
    }

    @Override
    public TopicMetadata createTopic(String name, int partitions, short replicationFactor,
                                     Map<String, String> configs) {
        synchronized (writeLock) {
            TopicMetadata t = checkNewTopic(name, partitions, replicationFactor, configs);
            Map<String, TopicMetadata> next = new HashMap<>(topics);
            next.put(name, t);
            persistOrFail(next, "create topic " + name);
            topics.put(name, t);
            LOG.info("Created topic {} (id {}, {} partition(s), configs {})", name, t.topicId(), partitions,
                    t.configs());
            for (MetadataListener l : listeners) {
                notify(() -> l.topicCreated(t), l);
            }
            return t;
        }
    }

    /**
     * This store knows one broker, so the only assignment it accepts places every partition on it alone; once
     * checked, the topic is the same as one created by count.
     */
    @Override
    public TopicMetadata createTopic(String name, List<List<Integer>> replicaAssignment,
                                     Map<String, String> configs) {
        synchronized (writeLock) {
            checkNameAvailable(name);
            if (replicaAssignment == null || replicaAssignment.isEmpty()) {
                throw new StrataException(ErrorCode.INVALID_PARTITIONS, "Number of partitions must be larger than 0: 0");
            }
            for (List<Integer> replicas : replicaAssignment) {
                if (!List.of(brokerId).equals(replicas)) {
                    throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment "
                            + replicas + " is not [" + brokerId + "]: broker " + brokerId + " is the only broker");
                }
            }
            return createTopic(name, replicaAssignment.size(), (short) 1, configs);
        }
    }

    /** What this store keeps true (the class comment); returns the topic as it will be recorded. */
    private TopicMetadata checkNewTopic(String name, int partitions, short replicationFactor,
                                        Map<String, String> configs) {
        checkNameAvailable(name);
        if (partitions < 1) {
            throw new StrataException(ErrorCode.INVALID_PARTITIONS,
                    "Number of partitions must be larger than 0: " + partitions);
        }
        int brokers = liveBrokers().size();
        if (replicationFactor < 1 || replicationFactor > brokers) {
            throw new StrataException(ErrorCode.INVALID_REPLICATION_FACTOR, "Replication factor must be between 1"
                    + " and the " + brokers + " registered broker(s): " + replicationFactor);
        }
        return new TopicMetadata(name, newTopicId(), partitions, replicationFactor,
                configs == null ? Map.of() : configs);
    }

    private void checkNameAvailable(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new StrataException(ErrorCode.INVALID_TOPIC_EXCEPTION, "Illegal topic name: " + name);
        }
        if (topics.containsKey(name)) {
            throw new StrataException(ErrorCode.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
        }
        // Kafka refuses names that differ only by '.' versus '_' (their metric names would collide).
        String key = name.replace('.', '_');
        for (String other : topics.keySet()) {
            if (other.replace('.', '_').equals(key)) {
                throw new StrataException(ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic '" + name + "' collides with"
                        + " existing topic: " + other);
            }
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

    @Override
    public TopicMetadata deleteTopic(String name) {
        synchronized (writeLock) {
            TopicMetadata t = requireTopic(name);
            Map<String, TopicMetadata> next = new HashMap<>(topics);
            next.remove(name);
            persistOrFail(next, "delete topic " + name);
            topics.remove(name);
            LOG.info("Deleted topic {} (id {})", name, t.topicId());
            for (MetadataListener l : listeners) {
                notify(() -> l.topicDeleted(t), l);
            }
            return t;
        }
    }

    @Override
    public TopicMetadata alterTopicConfigs(String name, Map<String, String> configs) {
        synchronized (writeLock) {
            TopicMetadata old = requireTopic(name);
            Map<String, String> normalised = configs == null ? Map.of() : configs; // the caller validated them
            TopicMetadata t = new TopicMetadata(old.name(), old.topicId(), old.partitionCount(),
                    old.replicationFactor(), normalised);
            Map<String, TopicMetadata> next = new HashMap<>(topics);
            next.put(name, t);
            persistOrFail(next, "alter configs of topic " + name);
            topics.put(name, t);
            LOG.info("Topic {} configs now {}", name, normalised);
            for (MetadataListener l : listeners) {
                notify(() -> l.topicConfigChanged(t), l);
            }
            return t;
        }
    }

    /**
     * Kafka's controller checks, with its messages: the count must grow, one replica list per new partition, and
     * (this store knowing one broker) each list must be this broker alone. The new count is persisted before the
     * listeners open the new partitions.
     */
    @Override
    public TopicMetadata createPartitions(String name, int totalCount, List<List<Integer>> newAssignments) {
        synchronized (writeLock) {
            TopicMetadata old = requireTopic(name);
            int current = old.partitionCount();
            if (totalCount == current) {
                throw new StrataException(ErrorCode.INVALID_PARTITIONS,
                        "Topic already has " + current + " partition(s).");
            }
            if (totalCount < current) {
                throw new StrataException(ErrorCode.INVALID_PARTITIONS, "The topic " + name + " currently has "
                        + current + " partition(s); " + totalCount + " would not be an increase.");
            }
            int additional = totalCount - current;
            if (newAssignments != null) {
                // Kafka's rules on the request are the broker's (TopicValidation); the store needs one list each.
                if (newAssignments.size() != additional) {
                    throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT, additional
                            + " new partition(s) need as many replica lists, not " + newAssignments.size());
                }
                for (List<Integer> replicas : newAssignments) {
                    if (!List.of(brokerId).equals(replicas)) {
                        throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT, "The manual partition "
                                + "assignment " + replicas + " is not [" + brokerId + "]: broker " + brokerId
                                + " is the only broker");
                    }
                }
            }
            TopicMetadata t = new TopicMetadata(old.name(), old.topicId(), totalCount, old.replicationFactor(),
                    old.configs());
            Map<String, TopicMetadata> next = new HashMap<>(topics);
            next.put(name, t);
            persistOrFail(next, "create partitions of topic " + name);
            topics.put(name, t);
            LOG.info("Topic {} now has {} partition(s) (was {})", name, totalCount, current);
            for (MetadataListener l : listeners) {
                notify(() -> l.partitionsCreated(t, current), l);
            }
            return t;
        }
    }

    @Override
    public Map<String, String> dynamicBrokerConfigs(String entity) {
        return brokerConfigs.get(entity);
    }

    /** The broker validated them; this store keeps them ({@link LocalBrokerConfigs}), then tells the listeners. */
    @Override
    public void alterDynamicBrokerConfigs(String entity, Map<String, String> configs) {
        if (entity == null) {
            throw new IllegalArgumentException("A broker config entity is a broker id or \"\"");
        }
        synchronized (writeLock) {
            brokerConfigs.alter(entity, configs);
            for (MetadataListener l : listeners) {
                notify(() -> l.brokerConfigsChanged(entity), l);
            }
        }
    }

    private TopicMetadata requireTopic(String name) {
        TopicMetadata t = name == null ? null : topics.get(name);
        if (t == null) {
            throw new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                    "This server does not host this topic: " + name);
        }
        return t;
    }

    private void persistOrFail(Map<String, TopicMetadata> next, String what) {
        try {
            persist(next);
        } catch (IOException e) {
            LOG.error("Could not {}: writing {} failed", what, topicsFile, e);
            throw new StrataException(ErrorCode.KAFKA_STORAGE_ERROR, "Could not " + what + ": " + e.getMessage(), e);
        }
    }

    private static void notify(Runnable call, MetadataListener listener) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.error("Metadata listener {} failed", listener, e);
        }
    }

    @Override
    public Optional<PartitionState> partitionState(TopicPartition tp) {
        TopicMetadata t = topics.get(tp.topic());
        if (t == null || tp.partition() >= t.partitionCount()) {
            return Optional.empty();
        }
        List<Integer> self = List.of(brokerId);
        return Optional.of(new PartitionState(tp, brokerId, 0, self, self));
    }

    @Override
    public long allocateProducerIds(int count) {
        return producerIds.allocate(count);
    }

    /** Every partition is led by its only replica, this broker: there is nothing to elect. */
    @Override
    public Map<TopicPartition, ErrorCode> electLeaders(ElectionType type, Collection<TopicPartition> partitions,
                                                       long timeoutMs) {
        Map<TopicPartition, ErrorCode> result = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            result.put(tp, partitionState(tp).isPresent() ? ErrorCode.ELECTION_NOT_NEEDED
                    : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        }
        return result;
    }

    /** The only ISR one broker can have is itself, at epoch 0. */
    @Override
    public PartitionState alterIsr(TopicPartition tp, int leaderEpoch, List<Integer> isr) {
        PartitionState state = partitionState(tp).orElseThrow(() -> new StrataException(
                ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic-partition: " + tp));
        if (leaderEpoch != state.leaderEpoch()) {
            throw new StrataException(ErrorCode.FENCED_LEADER_EPOCH, "Leader epoch " + leaderEpoch + " of " + tp
                    + " is not the current one (" + state.leaderEpoch() + ")");
        }
        if (!state.isr().equals(isr)) {
            throw new StrataException(ErrorCode.INVALID_REQUEST, "The ISR of " + tp + " on a single broker is "
                    + state.isr() + ", not " + isr);
        }
        return state;
    }

    /** No other broker can take over: every partition stays led by this one until it stops. */
    @Override
    public int controlledShutdown(long timeoutMs) {
        return topics.values().stream().mapToInt(TopicMetadata::partitionCount).sum();
    }

    @Override
    public void addListener(MetadataListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(MetadataListener listener) {
        listeners.remove(listener);
    }
}
