package dev.strata.protocol.kafka.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory metadata store standing in for the broker bundle's: one broker by default; a test may add remote
 * brokers, take brokers away, set partition states and the controller (listeners are told as a cluster store tells
 * them), and script ElectLeaders answers. Thread-safe.
 */
final class TestMetadataStore implements MetadataStore {
    static final int BROKER_ID = 1;

    private final Map<String, TopicMetadata> topics = new ConcurrentHashMap<>();
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private final List<BrokerInfo> extraBrokers = new CopyOnWriteArrayList<>();
    private final Map<TopicPartition, PartitionState> states = new ConcurrentHashMap<>();
    private volatile int controllerId = BROKER_ID;
    /** The answer of electLeaders per partition (absent: ELECTION_NOT_NEEDED), or an error it throws. */
    final Map<TopicPartition, ErrorCode> electionResults = new ConcurrentHashMap<>();
    volatile StrataException electionFailure;
    /** The last electLeaders call: its type and partitions. */
    volatile dev.strata.api.metadata.ElectionType lastElectionType;
    volatile List<TopicPartition> lastElection;

    void addRemoteBroker(BrokerInfo info) {
        extraBrokers.add(info);
        listeners.forEach(MetadataListener::clusterChanged);
    }

    void removeRemoteBroker(int id) {
        extraBrokers.removeIf(b -> b.id() == id);
        listeners.forEach(MetadataListener::clusterChanged);
    }

    void controller(int id) {
        controllerId = id;
        listeners.forEach(MetadataListener::clusterChanged);
    }

    /** Sets the state of a partition (its topic may come later) and tells the listeners. */
    void setState(PartitionState state) {
        states.put(state.tp(), state);
        listeners.forEach(l -> l.partitionStatesChanged(List.of(state)));
    }

    @Override
    public String clusterId() {
        return "strata-test-cluster";
    }

    @Override
    public int localBrokerId() {
        return BROKER_ID;
    }

    @Override
    public List<BrokerInfo> liveBrokers() {
        List<BrokerInfo> all = new ArrayList<>();
        all.add(new BrokerInfo(BROKER_ID, "ignored-local-host", 1, "rack-a"));
        all.addAll(extraBrokers);
        return all;
    }

    @Override
    public Collection<TopicMetadata> topics() {
        return List.copyOf(topics.values());
    }

    @Override
    public Optional<TopicMetadata> topic(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    @Override
    public synchronized TopicMetadata createTopic(String name, int partitions, short replicationFactor,
                                                  Map<String, String> configs) {
        if (topics.containsKey(name)) {
            throw new StrataException(ErrorCode.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
        }
        TopicMetadata topic = new TopicMetadata(name, UUID.randomUUID(), partitions, replicationFactor, configs);
        topics.put(name, topic);
        listeners.forEach(l -> l.topicCreated(topic));
        return topic;
    }

    /** No validation of the assignment here: the broker bundle's store and its tests own that. */
    @Override
    public TopicMetadata createTopic(String name, List<List<Integer>> replicaAssignment,
                                     Map<String, String> configs) {
        return createTopic(name, replicaAssignment.size(), (short) replicaAssignment.get(0).size(), configs);
    }

    @Override
    public synchronized TopicMetadata deleteTopic(String name) {
        TopicMetadata removed = topics.remove(name);
        if (removed == null) {
            throw new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "No topic " + name);
        }
        listeners.forEach(l -> l.topicDeleted(removed));
        return removed;
    }

    @Override
    public TopicMetadata createPartitions(String name, int totalCount, List<List<Integer>> newAssignments) {
        throw new UnsupportedOperationException("not in this test store");
    }

    @Override
    public Map<String, String> dynamicBrokerConfigs(String entity) {
        return Map.of();
    }

    @Override
    public void alterDynamicBrokerConfigs(String entity, Map<String, String> configs) {
        throw new UnsupportedOperationException("not in this test store");
    }

    @Override
    public synchronized TopicMetadata alterTopicConfigs(String name, Map<String, String> configs) {
        TopicMetadata old = topic(name).orElseThrow(
                () -> new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "No topic " + name));
        TopicMetadata updated = new TopicMetadata(name, old.topicId(), old.partitionCount(),
                old.replicationFactor(), configs);
        topics.put(name, updated);
        return updated;
    }

    @Override
    public Optional<PartitionState> partitionState(TopicPartition tp) {
        TopicMetadata topic = topics.get(tp.topic());
        if (topic == null || tp.partition() >= topic.partitionCount()) {
            return Optional.empty();
        }
        return Optional.of(states.getOrDefault(tp,
                new PartitionState(tp, BROKER_ID, 0, List.of(BROKER_ID), List.of(BROKER_ID))));
    }

    @Override
    public void addListener(MetadataListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(MetadataListener listener) {
        listeners.remove(listener);
    }

    @Override
    public int controllerId() {
        return controllerId;
    }

    private final java.util.concurrent.atomic.AtomicLong nextProducerId = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public long allocateProducerIds(int count) {
        return nextProducerId.getAndAdd(count);
    }

    @Override
    public Map<TopicPartition, ErrorCode> electLeaders(dev.strata.api.metadata.ElectionType type,
                                                       Collection<TopicPartition> partitions, long timeoutMs) {
        lastElectionType = type;
        lastElection = List.copyOf(partitions);
        if (electionFailure != null) {
            throw electionFailure;
        }
        Map<TopicPartition, ErrorCode> result = new java.util.LinkedHashMap<>();
        partitions.forEach(tp -> result.put(tp, partitionState(tp).isEmpty() ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
                : electionResults.getOrDefault(tp, ErrorCode.ELECTION_NOT_NEEDED)));
        return result;
    }

    @Override
    public PartitionState alterIsr(TopicPartition tp, int leaderEpoch, List<Integer> isr) {
        return partitionState(tp).orElseThrow(() -> new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                "Unknown " + tp));
    }

    @Override
    public int controlledShutdown(long timeoutMs) {
        return 0;
    }
}
