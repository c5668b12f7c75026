package dev.strata.broker.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.ElectionType;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import dev.strata.metadata.local.internal.LocalMetadataStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster as one broker sees it, for tests: the local store keeps topics and configs, while the test sets each
 * partition's leader, epoch and replicas ({@link #setState}, told to listeners as a cluster store tells them) and
 * adds other live brokers. Thread-safe.
 */
final class ClusterStandIn implements MetadataStore {
    private final LocalMetadataStore local;
    private final Map<TopicPartition, PartitionState> states = new ConcurrentHashMap<>();
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private final List<BrokerInfo> others = new CopyOnWriteArrayList<>();
    /** What controlledShutdown answers, and how often it was called. */
    volatile int stillLeading;
    final AtomicInteger controlledShutdowns = new AtomicInteger();
    /** Runs inside controlledShutdown (a test checks what the broker has open then). */
    volatile Runnable duringControlledShutdown = () -> { };

    ClusterStandIn(LocalMetadataStore local) {
        this.local = local;
    }

    void addBroker(int id) {
        others.add(new BrokerInfo(id, "127.0.0.1", 9000 + id, null));
    }

    /** Sets the partition's state (before or after its topic exists) and tells the listeners. */
    void setState(PartitionState state) {
        states.put(state.tp(), state);
        listeners.forEach(l -> l.partitionStatesChanged(List.of(state)));
    }

    @Override
    public Optional<PartitionState> partitionState(TopicPartition tp) {
        Optional<PartitionState> own = local.partitionState(tp);
        return own.isEmpty() ? own : Optional.of(states.getOrDefault(tp, own.get()));
    }

    @Override
    public List<BrokerInfo> liveBrokers() {
        List<BrokerInfo> all = new ArrayList<>(local.liveBrokers());
        all.addAll(others);
        return all;
    }

    @Override
    public void addListener(MetadataListener listener) {
        listeners.add(listener);
        local.addListener(listener);
    }

    @Override
    public void removeListener(MetadataListener listener) {
        listeners.remove(listener);
        local.removeListener(listener);
    }

    @Override
    public int controlledShutdown(long timeoutMs) {
        controlledShutdowns.incrementAndGet();
        duringControlledShutdown.run();
        return stillLeading;
    }

    @Override
    public String clusterId() {
        return local.clusterId();
    }

    @Override
    public int localBrokerId() {
        return local.localBrokerId();
    }

    @Override
    public int controllerId() {
        return local.controllerId();
    }

    @Override
    public Collection<TopicMetadata> topics() {
        return local.topics();
    }

    @Override
    public Optional<TopicMetadata> topic(String name) {
        return local.topic(name);
    }

    @Override
    public TopicMetadata createTopic(String name, int partitions, short replicationFactor,
                                     Map<String, String> configs) {
        return local.createTopic(name, partitions, (short) 1, configs); // placement is the test's (setState)
    }

    @Override
    public TopicMetadata createTopic(String name, List<List<Integer>> replicaAssignment,
                                     Map<String, String> configs) {
        return local.createTopic(name, replicaAssignment, configs);
    }

    @Override
    public TopicMetadata deleteTopic(String name) {
        return local.deleteTopic(name);
    }

    @Override
    public TopicMetadata alterTopicConfigs(String name, Map<String, String> configs) {
        return local.alterTopicConfigs(name, configs);
    }

    @Override
    public TopicMetadata createPartitions(String name, int totalCount, List<List<Integer>> newAssignments) {
        return local.createPartitions(name, totalCount, newAssignments);
    }

    @Override
    public Map<String, String> dynamicBrokerConfigs(String entity) {
        return local.dynamicBrokerConfigs(entity);
    }

    @Override
    public void alterDynamicBrokerConfigs(String entity, Map<String, String> configs) {
        local.alterDynamicBrokerConfigs(entity, configs);
    }

    @Override
    public long allocateProducerIds(int count) {
        return local.allocateProducerIds(count);
    }

    @Override
    public Map<TopicPartition, ErrorCode> electLeaders(ElectionType type, Collection<TopicPartition> partitions,
                                                       long timeoutMs) {
        return local.electLeaders(type, partitions, timeoutMs);
    }

    @Override
    public PartitionState alterIsr(TopicPartition tp, int leaderEpoch, List<Integer> isr) {
        return local.alterIsr(tp, leaderEpoch, isr);
    }
}
