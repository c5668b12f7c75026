package dev.strata.broker.internal;

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
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMetadataStoreTest {
    @TempDir
    Path dir;

    @Test
    void topicsAndClusterIdSurviveANewInstance() throws IOException {
        LocalMetadataStore store = new LocalMetadataStore(dir, 0);
        TopicMetadata created = store.createTopic("orders.v1", 3, (short) 1,
                Map.of("segment.bytes", "1048576", "message.timestamp.type", "logappendtime"));
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
    void manualAssignmentOnThisBrokerCreatesTheTopicAndAnyOtherIsRefusedAsKafkaDoes() throws IOException {
        LocalMetadataStore store = new LocalMetadataStore(dir, 3);
        TopicMetadata placed = store.createTopic("placed", List.of(List.of(3), List.of(3)), Map.of());
        assertEquals(2, placed.partitionCount());
        assertEquals(1, placed.replicationFactor());
        assertEquals(List.of(3), store.partitionState(new TopicPartition("placed", 1)).orElseThrow().replicas());

        assertAssignmentRefused(store, List.of(List.of(3), List.of(4)), ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                "The manual partition assignment includes broker 4, but no such broker is registered.");
        assertAssignmentRefused(store, List.of(List.of(3, 3)), ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                "The manual partition assignment includes the broker 3 more than once.");
        assertAssignmentRefused(store, List.of(List.of()), ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                "The manual partition assignment includes an empty replica list.");
        assertAssignmentRefused(store, List.of(), ErrorCode.INVALID_PARTITIONS,
                "Number of partitions must be larger than 0: 0");
        StrataException exists = assertThrows(StrataException.class,
                () -> store.createTopic("placed", List.of(List.of(4)), Map.of()));
        assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS, exists.error(), "an existing name is checked first");
        assertEquals(1, store.topics().size(), "nothing refused was recorded");
        // Sizes are compared after the brokers: with one broker a second replica is already an unknown broker.
        StrataException inconsistent = assertThrows(StrataException.class,
                () -> TopicValidation.validateAssignment(List.of(List.of(1), List.of(1, 2)), Set.of(1, 2)));
        assertEquals("The manual partition assignment includes a partition with 2 replica(s), but this is not"
                + " consistent with previous partitions, which have 1 replica(s).", inconsistent.getMessage());
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

    @Test
    void invalidTopicsAreRefusedWithKafkaErrors() throws IOException {
        LocalMetadataStore store = new LocalMetadataStore(dir, 0);
        store.createTopic("a.b", 1, (short) 1, Map.of());
        assertError(ErrorCode.INVALID_TOPIC_EXCEPTION, () -> store.createTopic("bad name", 1, (short) 1, Map.of()));
        assertError(ErrorCode.INVALID_TOPIC_EXCEPTION, () -> store.createTopic("", 1, (short) 1, Map.of()));
        assertError(ErrorCode.INVALID_TOPIC_EXCEPTION, () -> store.createTopic(".", 1, (short) 1, Map.of()));
        assertError(ErrorCode.INVALID_TOPIC_EXCEPTION, () -> store.createTopic("..", 1, (short) 1, Map.of()));
        assertError(ErrorCode.INVALID_TOPIC_EXCEPTION, () -> store.createTopic("x".repeat(250), 1, (short) 1,
                Map.of()));
        assertError(ErrorCode.INVALID_TOPIC_EXCEPTION, () -> store.createTopic("a_b", 1, (short) 1, Map.of()));
        assertError(ErrorCode.TOPIC_ALREADY_EXISTS, () -> store.createTopic("a.b", 1, (short) 1, Map.of()));
        assertError(ErrorCode.INVALID_PARTITIONS, () -> store.createTopic("t", 0, (short) 1, Map.of()));
        assertError(ErrorCode.INVALID_REPLICATION_FACTOR, () -> store.createTopic("t", 1, (short) 3, Map.of()));
        assertError(ErrorCode.INVALID_REPLICATION_FACTOR, () -> store.createTopic("t", 1, (short) 0, Map.of()));
        StrataException unknown = assertError(ErrorCode.INVALID_CONFIG,
                () -> store.createTopic("t", 1, (short) 1, Map.of("no.such.config", "1")));
        assertTrue(unknown.getMessage().contains("no.such.config"), unknown.getMessage());
        StrataException bad = assertError(ErrorCode.INVALID_CONFIG,
                () -> store.createTopic("t", 1, (short) 1, Map.of("segment.bytes", "lots")));
        assertTrue(bad.getMessage().contains("segment.bytes"), bad.getMessage());
        assertError(ErrorCode.INVALID_CONFIG,
                () -> store.createTopic("t", 1, (short) 1, Map.of("cleanup.policy", "shred")));
        assertError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, () -> store.deleteTopic("t"));
        assertTrue(store.topic("t").isEmpty());
        assertEquals(1, new LocalMetadataStore(dir, 0).topics().size());
        // the longest legal name still fits in the metadata file
        store.createTopic("y".repeat(249), 1, (short) 1, Map.of());
        assertTrue(new LocalMetadataStore(dir, 0).topic("y".repeat(249)).isPresent());
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

    private static StrataException assertError(ErrorCode expected, Runnable call) {
        StrataException e = assertThrows(StrataException.class, call::run);
        assertEquals(expected, e.error(), e.getMessage());
        return e;
    }
}
