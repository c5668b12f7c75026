package dev.strata.group.internal;

import static dev.strata.group.internal.GroupTestSupport.SESSION_MS;
import static dev.strata.group.internal.GroupTestSupport.await;
import static dev.strata.group.internal.GroupTestSupport.join;
import static dev.strata.group.internal.GroupTestSupport.joinTwice;
import static dev.strata.group.internal.GroupTestSupport.waitUntil;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.GroupDescription;
import dev.strata.api.group.GroupProtocol;
import dev.strata.api.group.GroupState;
import dev.strata.api.group.JoinGroupRequest;
import dev.strata.api.group.JoinGroupResult;
import dev.strata.api.group.LeaveGroupMember;
import dev.strata.api.group.LeaveGroupResult;
import dev.strata.api.group.OffsetAndMetadata;
import dev.strata.api.group.OffsetCommitRequest;
import dev.strata.api.group.OffsetCommitResult;
import dev.strata.api.group.SyncGroupRequest;
import dev.strata.api.group.SyncGroupResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The classic group state machine driven through the coordinator, on a real broker and log. */
class ClassicGroupProtocolTest {
    @TempDir
    Path dir;
    private RealBroker broker;
    private GroupCoordinatorService coordinator;

    @BeforeEach
    void start() throws Exception {
        broker = new RealBroker(dir);
        broker.createTopic("orders", 3);
        coordinator = new GroupCoordinatorService(broker.broker(), GroupTestSupport.settings());
        coordinator.start();
        coordinator.awaitLoaded(10_000);
    }

    @AfterEach
    void stop() throws Exception {
        coordinator.close();
        broker.close();
    }

    private GroupDescription describe(String group) {
        return coordinator.describeGroups(List.of(group)).get(0);
    }

    /** Three members join and sync; returns their join results (index 0 is the leader's). */
    private List<JoinGroupResult> formGroup(String group, int members) throws Exception {
        // KIP-394: every member gets its id first; the rebalance then waits for all handed-out ids to join.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            JoinGroupResult first = await(coordinator.joinGroup(join(group, "", "orders")));
            assertEquals(ErrorCode.MEMBER_ID_REQUIRED, first.error());
            ids.add(first.memberId());
        }
        List<CompletableFuture<JoinGroupResult>> joins = new ArrayList<>();
        for (String id : ids) {
            joins.add(coordinator.joinGroup(join(group, id, "orders")));
        }
        List<JoinGroupResult> results = new ArrayList<>();
        for (CompletableFuture<JoinGroupResult> f : joins) {
            results.add(await(f));
        }
        results.sort((a, b) -> a.memberId().equals(a.leader()) ? -1 : b.memberId().equals(b.leader()) ? 1 : 0);
        syncAll(group, results);
        return results;
    }

    private void syncAll(String group, List<JoinGroupResult> results) throws Exception {
        JoinGroupResult leader = results.get(0);
        List<CompletableFuture<SyncGroupResult>> followers = new ArrayList<>();
        for (JoinGroupResult r : results.subList(1, results.size())) {
            followers.add(coordinator.syncGroup(new SyncGroupRequest(group, r.generationId(), r.memberId(), null,
                    "consumer", "range", Map.of())));
        }
        Map<String, byte[]> assignment = new HashMap<>();
        for (JoinGroupResult r : results) {
            assignment.put(r.memberId(), ("for-" + r.memberId()).getBytes(StandardCharsets.UTF_8));
        }
        SyncGroupResult leaderSync = await(coordinator.syncGroup(new SyncGroupRequest(group, leader.generationId(),
                leader.memberId(), null, "consumer", "range", assignment)));
        assertEquals(ErrorCode.NONE, leaderSync.error());
        for (int i = 0; i < followers.size(); i++) {
            SyncGroupResult s = await(followers.get(i));
            assertEquals(ErrorCode.NONE, s.error());
            assertArrayEquals(assignment.get(results.get(i + 1).memberId()), s.assignment());
        }
    }

    @Test
    void threeMembersJoinAndSyncThenAFourthTriggersARebalance() throws Exception {
        List<JoinGroupResult> members = formGroup("g", 3);
        JoinGroupResult leader = members.get(0);
        assertEquals(1, leader.generationId());
        assertEquals("range", leader.protocolName());
        assertEquals(3, leader.members().size(), "the leader sees every member's subscription");
        assertTrue(members.get(1).members().isEmpty(), "followers see no members");
        for (JoinGroupResult r : members) {
            assertEquals(leader.leader(), r.leader());
            assertEquals(1, r.generationId());
        }
        assertEquals(GroupState.STABLE, describe("g").state());
        assertEquals(ErrorCode.NONE, coordinator.heartbeat("g", 1, members.get(1).memberId(), null));

        // A fourth member: the group prepares a rebalance; the others learn of it by heartbeat and rejoin.
        CompletableFuture<JoinGroupResult> fourth = joinTwice(coordinator, "g", "orders");
        assertEquals(GroupState.PREPARING_REBALANCE, describe("g").state());
        assertFalse(fourth.isDone(), "the join waits for the other members");
        List<CompletableFuture<JoinGroupResult>> rejoins = new ArrayList<>();
        for (JoinGroupResult r : members) {
            assertEquals(ErrorCode.REBALANCE_IN_PROGRESS, coordinator.heartbeat("g", 1, r.memberId(), null));
            rejoins.add(coordinator.joinGroup(join("g", r.memberId(), "orders")));
        }
        List<JoinGroupResult> second = new ArrayList<>();
        second.add(await(fourth));
        for (CompletableFuture<JoinGroupResult> f : rejoins) {
            second.add(await(f));
        }
        for (JoinGroupResult r : second) {
            assertEquals(ErrorCode.NONE, r.error());
            assertEquals(2, r.generationId());
        }
        assertEquals(GroupState.COMPLETING_REBALANCE, describe("g").state());
        // The old generation is stale now.
        assertEquals(ErrorCode.ILLEGAL_GENERATION, coordinator.heartbeat("g", 1, members.get(1).memberId(), null));
        second.sort((a, b) -> a.memberId().equals(a.leader()) ? -1 : b.memberId().equals(b.leader()) ? 1 : 0);
        assertEquals(4, second.get(0).members().size());
        syncAll("g", second);
        assertEquals(GroupState.STABLE, describe("g").state());
        assertEquals(4, describe("g").members().size());
    }

    @Test
    void aMemberThatStopsHeartbeatingIsRemovedAndTheRestRebalance() throws Exception {
        JoinGroupResult a0 = await(coordinator.joinGroup(join("s", "", null, SESSION_MS, "orders")));
        assertEquals(ErrorCode.MEMBER_ID_REQUIRED, a0.error());
        JoinGroupResult b0 = await(coordinator.joinGroup(join("s", "", null, 300, "orders")));
        CompletableFuture<JoinGroupResult> a = coordinator.joinGroup(join("s", a0.memberId(), null, SESSION_MS,
                "orders"));
        CompletableFuture<JoinGroupResult> b = coordinator.joinGroup(join("s", b0.memberId(), null, 300, "orders"));
        List<JoinGroupResult> results = new ArrayList<>(List.of(await(a), await(b)));
        results.sort((x, y) -> x.memberId().equals(x.leader()) ? -1 : 1);
        syncAll("s", results);
        assertEquals(GroupState.STABLE, describe("s").state());

        // b (300 ms session) goes silent; a keeps heartbeating until the group notices.
        waitUntil("the silent member is dropped", () -> {
            ErrorCode e = coordinator.heartbeat("s", 1, a0.memberId(), null);
            return e == ErrorCode.REBALANCE_IN_PROGRESS;
        });
        JoinGroupResult rejoin = await(coordinator.joinGroup(join("s", a0.memberId(), null, SESSION_MS,
                "orders")));
        assertEquals(ErrorCode.NONE, rejoin.error());
        assertEquals(2, rejoin.generationId());
        assertEquals(a0.memberId(), rejoin.leader());
        assertEquals(1, rejoin.members().size());
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, coordinator.heartbeat("s", 2, b0.memberId(), null));
    }

    @Test
    void aStaticMemberRejoiningTakesOverWithoutRebalanceAndFencesItsOldId() throws Exception {
        // Static members get their id on the first join (no MEMBER_ID_REQUIRED round), so the group relies on the
        // initial rebalance delay to collect both before the first generation.
        coordinator.close();
        coordinator = new GroupCoordinatorService(broker.broker(),
                GroupTestSupport.settings().withInitialRebalanceDelayMs(300));
        coordinator.start();
        coordinator.awaitLoaded(10_000);
        JoinGroupRequest leaderJoin = join("st", "", "leader-instance", SESSION_MS, "orders");
        JoinGroupRequest followerJoin = join("st", "", "follower-instance", SESSION_MS, "orders");
        CompletableFuture<JoinGroupResult> l = coordinator.joinGroup(leaderJoin);
        CompletableFuture<JoinGroupResult> f = coordinator.joinGroup(followerJoin);
        List<JoinGroupResult> results = new ArrayList<>(List.of(await(l), await(f)));
        results.sort((x, y) -> x.memberId().equals(x.leader()) ? -1 : 1);
        syncAll("st", results);
        JoinGroupResult follower = results.get(1);

        // The follower restarts: same instance id, no member id.
        JoinGroupResult again = await(coordinator.joinGroup(join("st", "", "follower-instance", SESSION_MS,
                "orders")));
        assertEquals(ErrorCode.NONE, again.error());
        assertNotEquals(follower.memberId(), again.memberId());
        assertEquals(1, again.generationId(), "no rebalance for a static member coming back");
        assertEquals(GroupState.STABLE, describe("st").state());
        SyncGroupResult sync = await(coordinator.syncGroup(new SyncGroupRequest("st", 1, again.memberId(),
                "follower-instance", null, null, Map.of())));
        assertArrayEquals(("for-" + follower.memberId()).getBytes(StandardCharsets.UTF_8), sync.assignment(),
                "the assignment moves to the new member id");
        assertEquals(ErrorCode.FENCED_INSTANCE_ID,
                coordinator.heartbeat("st", 1, follower.memberId(), "follower-instance"));
        OffsetCommitResult fenced = await(coordinator.commitOffsets(new OffsetCommitRequest("st", 1,
                follower.memberId(), "follower-instance", Map.of(new TopicPartition("orders", 0),
                new OffsetAndMetadata(1, -1, "")))));
        assertEquals(ErrorCode.FENCED_INSTANCE_ID, fenced.errors().get(new TopicPartition("orders", 0)));

        // Leaving by instance id alone (as admin tools do) removes it and rebalances.
        LeaveGroupResult left = coordinator.leaveGroup("st", List.of(new LeaveGroupMember("", "follower-instance",
                "test")));
        assertEquals(ErrorCode.NONE, left.members().get(0).error());
        assertEquals(GroupState.PREPARING_REBALANCE, describe("st").state());
    }

    @Test
    void commitChecksGenerationMemberStateAndPartitions() throws Exception {
        TopicPartition p0 = new TopicPartition("orders", 0);
        TopicPartition missing = new TopicPartition("orders", 7);
        Map<TopicPartition, OffsetAndMetadata> one = Map.of(p0, new OffsetAndMetadata(5, 0, "m"));

        // Unknown group with a generation: a member of a group the coordinator does not know.
        assertEquals(ErrorCode.ILLEGAL_GENERATION, await(coordinator.commitOffsets(
                new OffsetCommitRequest("c", 3, "x", null, one))).errors().get(p0));

        List<JoinGroupResult> members = formGroup("c", 2);
        JoinGroupResult m = members.get(1);
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, await(coordinator.commitOffsets(
                new OffsetCommitRequest("c", 1, "nobody", null, one))).errors().get(p0));
        assertEquals(ErrorCode.ILLEGAL_GENERATION, await(coordinator.commitOffsets(
                new OffsetCommitRequest("c", 0, m.memberId(), null, one))).errors().get(p0));
        // A simple (generation -1) commit is refused while the group has members.
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, await(coordinator.commitOffsets(
                new OffsetCommitRequest("c", -1, "", null, one))).errors().get(p0));

        OffsetCommitResult mixed = await(coordinator.commitOffsets(new OffsetCommitRequest("c", 1, m.memberId(),
                null, Map.of(p0, new OffsetAndMetadata(5, 0, "m"), missing, new OffsetAndMetadata(1, -1, ""),
                new TopicPartition("orders", 1), new OffsetAndMetadata(9, -1, "x".repeat(101))))));
        assertEquals(ErrorCode.NONE, mixed.errors().get(p0));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, mixed.errors().get(missing));
        assertEquals(ErrorCode.OFFSET_METADATA_TOO_LARGE, mixed.errors().get(new TopicPartition("orders", 1)));
        var fetched = coordinator.fetchOffsets("c", List.of(p0, new TopicPartition("orders", 1)), false);
        assertEquals(5, fetched.offsets().get(p0).offset());
        assertEquals("m", fetched.offsets().get(p0).metadata());
        assertEquals(-1, fetched.offsets().get(new TopicPartition("orders", 1)).offset());

        // A new member starts a rebalance; once the join completes, commits wait for the sync.
        JoinGroupResult thirdId = await(coordinator.joinGroup(join("c", "", "orders")));
        CompletableFuture<JoinGroupResult> third = coordinator.joinGroup(join("c", thirdId.memberId(), "orders"));
        List<CompletableFuture<JoinGroupResult>> rejoins = new ArrayList<>();
        for (JoinGroupResult r : members) {
            rejoins.add(coordinator.joinGroup(join("c", r.memberId(), "orders")));
        }
        await(third);
        rejoins.forEach(CompletableFuture::join);
        assertEquals(GroupState.COMPLETING_REBALANCE, describe("c").state());
        assertEquals(ErrorCode.REBALANCE_IN_PROGRESS, await(coordinator.commitOffsets(
                new OffsetCommitRequest("c", 2, m.memberId(), null, one))).errors().get(p0));
    }

    @Test
    void joinValidation() throws Exception {
        assertEquals(ErrorCode.INVALID_SESSION_TIMEOUT,
                await(coordinator.joinGroup(join("v", "", null, 10, "orders"))).error());
        assertEquals(ErrorCode.INVALID_GROUP_ID, await(coordinator.joinGroup(join("", "", "orders"))).error());
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, await(coordinator.joinGroup(join("v", "ghost", "orders")))
                .error());
        await(joinTwice(coordinator, "v", "orders"));
        JoinGroupRequest otherProtocol = new JoinGroupRequest("v", "", null, "consumer",
                List.of(new GroupProtocol("sticky", new byte[0])), SESSION_MS, SESSION_MS, "c", "h", false, null);
        assertEquals(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, await(coordinator.joinGroup(otherProtocol)).error());
        JoinGroupRequest otherType = new JoinGroupRequest("v", "", null, "connect",
                List.of(new GroupProtocol("range", new byte[0])), SESSION_MS, SESSION_MS, "c", "h", false, null);
        assertEquals(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, await(coordinator.joinGroup(otherType)).error());
    }

    @Test
    void syncAndHeartbeatErrors() throws Exception {
        List<JoinGroupResult> members = formGroup("h", 2);
        String id = members.get(1).memberId();
        assertEquals(ErrorCode.ILLEGAL_GENERATION, coordinator.heartbeat("h", 7, id, null));
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, coordinator.heartbeat("h", 1, "ghost", null));
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, coordinator.heartbeat("nope", 1, id, null));
        assertEquals(ErrorCode.ILLEGAL_GENERATION, await(coordinator.syncGroup(new SyncGroupRequest("h", 0, id,
                null, null, null, Map.of()))).error());
        assertEquals(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, await(coordinator.syncGroup(new SyncGroupRequest("h",
                1, id, null, "consumer", "roundrobin", Map.of()))).error());
    }

    @Test
    void lastMemberLeavingEmptiesTheGroupWhichCanThenBeDeleted() throws Exception {
        List<JoinGroupResult> members = formGroup("d", 2);
        TopicPartition p0 = new TopicPartition("orders", 0);
        await(coordinator.commitOffsets(new OffsetCommitRequest("d", 1, members.get(0).memberId(), null,
                Map.of(p0, new OffsetAndMetadata(3, -1, "")))));
        assertEquals(ErrorCode.NON_EMPTY_GROUP, await(coordinator.deleteGroups(List.of("d"))).get("d"));
        // Members still subscribe to "orders": its offsets cannot be deleted.
        assertEquals(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC,
                await(coordinator.deleteOffsets("d", List.of(p0))).partitions().get(p0));

        LeaveGroupResult left = coordinator.leaveGroup("d", List.of(
                new LeaveGroupMember(members.get(0).memberId(), null, null),
                new LeaveGroupMember(members.get(1).memberId(), null, null),
                new LeaveGroupMember("ghost", null, null)));
        assertEquals(ErrorCode.NONE, left.members().get(0).error());
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, left.members().get(2).error());
        GroupDescription d = describe("d");
        assertEquals(GroupState.EMPTY, d.state());
        assertEquals(2, d.generationId(), "emptying the group starts a new generation");

        assertEquals(ErrorCode.NONE, await(coordinator.deleteOffsets("d", List.of(p0))).partitions().get(p0));
        assertEquals(-1, coordinator.fetchOffsets("d", List.of(p0), false).offsets().get(p0).offset());
        assertEquals(ErrorCode.NONE, await(coordinator.deleteGroups(List.of("d"))).get("d"));
        assertEquals(ErrorCode.GROUP_ID_NOT_FOUND, await(coordinator.deleteGroups(List.of("d"))).get("d"));
        assertEquals(GroupState.DEAD, describe("d").state());
        assertTrue(coordinator.listGroups(java.util.Set.of()).stream().noneMatch(g -> g.groupId().equals("d")));
    }

    @Test
    void aMemberThatDoesNotRejoinWithinTheRebalanceTimeoutIsDropped() throws Exception {
        JoinGroupResult a0 = await(coordinator.joinGroup(join("rt", "", "orders")));
        JoinGroupResult b0 = await(coordinator.joinGroup(join("rt", "", "orders")));
        JoinGroupRequest shortRebalance = new JoinGroupRequest("rt", a0.memberId(), null, "consumer",
                List.of(new GroupProtocol("range", GroupTestSupport.subscription("orders"))), SESSION_MS, 300,
                "client", "h", true, null);
        CompletableFuture<JoinGroupResult> a = coordinator.joinGroup(shortRebalance);
        CompletableFuture<JoinGroupResult> b = coordinator.joinGroup(new JoinGroupRequest("rt", b0.memberId(), null,
                "consumer", shortRebalance.protocols(), SESSION_MS, 300, "client", "h", true, null));
        List<JoinGroupResult> results = new ArrayList<>(List.of(await(a), await(b)));
        results.sort((x, y) -> x.memberId().equals(x.leader()) ? -1 : 1);
        syncAll("rt", results);

        // The leader rejoins (forcing a rebalance); the follower never does.
        CompletableFuture<JoinGroupResult> again = coordinator.joinGroup(new JoinGroupRequest("rt",
                results.get(0).memberId(), null, "consumer", shortRebalance.protocols(), SESSION_MS, 300, "client",
                "h", true, null));
        JoinGroupResult r = await(again);
        assertEquals(ErrorCode.NONE, r.error());
        assertEquals(2, r.generationId());
        assertEquals(1, r.members().size(), "the silent member was dropped after the 300 ms rebalance timeout");
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, coordinator.heartbeat("rt", 2, results.get(1).memberId(), null));
    }

    @Test
    void findCoordinatorNamesTheLeaderOfTheGroupsPartition() {
        var r = coordinator.findCoordinator("any-group");
        assertEquals(ErrorCode.NONE, r.error());
        assertEquals(0, r.coordinator().id());
        assertEquals(("any-group".hashCode() & 0x7fffffff) % 4, r.partition());
    }
}
