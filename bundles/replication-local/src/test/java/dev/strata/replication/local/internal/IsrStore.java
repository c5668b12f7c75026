package dev.strata.replication.local.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.ElectionType;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the cluster metadata holding partition states only: alterIsr checks the epoch as the real stores do,
 * records each call, and fails with the errors a test queues first. Thread-safe.
 */
class IsrStore implements MetadataStore {
    record Call(TopicPartition tp, int leaderEpoch, List<Integer> isr) {
    }

    private final int localBroker;
    private final Map<TopicPartition, PartitionState> states = new ConcurrentHashMap<>();
    final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Deque<ErrorCode> failures = new ArrayDeque<>();
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Integer> live = new CopyOnWriteArrayList<>();

    IsrStore(int localBroker) {
        this.localBroker = localBroker;
    }

    void state(PartitionState s) {
        states.put(s.tp(), s);
    }

    synchronized void failNext(ErrorCode... errors) {
        failures.addAll(List.of(errors));
    }

    @Override
    public PartitionState alterIsr(TopicPartition tp, int leaderEpoch, List<Integer> isr) {
        calls.add(new Call(tp, leaderEpoch, isr));
        synchronized (this) {
            ErrorCode e = failures.poll();
            if (e != null) {
                throw new StrataException(e, "test failure " + e);
            }
        }
        PartitionState s = states.get(tp);
        if (s == null) {
            throw new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "unknown " + tp);
        }
        if (s.leaderEpoch() != leaderEpoch || s.leader() != localBroker) {
            throw new StrataException(ErrorCode.FENCED_LEADER_EPOCH, "fenced " + tp);
        }
        PartitionState next = new PartitionState(tp, s.leader(), s.leaderEpoch(), s.replicas(), isr);
        states.put(tp, next);
        return next;
    }

    @Override
    public Optional<PartitionState> partitionState(TopicPartition tp) {
        return Optional.ofNullable(states.get(tp));
    }

    @Override
    public int localBrokerId() {
        return localBroker;
    }

    @Override
    public String clusterId() {
        return "isr-test";
    }

    @Override
    public List<BrokerInfo> liveBrokers() {
        return live.stream().map(id -> new BrokerInfo(id, "127.0.0.1", 9091 + id, null)).toList();
    }

    @Override
    public int controllerId() {
        return localBroker;
    }

    @Override
    public Collection<TopicMetadata> topics() {
        return List.of();
    }

    @Override
    public Optional<TopicMetadata> topic(String name) {
        return Optional.empty();
    }

    @Override
    public TopicMetadata createTopic(String name, int partitions, short replicationFactor,
                                     Map<String, String> configs) {
        throw new UnsupportedOperationException();
    }

    @Override
    public TopicMetadata createTopic(String name, List<List<Integer>> replicaAssignment,
                                     Map<String, String> configs) {
        throw new UnsupportedOperationException();
    }

    @Override
    public TopicMetadata deleteTopic(String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public TopicMetadata alterTopicConfigs(String name, Map<String, String> configs) {
        throw new UnsupportedOperationException();
    }

    @Override
    public TopicMetadata createPartitions(String name, int totalCount, List<List<Integer>> newAssignments) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Map<String, String> dynamicBrokerConfigs(String entity) {
        return Map.of();
    }

    @Override
    public void alterDynamicBrokerConfigs(String entity, Map<String, String> configs) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long allocateProducerIds(int count) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Map<TopicPartition, ErrorCode> electLeaders(ElectionType type, Collection<TopicPartition> partitions,
                                                       long timeoutMs) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int controlledShutdown(long timeoutMs) {
        return 0;
    }

    @Override
    public void addListener(MetadataListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(MetadataListener listener) {
        listeners.remove(listener);
    }

    /** Sets the registered brokers and tells the listeners, as a store does when a broker joins or leaves. */
    void live(Integer... ids) {
        live.clear();
        live.addAll(List.of(ids));
        listeners.forEach(MetadataListener::clusterChanged);
    }
}
