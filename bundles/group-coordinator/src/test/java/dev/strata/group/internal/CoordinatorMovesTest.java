package dev.strata.group.internal;

import static dev.strata.group.internal.GroupTestSupport.await;
import static dev.strata.group.internal.GroupTestSupport.join;
import static dev.strata.group.internal.GroupTestSupport.joinTwice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.Broker;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.FindCoordinatorResult;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.api.group.JoinGroupResult;
import dev.strata.api.group.OffsetAndMetadata;
import dev.strata.api.group.OffsetCommitRequest;
import dev.strata.api.group.SyncGroupRequest;
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.PartitionState;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator follows the leadership of the {@code __consumer_offsets} partitions: it unloads the groups of a
 * partition it stops leading (NOT_COORDINATOR, pending joins answered), FindCoordinator names the new leader, and it
 * loads them again, committed offsets included, when the leadership comes back. The real broker stores the records;
 * the cluster's view of who leads each offsets partition is a stand-in over its metadata store.
 */
class CoordinatorMovesTest {
    private static final int OTHER = 2;

    @TempDir
    Path dir;

    /** The broker's metadata with offsets partitions' leadership set by the test, told to the listeners. */
    private static final class Leadership {
        final Map<TopicPartition, PartitionState> states = new ConcurrentHashMap<>();
        final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
        final MetadataStore store;
        final Broker broker;

        Leadership(Broker real) {
            MetadataStore inner = real.metadata();
            store = (MetadataStore) Proxy.newProxyInstance(MetadataStore.class.getClassLoader(),
                    new Class<?>[] {MetadataStore.class}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "partitionState" -> {
                                PartitionState s = states.get((TopicPartition) args[0]);
                                if (s != null) {
                                    return Optional.of(s);
                                }
                            }
                            case "liveBrokers" -> {
                                List<BrokerInfo> all = new ArrayList<>(inner.liveBrokers());
                                all.add(new BrokerInfo(OTHER, "10.0.0.2", 9093, null));
                                return all;
                            }
                            case "addListener" -> listeners.add((MetadataListener) args[0]);
                            case "removeListener" -> listeners.remove((MetadataListener) args[0]);
                            default -> {
                            }
                        }
                        return call(method, inner, args);
                    });
            broker = (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(), new Class<?>[] {Broker.class},
                    (proxy, method, args) -> method.getName().equals("metadata") ? store : call(method, real, args));
        }

        void lead(int partition, int leader, int epoch) {
            PartitionState s = new PartitionState(new TopicPartition(GroupCoordinator.OFFSETS_TOPIC, partition),
                    leader, epoch, List.of(0, OTHER), List.of(leader));
            states.put(s.tp(), s);
            listeners.forEach(l -> l.partitionStatesChanged(List.of(s)));
        }

        private static Object call(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /** A group id that lands on {@code partition} of the test's 4 offsets partitions. */
    private static String groupOn(int partition, String prefix) {
        for (int i = 0; ; i++) {
            if (Groups.partitionFor(prefix + i, 4) == partition) {
                return prefix + i;
            }
        }
    }

    @Test
    void groupsUnloadWhenLeadershipMovesAndLoadWithTheirOffsetsWhenItReturns() throws Exception {
        String moving = groupOn(1, "moving-");
        String waiting = groupOn(1, "waiting-");
        String staying = groupOn(2, "staying-");
        TopicPartition tp = new TopicPartition("events", 0);
        try (RealBroker real = new RealBroker(dir)) {
            real.createTopic("events", 1);
            Leadership cluster = new Leadership(real.broker());
            GroupCoordinatorService c = new GroupCoordinatorService(cluster.broker, GroupTestSupport.settings());
            c.start();
            c.awaitLoaded(10_000);
            assertTrue(c.coordinates(1) && c.coordinates(2));

            await(c.commitOffsets(new OffsetCommitRequest(moving, -1, "", null,
                    Map.of(tp, new OffsetAndMetadata(17, 3, "m")))));
            await(c.commitOffsets(new OffsetCommitRequest(staying, -1, "", null,
                    Map.of(tp, new OffsetAndMetadata(5, -1, "")))));
            // A group mid-rebalance: the second member's join waits for the first to rejoin.
            JoinGroupResult leader = await(joinTwice(c, waiting, "events"));
            await(c.syncGroup(new SyncGroupRequest(waiting, leader.generationId(), leader.memberId(), null, null,
                    null, Map.of())));
            CompletableFuture<JoinGroupResult> pending = joinTwice(c, waiting, "events");
            assertFalse(pending.isDone());

            cluster.lead(1, OTHER, 1);
            GroupTestSupport.waitUntil("partition 1 unloaded", () -> !c.coordinates(1));
            assertEquals(ErrorCode.NOT_COORDINATOR, await(pending).error());
            assertEquals(ErrorCode.NOT_COORDINATOR, c.fetchOffsets(moving, List.of(tp), false).error());
            assertEquals(ErrorCode.NOT_COORDINATOR, await(c.joinGroup(join(moving, "", "events"))).error());
            assertEquals(ErrorCode.NOT_COORDINATOR, c.heartbeat(waiting, leader.generationId(), leader.memberId(),
                    null));
            assertEquals(ErrorCode.NOT_COORDINATOR, await(c.commitOffsets(new OffsetCommitRequest(moving, -1, "",
                    null, Map.of(tp, new OffsetAndMetadata(99, -1, ""))))).errors().get(tp));
            assertEquals(ErrorCode.NOT_COORDINATOR, c.describeGroups(List.of(moving)).get(0).error());
            assertEquals(ErrorCode.NOT_COORDINATOR, await(c.deleteGroups(List.of(moving, staying))).get(moving));
            assertTrue(c.listGroups(null).stream().noneMatch(g -> g.groupId().equals(waiting)));
            FindCoordinatorResult found = c.findCoordinator(moving);
            assertEquals(ErrorCode.NONE, found.error());
            assertEquals(OTHER, found.coordinator().id());
            assertEquals(1, found.partition());
            // The partition still led here goes on.
            assertEquals(ErrorCode.NONE, c.fetchOffsets(staying, List.of(tp), false).error());
            assertNotEquals(OTHER, c.findCoordinator(staying).coordinator().id());

            cluster.lead(1, 0, 2);
            GroupTestSupport.waitUntil("partition 1 loaded again", () -> c.coordinates(1));
            var offset = c.fetchOffsets(moving, List.of(tp), false).offsets().get(tp);
            assertEquals(17, offset.offset(), "the committed offset comes back from the log");
            assertEquals(3, offset.leaderEpoch());
            assertEquals("m", offset.metadata());
            assertEquals(leader.generationId(), c.describeGroups(List.of(waiting)).get(0).generationId());
            c.close();
        }
    }
}
