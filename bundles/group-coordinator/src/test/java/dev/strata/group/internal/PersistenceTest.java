package dev.strata.group.internal;

import static dev.strata.group.internal.GroupTestSupport.await;
import static dev.strata.group.internal.GroupTestSupport.join;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.api.group.GroupDescription;
import dev.strata.api.group.GroupState;
import dev.strata.api.group.JoinGroupResult;
import dev.strata.api.group.OffsetAndMetadata;
import dev.strata.api.group.OffsetCommitRequest;
import dev.strata.api.group.OffsetFetchResult;
import dev.strata.api.group.SyncGroupRequest;
import dev.strata.api.group.SyncGroupResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offsets and group metadata survive a restart of the coordinator and of the broker under it. */
class PersistenceTest {
    @TempDir
    Path dir;

    private static GroupCoordinatorService startCoordinator(RealBroker broker) throws Exception {
        GroupCoordinatorService c = new GroupCoordinatorService(broker.broker(), GroupTestSupport.settings());
        c.start();
        c.awaitLoaded(10_000);
        return c;
    }

    @Test
    void offsetsGenerationAndMembersSurviveARestart() throws Exception {
        TopicPartition p0 = new TopicPartition("events", 0);
        TopicPartition p1 = new TopicPartition("events", 1);
        String memberId;
        try (RealBroker broker = new RealBroker(dir)) {
            broker.createTopic("events", 2);
            GroupCoordinatorService c = startCoordinator(broker);
            assertTrue(broker.broker().metadata().topic(GroupCoordinator.OFFSETS_TOPIC).isPresent());
            assertEquals("compact", broker.broker().metadata().topic(GroupCoordinator.OFFSETS_TOPIC).get().configs()
                    .get("cleanup.policy"));

            // Group "live": one member, generation 1, stable, with an assignment and a commit.
            JoinGroupResult first = await(c.joinGroup(join("live", "", "events")));
            JoinGroupResult joined = await(c.joinGroup(join("live", first.memberId(), "events")));
            memberId = joined.memberId();
            await(c.syncGroup(new SyncGroupRequest("live", 1, memberId, null, null, null,
                    Map.of(memberId, new byte[] {1, 2, 3}))));
            await(c.commitOffsets(new OffsetCommitRequest("live", 1, memberId, null,
                    Map.of(p0, new OffsetAndMetadata(10, 4, "first")))));
            await(c.commitOffsets(new OffsetCommitRequest("live", 1, memberId, null,
                    Map.of(p0, new OffsetAndMetadata(42, 5, "second"), p1, new OffsetAndMetadata(7, -1, "")))));

            // Group "simple": offsets only; group "gone": deleted, must stay deleted.
            await(c.commitOffsets(new OffsetCommitRequest("simple", -1, "", null,
                    Map.of(p1, new OffsetAndMetadata(3, -1, "s")))));
            await(c.commitOffsets(new OffsetCommitRequest("gone", -1, "", null,
                    Map.of(p1, new OffsetAndMetadata(99, -1, "")))));
            assertEquals(ErrorCode.NONE, await(c.deleteGroups(List.of("gone"))).get("gone"));
            c.close();

            // Coordinator restart on the same broker.
            c = startCoordinator(broker);
            assertLive(c, memberId, p0, p1);
            c.close();
        }
        // Broker restart too: everything comes back from the log files.
        try (RealBroker broker = new RealBroker(dir)) {
            GroupCoordinatorService c = startCoordinator(broker);
            assertLive(c, memberId, p0, p1);
            assertEquals(3, c.fetchOffsets("simple", List.of(p1), false).offsets().get(p1).offset());
            assertEquals(GroupState.DEAD, c.describeGroups(List.of("gone")).get(0).state());
            assertEquals(-1, c.fetchOffsets("gone", List.of(p1), false).offsets().get(p1).offset());
            // The restored member carries on in its generation.
            assertEquals(ErrorCode.NONE, c.heartbeat("live", 1, memberId, null));
            SyncGroupResult sync = await(c.syncGroup(new SyncGroupRequest("live", 1, memberId, null, null, null,
                    Map.of())));
            assertArrayEquals(new byte[] {1, 2, 3}, sync.assignment());
            c.close();
        }
    }

    @Test
    void offsetsOfADeletedTopicAreRemovedForGood() throws Exception {
        TopicPartition gone = new TopicPartition("doomed", 0);
        TopicPartition kept = new TopicPartition("kept", 0);
        try (RealBroker broker = new RealBroker(dir)) {
            broker.createTopic("doomed", 1);
            broker.createTopic("kept", 1);
            GroupCoordinatorService first = startCoordinator(broker);
            await(first.commitOffsets(new OffsetCommitRequest("g", -1, "", null,
                    Map.of(gone, new OffsetAndMetadata(8, -1, ""), kept, new OffsetAndMetadata(9, -1, "")))));
            assertEquals(ErrorCode.NONE, broker.broker().deleteTopic("doomed", OffsetsTopic.CONTEXT));
            GroupTestSupport.waitUntil("the deleted topic's offset is gone",
                    () -> first.fetchOffsets("g", null, false).offsets().size() == 1);
            first.close();
            // Recreated under the same name, the topic does not inherit the old offsets, also after a restart.
            broker.createTopic("doomed", 1);
            GroupCoordinatorService c = startCoordinator(broker);
            assertEquals(-1, c.fetchOffsets("g", List.of(gone), false).offsets().get(gone).offset());
            assertEquals(9, c.fetchOffsets("g", List.of(kept), false).offsets().get(kept).offset());
            c.close();
        }
    }

    private static void assertLive(GroupCoordinatorService c, String memberId, TopicPartition p0,
                                   TopicPartition p1) {
        OffsetFetchResult offsets = c.fetchOffsets("live", null, false);
        assertEquals(2, offsets.offsets().size());
        assertEquals(42, offsets.offsets().get(p0).offset());
        assertEquals(5, offsets.offsets().get(p0).leaderEpoch());
        assertEquals("second", offsets.offsets().get(p0).metadata());
        assertEquals(7, offsets.offsets().get(p1).offset());
        GroupDescription d = c.describeGroups(List.of("live")).get(0);
        assertEquals(GroupState.STABLE, d.state());
        assertEquals(1, d.generationId());
        assertEquals("range", d.protocolName());
        assertEquals(memberId, d.leader());
        assertEquals(1, d.members().size());
        assertEquals(memberId, d.members().get(0).memberId());
    }
}
