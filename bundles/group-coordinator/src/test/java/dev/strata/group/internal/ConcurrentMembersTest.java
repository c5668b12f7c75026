package dev.strata.group.internal;

import static dev.strata.group.internal.GroupTestSupport.await;
import static dev.strata.group.internal.GroupTestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.GroupState;
import dev.strata.api.group.JoinGroupResult;
import dev.strata.api.group.LeaveGroupMember;
import dev.strata.api.group.OffsetAndMetadata;
import dev.strata.api.group.OffsetCommitRequest;
import dev.strata.api.group.SyncGroupRequest;
import dev.strata.api.group.SyncGroupResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many members acting at once from many threads: one generation, everyone synced, commits kept, all leave. */
class ConcurrentMembersTest {
    private static final int MEMBERS = 12;

    @TempDir
    Path dir;

    @Test
    void concurrentJoinSyncCommitAndLeave() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(MEMBERS);
        try (RealBroker broker = new RealBroker(dir)) {
            broker.createTopic("c", MEMBERS);
            GroupCoordinatorService c = new GroupCoordinatorService(broker.broker(), GroupTestSupport.settings());
            c.start();
            c.awaitLoaded(10_000);

            // Everyone asks for a member id at once, then joins at once; the rebalance waits for every handed-out id.
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < MEMBERS; i++) {
                ids.add(pool.submit(() -> await(c.joinGroup(join("busy", "", "c"))).memberId()));
            }
            List<String> memberIds = new ArrayList<>();
            for (Future<String> f : ids) {
                memberIds.add(f.get());
            }
            List<Future<JoinGroupResult>> joins = new ArrayList<>();
            for (String id : memberIds) {
                joins.add(pool.submit(() -> await(c.joinGroup(join("busy", id, "c")))));
            }
            List<JoinGroupResult> results = new ArrayList<>();
            for (Future<JoinGroupResult> f : joins) {
                results.add(f.get());
            }
            Set<Integer> generations = new HashSet<>();
            results.forEach(r -> generations.add(r.generationId()));
            assertEquals(1, generations.size(), "one generation for all: " + generations);
            String leader = results.get(0).leader();
            Map<String, byte[]> assignment = new HashMap<>();
            for (int i = 0; i < MEMBERS; i++) {
                assignment.put(results.get(i).memberId(), new byte[] {(byte) i});
            }

            int generation = results.get(0).generationId();
            List<CompletableFuture<SyncGroupResult>> syncs = new ArrayList<>();
            for (JoinGroupResult r : results) {
                syncs.add(CompletableFuture.supplyAsync(() -> c.syncGroup(new SyncGroupRequest("busy", generation,
                        r.memberId(), null, "consumer", "range",
                        r.memberId().equals(leader) ? assignment : Map.of())), pool).thenCompose(f -> f));
            }
            for (int i = 0; i < MEMBERS; i++) {
                SyncGroupResult s = await(syncs.get(i));
                assertEquals(ErrorCode.NONE, s.error());
                assertEquals(i, s.assignment()[0]);
            }

            // Each member commits its partition many times, concurrently with heartbeats.
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < MEMBERS; i++) {
                int index = i;
                String id = results.get(i).memberId();
                work.add(pool.submit(() -> {
                    for (int n = 1; n <= 20; n++) {
                        assertEquals(ErrorCode.NONE, c.heartbeat("busy", generation, id, null));
                        var r = await(c.commitOffsets(new OffsetCommitRequest("busy", generation, id, null,
                                Map.of(new TopicPartition("c", index), new OffsetAndMetadata(n, -1, "")))));
                        assertEquals(ErrorCode.NONE, r.errors().get(new TopicPartition("c", index)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
            var offsets = c.fetchOffsets("busy", null, false).offsets();
            assertEquals(MEMBERS, offsets.size());
            offsets.values().forEach(o -> assertEquals(20, o.offset()));

            // All leave at once: the group ends Empty in the next generation.
            List<Future<?>> leaves = new ArrayList<>();
            for (JoinGroupResult r : results) {
                leaves.add(pool.submit(() -> c.leaveGroup("busy", List.of(new LeaveGroupMember(r.memberId(), null,
                        null)))));
            }
            for (Future<?> f : leaves) {
                f.get();
            }
            assertEquals(GroupState.EMPTY, c.describeGroups(List.of("busy")).get(0).state());
            c.close();
        } finally {
            pool.shutdownNow();
        }
    }
}
