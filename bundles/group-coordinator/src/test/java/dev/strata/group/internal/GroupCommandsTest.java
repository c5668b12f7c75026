package dev.strata.group.internal;

import static dev.strata.group.internal.GroupTestSupport.await;
import static dev.strata.group.internal.GroupTestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.ProduceResult;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.JoinGroupResult;
import dev.strata.api.group.OffsetAndMetadata;
import dev.strata.api.group.OffsetCommitRequest;
import dev.strata.record.RecordBatchBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Gogo commands' text, against a real broker with real records. */
class GroupCommandsTest {
    @TempDir
    Path dir;
    private RealBroker broker;
    private GroupCoordinatorService coordinator;
    private GroupCommands commands;

    @BeforeEach
    void start() throws Exception {
        broker = new RealBroker(dir);
        broker.createTopic("clicks", 2);
        coordinator = new GroupCoordinatorService(broker.broker(), GroupTestSupport.settings());
        coordinator.start();
        coordinator.awaitLoaded(10_000);
        commands = new GroupCommands(coordinator, broker.broker());
        // 10 records in partition 0 (timestamps 1000..1009), 4 in partition 1.
        produce(0, 10);
        produce(1, 4);
    }

    @AfterEach
    void stop() throws Exception {
        coordinator.close();
        broker.close();
    }

    private void produce(int partition, int count) throws Exception {
        RecordBatchBuilder b = new RecordBatchBuilder();
        for (int i = 0; i < count; i++) {
            b.add(1000 + i, null, new byte[] {(byte) i});
        }
        ProduceResult r = await(broker.broker().produce(new TopicPartition("clicks", partition), b.build(),
                (short) 1, 1000, OffsetsTopic.CONTEXT));
        assertEquals(ErrorCode.NONE, r.error(), r.message());
    }

    private static String row(String text, String start) {
        return text.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow(
                () -> new AssertionError("No line starting with '" + start + "' in:\n" + text));
    }

    @Test
    void groupShowsCommittedOffsetLogEndAndLag() throws Exception {
        await(coordinator.commitOffsets(new OffsetCommitRequest("readers", -1, "", null,
                Map.of(new TopicPartition("clicks", 0), new OffsetAndMetadata(7, -1, "")))));
        String out = commands.group("readers");
        assertTrue(out.startsWith("Group readers: Empty"), out);
        assertEquals(List.of("clicks", "0", "7", "10", "3"), List.of(row(out, "clicks").trim().split("\\s+")));

        String groups = commands.groups();
        assertEquals(List.of("readers", "Empty", "-", "0"), List.of(row(groups, "readers").split("\\s+")));
        assertTrue(commands.group("nobody").contains("GROUP_ID_NOT_FOUND"));
    }

    @Test
    void resetOffsetsToEarliestLatestOffsetAndTime() throws Exception {
        TopicPartition p0 = new TopicPartition("clicks", 0);
        TopicPartition p1 = new TopicPartition("clicks", 1);
        String out = commands.resetoffsets("r", "clicks", "latest");
        assertTrue(out.contains(" OK"), out);
        assertEquals(10, coordinator.fetchOffsets("r", List.of(p0), false).offsets().get(p0).offset());
        assertEquals(4, coordinator.fetchOffsets("r", List.of(p1), false).offsets().get(p1).offset());

        commands.resetoffsets("r", "clicks", "earliest");
        assertEquals(0, coordinator.fetchOffsets("r", List.of(p0), false).offsets().get(p0).offset());

        commands.resetoffsets("r", "clicks", "6");
        assertEquals(6, coordinator.fetchOffsets("r", List.of(p0), false).offsets().get(p0).offset());
        assertEquals(4, coordinator.fetchOffsets("r", List.of(p1), false).offsets().get(p1).offset(),
                "an offset beyond the log end is clamped to it");

        commands.resetoffsets("r", "clicks", "ts:1003");
        assertEquals(3, coordinator.fetchOffsets("r", List.of(p0), false).offsets().get(p0).offset());
        assertEquals(3, coordinator.fetchOffsets("r", List.of(p1), false).offsets().get(p1).offset());

        assertTrue(commands.resetoffsets("r", "clicks", "yesterday").startsWith("Expected"));
        assertTrue(commands.resetoffsets("r", "nope", "latest").startsWith("Unknown topic"));
    }

    @Test
    void resetIsRefusedWhileTheGroupHasMembers() throws Exception {
        JoinGroupResult first = await(coordinator.joinGroup(join("busy", "", "clicks")));
        await(coordinator.joinGroup(join("busy", first.memberId(), "clicks")));
        String out = commands.resetoffsets("busy", "clicks", "earliest");
        assertTrue(out.contains("stop its consumers first"), out);
        String described = commands.group("busy");
        assertTrue(described.contains(first.memberId()), described);
    }

    @Test
    void membersAreListedWithTheirAssignedPartitions() {
        for (short version = 0; version <= 3; version++) { // the consumer protocol's assignment versions
            java.nio.ByteBuffer encoded = org.apache.kafka.clients.consumer.internals.ConsumerProtocol
                    .serializeAssignment(new org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Assignment(
                            List.of(new org.apache.kafka.common.TopicPartition("clicks", 0),
                                    new org.apache.kafka.common.TopicPartition("clicks", 2))), version);
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            assertEquals("clicks-0,clicks-2", GroupCommands.assignedPartitions(bytes), "version " + version);
        }
        assertEquals("-", GroupCommands.assignedPartitions(new byte[0]));
        assertEquals("-", GroupCommands.assignedPartitions(new byte[] {0, 0, 127, 127, 127, 127, 0}));
    }
}
