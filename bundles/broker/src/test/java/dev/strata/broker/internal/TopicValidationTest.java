package dev.strata.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.metadata.TopicMetadata;
import dev.strata.metadata.local.internal.LocalMetadataStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka's rules for a new topic, which the broker checks before the metadata store records it. */
class TopicValidationTest {
    @TempDir
    Path dir;

    @Test
    void invalidTopicsAreRefusedWithKafkaErrors() throws IOException {
        LocalMetadataStore store = new LocalMetadataStore(dir, 0);
        store.createTopic("a.b", 1, (short) 1, Map.of());
        assertError(ErrorCode.INVALID_TOPIC_EXCEPTION, () -> validate(store, "bad name", 1, 1, Map.of()));
        assertError(ErrorCode.INVALID_TOPIC_EXCEPTION, () -> validate(store, "", 1, 1, Map.of()));
        assertError(ErrorCode.INVALID_TOPIC_EXCEPTION, () -> validate(store, ".", 1, 1, Map.of()));
        assertError(ErrorCode.INVALID_TOPIC_EXCEPTION, () -> validate(store, "..", 1, 1, Map.of()));
        assertError(ErrorCode.INVALID_TOPIC_EXCEPTION, () -> validate(store, "x".repeat(250), 1, 1, Map.of()));
        assertError(ErrorCode.INVALID_TOPIC_EXCEPTION, () -> validate(store, "a_b", 1, 1, Map.of()));
        assertError(ErrorCode.TOPIC_ALREADY_EXISTS, () -> validate(store, "a.b", 1, 1, Map.of()));
        assertError(ErrorCode.INVALID_PARTITIONS, () -> validate(store, "t", 0, 1, Map.of()));
        assertError(ErrorCode.INVALID_REPLICATION_FACTOR, () -> validate(store, "t", 1, 3, Map.of()));
        assertError(ErrorCode.INVALID_REPLICATION_FACTOR, () -> validate(store, "t", 1, 0, Map.of()));
        StrataException unknown = assertError(ErrorCode.INVALID_CONFIG,
                () -> validate(store, "t", 1, 1, Map.of("no.such.config", "1")));
        assertTrue(unknown.getMessage().contains("no.such.config"), unknown.getMessage());
        StrataException bad = assertError(ErrorCode.INVALID_CONFIG,
                () -> validate(store, "t", 1, 1, Map.of("segment.bytes", "lots")));
        assertTrue(bad.getMessage().contains("segment.bytes"), bad.getMessage());
        assertError(ErrorCode.INVALID_CONFIG, () -> validate(store, "t", 1, 1, Map.of("cleanup.policy", "shred")));
        assertEquals(Map.of("message.timestamp.type", "LogAppendTime"),
                validate(store, "t", 1, 1, Map.of("message.timestamp.type", "logappendtime")).configs(),
                "configs are normalised before the store records them");
    }

    @Test
    void manualAssignmentsAreCheckedAsKafkaDoes() {
        assertAssignmentRefused(List.of(List.of(3), List.of(4)), ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                "The manual partition assignment includes broker 4, but no such broker is registered.");
        assertAssignmentRefused(List.of(List.of(3, 3)), ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                "The manual partition assignment includes the broker 3 more than once.");
        assertAssignmentRefused(List.of(List.of()), ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                "The manual partition assignment includes an empty replica list.");
        assertAssignmentRefused(List.of(), ErrorCode.INVALID_PARTITIONS, "Number of partitions must be larger than 0: 0");
        assertEquals(1, TopicValidation.validateAssignment(List.of(List.of(3), List.of(3)), Set.of(3)));
        // Sizes are compared after the brokers: with one broker a second replica is already an unknown broker.
        StrataException inconsistent = assertThrows(StrataException.class,
                () -> TopicValidation.validateAssignment(List.of(List.of(1), List.of(1, 2)), Set.of(1, 2)));
        assertEquals("The manual partition assignment includes a partition with 2 replica(s), but this is not"
                + " consistent with previous partitions, which have 1 replica(s).", inconsistent.getMessage());
    }

    private static TopicMetadata validate(LocalMetadataStore store, String name, int partitions, int rf,
                                          Map<String, String> cfg) {
        return TopicValidation.validateNewTopic(store, name, partitions, (short) rf, cfg, store.liveBrokers().size());
    }

    private static void assertAssignmentRefused(List<List<Integer>> assignment, ErrorCode error, String message) {
        StrataException e = assertThrows(StrataException.class,
                () -> TopicValidation.validateAssignment(assignment, Set.of(3)));
        assertEquals(error, e.error(), String.valueOf(assignment));
        assertEquals(message, e.getMessage());
    }

    private static StrataException assertError(ErrorCode expected, Runnable call) {
        StrataException e = assertThrows(StrataException.class, call::run);
        assertEquals(expected, e.error(), e.getMessage());
        return e;
    }
}
