package dev.strata.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.ElectionType;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import dev.strata.metadata.local.internal.LocalMetadataStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata:cluster} prints what the metadata store says: brokers, controller, and each partition's state. */
class ClusterCommandTest {

    @TempDir
    Path dir;

    @Test
    void showsBrokersControllerAndEachPartitionsLeadership() {
        StandInStore store = new StandInStore(2, 1);
        store.brokers.add(new BrokerInfo(3, "127.0.0.1", 9094, "rack-b"));
        store.brokers.add(new BrokerInfo(1, "127.0.0.1", 9092, "rack-a"));
        store.brokers.add(new BrokerInfo(2, "127.0.0.1", 9093, null));
        store.topic("orders", List.of(
                new int[] {1, 2, 1, 2}, // leader 1, epoch 2, replicas [1,2], ISR [1,2]
                new int[] {3, 0, 2, 3}, // led by 3, preferred is 2
                new int[] {-1, 5, 4}));  // replica 4 is not live: offline
        store.topic("audit", List.of(new int[] {2, 0, 2}));

        String out = new ClusterCommand(store).cluster();

        assertTrue(out.startsWith("Cluster test-cluster: 3 live broker(s), controller 2; this is broker 1\n"), out);
        List<String> lines = out.lines().toList();
        assertEquals(List.of("1", "2", "3"), lines.subList(2, 5).stream().map(l -> l.split("\\s+")[0]).toList(),
                "brokers sorted by id:\n" + out);
        assertTrue(lines.get(2).matches("1\\s+127\\.0\\.0\\.1:9092\\s+rack-a\\s+this broker"), lines.get(2));
        assertTrue(lines.get(3).matches("2\\s+127\\.0\\.0\\.1:9093\\s+-\\s+controller"), lines.get(3));
        assertTrue(lines.get(4).matches("3\\s+127\\.0\\.0\\.1:9094\\s+rack-b\\s*"), lines.get(4));
        assertTrue(lines.get(5).matches("PARTITION\\s+LEADER\\s+EPOCH\\s+REPLICAS\\s+ISR\\s+OFFLINE"), lines.get(5));
        // Topics sorted by name, partitions in order.
        assertTrue(lines.get(6).matches("audit-0\\s+2\\s+0\\s+\\[2]\\s+\\[2]\\s+-"), lines.get(6));
        assertTrue(lines.get(7).matches("orders-0\\s+1\\s+2\\s+\\[1,2]\\s+\\[1,2]\\s+-"), lines.get(7));
        assertTrue(lines.get(8).matches("orders-1\\s+3\\s+0\\s+\\[2,3]\\s+\\[3]\\s+-"), lines.get(8));
        assertTrue(lines.get(9).matches("orders-2\\s+none\\s+5\\s+\\[4]\\s+\\[]\\s+\\[4]"), lines.get(9));
        assertEquals("4 partition(s) in 2 topic(s): 1 without a leader, 1 led by another than their preferred replica",
                lines.get(10));
        assertEquals(11, lines.size(), out);
    }

    @Test
    void oneTopicOnlyAndAnUnknownTopicIsSaid() {
        StandInStore store = new StandInStore(1, 1);
        store.brokers.add(new BrokerInfo(1, "127.0.0.1", 9092, null));
        store.topic("a", List.of(new int[] {1, 0, 1}));
        store.topic("b", List.of(new int[] {1, 0, 1}, new int[] {1, 0, 1}));

        String out = new ClusterCommand(store).cluster("b");
        assertTrue(out.contains("b-0 ") && out.contains("b-1 ") && !out.contains("a-0"), out);
        assertTrue(out.endsWith("2 partition(s) in 1 topic(s): 0 without a leader, 0 led by another than their "
                + "preferred replica\n"), out);

        assertTrue(new ClusterCommand(store).cluster("nope").endsWith("No topic nope\n"));
    }

    @Test
    void noControllerIsSaid() {
        StandInStore store = new StandInStore(-1, 1);
        store.brokers.add(new BrokerInfo(1, "127.0.0.1", 9092, null));
        assertTrue(new ClusterCommand(store).cluster().startsWith("Cluster test-cluster: 1 live broker(s), controller "
                + "none (an election is under way or the metadata is out of reach); this is broker 1"));
    }

    @Test
    void oneBrokerWithTheLocalStoreIsItsOwnController() throws Exception {
        LocalMetadataStore store = new LocalMetadataStore(dir, 0);
        store.createTopic("demo", 2, (short) 1, Map.of());

        String out = new ClusterCommand(store).cluster("demo");

        List<String> lines = out.lines().toList();
        assertTrue(lines.get(0).matches("Cluster \\S+: 1 live broker\\(s\\), controller 0; this is broker 0"), out);
        assertTrue(lines.get(2).matches("0\\s+-\\s+-\\s+controller, this broker"), out);
        assertTrue(lines.get(4).matches("demo-0\\s+0\\s+0\\s+\\[0]\\s+\\[0]\\s+-"), out);
        assertTrue(lines.get(5).matches("demo-1\\s+0\\s+0\\s+\\[0]\\s+\\[0]\\s+-"), out);
    }

    /** What strata:cluster reads of a store; the rest is not its business. */
    private static final class StandInStore implements MetadataStore {
        final List<BrokerInfo> brokers = new ArrayList<>();
        final Map<String, TopicMetadata> topics = new HashMap<>();
        final Map<TopicPartition, PartitionState> states = new HashMap<>();
        private final int controller;
        private final int local;

        StandInStore(int controller, int local) {
            this.controller = controller;
            this.local = local;
        }

        /** Each partition as {leader, epoch, replicas...}; the ISR is the live replicas, or just the leader if led elsewhere. */
        void topic(String name, List<int[]> partitions) {
            topics.put(name, new TopicMetadata(name, UUID.randomUUID(), partitions.size(), (short) 1, Map.of()));
            for (int p = 0; p < partitions.size(); p++) {
                int[] spec = partitions.get(p);
                List<Integer> replicas = new ArrayList<>();
                for (int i = 2; i < spec.length; i++) {
                    replicas.add(spec[i]);
                }
                List<Integer> isr = spec[0] < 0 ? List.of()
                        : replicas.get(0) == spec[0] ? replicas : List.of(spec[0]);
                TopicPartition tp = new TopicPartition(name, p);
                states.put(tp, new PartitionState(tp, spec[0], spec[1], replicas, isr));
            }
        }

        @Override public String clusterId() { return "test-cluster"; }
        @Override public int localBrokerId() { return local; }
        @Override public List<BrokerInfo> liveBrokers() { return brokers; }
        @Override public int controllerId() { return controller; }
        @Override public Collection<TopicMetadata> topics() { return topics.values(); }
        @Override public Optional<TopicMetadata> topic(String name) { return Optional.ofNullable(topics.get(name)); }
        @Override public Optional<PartitionState> partitionState(TopicPartition tp) {
            return Optional.ofNullable(states.get(tp));
        }

        @Override public TopicMetadata createTopic(String name, int partitions, short rf, Map<String, String> c) {
            throw new UnsupportedOperationException();
        }
        @Override public TopicMetadata createTopic(String name, List<List<Integer>> a, Map<String, String> c) {
            throw new UnsupportedOperationException();
        }
        @Override public TopicMetadata deleteTopic(String name) { throw new UnsupportedOperationException(); }
        @Override public TopicMetadata alterTopicConfigs(String name, Map<String, String> configs) {
            throw new UnsupportedOperationException();
        }
        @Override public TopicMetadata createPartitions(String name, int total, List<List<Integer>> a) {
            throw new UnsupportedOperationException();
        }
        @Override public Map<String, String> dynamicBrokerConfigs(String entity) { return Map.of(); }
        @Override public void alterDynamicBrokerConfigs(String entity, Map<String, String> configs) {
            throw new UnsupportedOperationException();
        }
        @Override public long allocateProducerIds(int count) { throw new UnsupportedOperationException(); }
        @Override public Map<TopicPartition, ErrorCode> electLeaders(ElectionType type,
                                                                     Collection<TopicPartition> partitions,
                                                                     long timeoutMs) {
            throw new UnsupportedOperationException();
        }
        @Override public PartitionState alterIsr(TopicPartition tp, int leaderEpoch, List<Integer> isr) {
            throw new UnsupportedOperationException();
        }
        @Override public int controlledShutdown(long timeoutMs) { throw new UnsupportedOperationException(); }
        @Override public void addListener(MetadataListener listener) { }
        @Override public void removeListener(MetadataListener listener) { }
    }
}
