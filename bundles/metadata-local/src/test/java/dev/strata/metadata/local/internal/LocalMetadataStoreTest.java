package dev.strata.metadata.local.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMetadataStoreTest {
    @TempDir
    Path dir;

    @Test
    void topicsAndClusterIdSurviveANewInstance() throws IOException {
        LocalMetadataStore store = new LocalMetadataStore(dir, 0);
        TopicMetadata created = store.createTopic("orders.v1", 3, (short) 1,
                Map.of("segment.bytes", "1048576", "message.timestamp.type", "LogAppendTime"));
        store.createTopic("audit", 1, (short) 1, Map.of());
        store.deleteTopic("audit");

        LocalMetadataStore reopened = new LocalMetadataStore(dir, 0);
        assertEquals(store.clusterId(), reopened.clusterId());
        assertEquals(22, reopened.clusterId().length());
        TopicMetadata t = reopened.topic("orders.v1").orElseThrow();
        assertEquals(created.topicId(), t.topicId());
        assertEquals(3, t.partitionCount());
        assertEquals(1, t.replicationFactor());
        assertEquals(Map.of("segment.bytes", "1048576", "message.timestamp.type", "LogAppendTime"), t.configs());
        assertTrue(reopened.topic("audit").isEmpty());
        assertEquals(1, reopened.topics().size());
        assertTrue(Files.exists(dir.resolve("meta.properties")));
        assertTrue(Files.readString(dir.resolve("meta.properties")).contains("broker.id=0"));
    }

    @Test
    void dynamicBrokerConfigsArePersistedPerEntityAndListenersAreTold() throws IOException {
        LocalMetadataStore store = new LocalMetadataStore(dir, 2);
        List<String> told = new ArrayList<>();
        store.addListener(new MetadataListener() {
            @Override
            public void topicCreated(TopicMetadata topic) {
            }

            @Override
            public void topicDeleted(TopicMetadata topic) {
            }

            @Override
            public void brokerConfigsChanged(String entity) {
                told.add(entity);
            }
        });
        assertEquals(Map.of(), store.dynamicBrokerConfigs(""));
        store.alterDynamicBrokerConfigs("", Map.of("log.retention.ms", "60000", "log.cleanup.policy", "compact"));
        store.alterDynamicBrokerConfigs("2", Map.of("log.retention.ms", "1000"));
        store.alterDynamicBrokerConfigs("2", Map.of("message.max.bytes", "2000"));
        assertEquals(List.of("", "2", "2"), told);

        LocalMetadataStore reopened = new LocalMetadataStore(dir, 2);
        assertEquals(Map.of("log.retention.ms", "60000", "log.cleanup.policy", "compact"),
                reopened.dynamicBrokerConfigs(""));
        assertEquals(Map.of("message.max.bytes", "2000"), reopened.dynamicBrokerConfigs("2"));
        reopened.alterDynamicBrokerConfigs("", Map.of());
        assertEquals(Map.of(), new LocalMetadataStore(dir, 2).dynamicBrokerConfigs(""));
    }

    @Test
    void manualAssignmentOnThisBrokerCreatesTheTopicAndAnyOtherIsRefused() throws IOException {
        LocalMetadataStore store = new LocalMetadataStore(dir, 3);
        TopicMetadata placed = store.createTopic("placed", List.of(List.of(3), List.of(3)), Map.of());
        assertEquals(2, placed.partitionCount());
        assertEquals(1, placed.replicationFactor());
        assertEquals(List.of(3), store.partitionState(new TopicPartition("placed", 1)).orElseThrow().replicas());

        assertAssignmentRefused(store, List.of(List.of(3), List.of(4)), ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                "The manual partition assignment [4] is not [3]: broker 3 is the only broker");
        assertAssignmentRefused(store, List.of(List.of(3, 3)), ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                "The manual partition assignment [3, 3] is not [3]: broker 3 is the only broker");
        assertAssignmentRefused(store, List.of(List.of()), ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                "The manual partition assignment [] is not [3]: broker 3 is the only broker");
        assertAssignmentRefused(store, List.of(), ErrorCode.INVALID_PARTITIONS,
                "Number of partitions must be larger than 0: 0");
        StrataException exists = assertThrows(StrataException.class,
                () -> store.createTopic("placed", List.of(List.of(4)), Map.of()));
        assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS, exists.error(), "an existing name is checked first");
        assertEquals(1, store.topics().size(), "nothing refused was recorded");
    }

    private static void assertAssignmentRefused(LocalMetadataStore store, List<List<Integer>> assignment,
                                                ErrorCode error, String message) {
        StrataException e = assertThrows(StrataException.class,
                () -> store.createTopic("refused", assignment, Map.of()));
        assertEquals(error, e.error(), String.valueOf(assignment));
        assertEquals(message, e.getMessage());
    }

    @Test
    void anotherBrokerIdRefusesTheDirectory() throws IOException {
        new LocalMetadataStore(dir, 0);
        IOException e = assertThrows(IOException.class, () -> new LocalMetadataStore(dir, 7));
        assertTrue(e.getMessage().contains("broker.id"), e.getMessage());
    }

    /** What the store itself keeps true; Kafka's other rules (legal characters, configs) are the broker's. */
    @Test
    void theStoreRefusesTakenNamesAndImpossibleTopics() throws IOException {
        LocalMetadataStore store = new LocalMetadataStore(dir, 0);
        store.createTopic("a.b", 1, (short) 1, Map.of());
        assertError(ErrorCode.INVALID_TOPIC_EXCEPTION, () -> store.createTopic("", 1, (short) 1, Map.of()));
        assertError(ErrorCode.INVALID_TOPIC_EXCEPTION, () -> store.createTopic("x".repeat(250), 1, (short) 1,
                Map.of()));
        assertError(ErrorCode.INVALID_TOPIC_EXCEPTION, () -> store.createTopic("a_b", 1, (short) 1, Map.of()));
        assertError(ErrorCode.TOPIC_ALREADY_EXISTS, () -> store.createTopic("a.b", 1, (short) 1, Map.of()));
        assertError(ErrorCode.INVALID_PARTITIONS, () -> store.createTopic("t", 0, (short) 1, Map.of()));
        assertError(ErrorCode.INVALID_REPLICATION_FACTOR, () -> store.createTopic("t", 1, (short) 3, Map.of()));
        assertError(ErrorCode.INVALID_REPLICATION_FACTOR, () -> store.createTopic("t", 1, (short) 0, Map.of()));
        assertError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, () -> store.deleteTopic("t"));
        assertTrue(store.topic("t").isEmpty());
        assertEquals(1, new LocalMetadataStore(dir, 0).topics().size());
        // the longest legal name still fits in the metadata file
        store.createTopic("y".repeat(249), 1, (short) 1, Map.of());
        assertTrue(new LocalMetadataStore(dir, 0).topic("y".repeat(249)).isPresent());
    }

    @Test
    void readsTheBrokersSettingsAsTheBrokerDoes() throws IOException {
        LocalMetadataStore store = new LocalMetadataStore(Map.of("log.dirs", dir.resolve("d") + " ",
                "broker.id", "5", "num.partitions", "3"));
        assertEquals(5, store.localBrokerId());
        assertEquals(dir.resolve("d").toAbsolutePath().normalize(), store.logDir());
        assertTrue(Files.exists(dir.resolve("d").resolve("meta.properties")));
        IllegalArgumentException two = assertThrows(IllegalArgumentException.class,
                () -> new LocalMetadataStore(Map.of("log.dirs", dir + "/x," + dir + "/y")));
        assertTrue(two.getMessage().contains("exactly one directory"), two.getMessage());
        IllegalArgumentException id = assertThrows(IllegalArgumentException.class,
                () -> new LocalMetadataStore(Map.of("log.dirs", dir.toString(), "broker.id", "one")));
        assertTrue(id.getMessage().contains("broker.id"), id.getMessage());
    }

    @Test
    void partitionStateAndBrokers() throws IOException {
        LocalMetadataStore store = new LocalMetadataStore(dir, 4);
        store.createTopic("t", 2, (short) 1, Map.of());
        PartitionState s = store.partitionState(new TopicPartition("t", 1)).orElseThrow();
        assertEquals(4, s.leader());
        assertEquals(0, s.leaderEpoch());
        assertEquals(List.of(4), s.replicas());
        assertEquals(List.of(4), s.isr());
        assertTrue(store.partitionState(new TopicPartition("t", 2)).isEmpty());
        assertEquals(1, store.liveBrokers().size());
        assertEquals(4, store.liveBrokers().get(0).id());
    }

    @Test
    void listenersHearChangesAndAlteredConfigsPersist() throws IOException {
        LocalMetadataStore store = new LocalMetadataStore(dir, 0);
        List<String> events = new ArrayList<>();
        store.addListener(new MetadataListener() {
            @Override
            public void topicCreated(TopicMetadata topic) {
                events.add("created " + topic.name());
            }

            @Override
            public void topicDeleted(TopicMetadata topic) {
                events.add("deleted " + topic.name());
            }

            @Override
            public void topicConfigChanged(TopicMetadata topic) {
                events.add("changed " + topic.name());
            }
        });
        store.createTopic("t", 1, (short) 1, Map.of());
        store.alterTopicConfigs("t", Map.of("retention.ms", "1000"));
        assertEquals(Map.of("retention.ms", "1000"), new LocalMetadataStore(dir, 0).topic("t").get().configs());
        store.deleteTopic("t");
        assertEquals(List.of("created t", "changed t", "deleted t"), events);
        assertFalse(Files.exists(dir.resolve("__strata_meta/topics.properties.tmp")));
    }

    @Test
    void createPartitionsGrowsTheTopicDurablyAndTellsTheListeners() throws IOException {
        LocalMetadataStore store = new LocalMetadataStore(dir, 2);
        TopicMetadata created = store.createTopic("grow", 2, (short) 1, Map.of("retention.ms", "1000"));
        List<String> events = new ArrayList<>();
        store.addListener(new MetadataListener() {
            @Override
            public void topicCreated(TopicMetadata topic) {
            }

            @Override
            public void topicDeleted(TopicMetadata topic) {
            }

            @Override
            public void partitionsCreated(TopicMetadata topic, int previousCount) {
                events.add(topic.name() + " " + previousCount + "->" + topic.partitionCount());
            }
        });

        TopicMetadata grown = store.createPartitions("grow", 4, null);
        assertEquals(4, grown.partitionCount());
        assertEquals(created.topicId(), grown.topicId());
        assertEquals(Map.of("retention.ms", "1000"), grown.configs());
        assertTrue(store.partitionState(new TopicPartition("grow", 3)).isPresent());
        store.createPartitions("grow", 5, List.of(List.of(2)));
        assertEquals(List.of("grow 2->4", "grow 4->5"), events);
        TopicMetadata reopened = new LocalMetadataStore(dir, 2).topic("grow").orElseThrow();
        assertEquals(5, reopened.partitionCount());
        assertEquals(created.topicId(), reopened.topicId());

        assertEquals("Topic already has 5 partition(s).",
                assertError(ErrorCode.INVALID_PARTITIONS, () -> store.createPartitions("grow", 5, null)).getMessage());
        assertEquals("The topic grow currently has 5 partition(s); 3 would not be an increase.",
                assertError(ErrorCode.INVALID_PARTITIONS, () -> store.createPartitions("grow", 3, null)).getMessage());
        assertEquals("The topic grow currently has 5 partition(s); -1 would not be an increase.",
                assertError(ErrorCode.INVALID_PARTITIONS, () -> store.createPartitions("grow", -1, null)).getMessage());
        assertEquals("2 new partition(s) need as many replica lists, not 1",
                assertError(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                        () -> store.createPartitions("grow", 7, List.of(List.of(2)))).getMessage());
        assertEquals("The manual partition assignment [3] is not [2]: broker 2 is the only broker",
                assertError(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                        () -> store.createPartitions("grow", 6, List.of(List.of(3)))).getMessage());
        assertError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, () -> store.createPartitions("missing", 3, null));
        assertEquals(5, store.topic("grow").orElseThrow().partitionCount(), "nothing refused was recorded");
        assertEquals(2, events.size());
    }

    private static StrataException assertError(ErrorCode expected, Runnable call) {
        StrataException e = assertThrows(StrataException.class, call::run);
        assertEquals(expected, e.error(), e.getMessage());
        return e;
    }
}
