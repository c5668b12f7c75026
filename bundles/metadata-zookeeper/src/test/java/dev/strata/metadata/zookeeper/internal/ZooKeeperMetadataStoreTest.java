package dev.strata.metadata.zookeeper.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.ElectionType;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Brokers' stores against one real ZooKeeper server in this JVM. */
class ZooKeeperMetadataStoreTest {
    private static final long WAIT_MS = 20_000;

    @TempDir
    Path dir;
    private TestingServer server;
    private final List<ZooKeeperMetadataStore> stores = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        // A short tick, so sessions of a few seconds are allowed.
        server = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 100, -1),
                true);
    }

    @AfterEach
    void stopAll() throws IOException {
        for (ZooKeeperMetadataStore s : stores) {
            s.close();
        }
        server.close();
    }

    private ZooKeeperMetadataStore open(int id) throws IOException {
        return open(id, dir.resolve("broker-" + id));
    }

    private ZooKeeperMetadataStore open(int id, Path logDir) throws IOException {
        ZooKeeperMetadataStore s = openUnbound(id, logDir);
        s.endpoint("127.0.0.1", 9090 + id);
        return s;
    }

    /** A store whose listener is not bound yet (it has not registered). */
    private ZooKeeperMetadataStore openUnbound(int id, Path logDir) throws IOException {
        ZooKeeperMetadataStore s = new ZooKeeperMetadataStore(new ZooKeeperMetadataStore.Config(
                server.getConnectString() + "/strata", logDir, id, "rack-" + id, 3000, 2000,
                new ZkController.Settings(false, 300, 10, false)));
        stores.add(s);
        return s;
    }

    private void closeStore(ZooKeeperMetadataStore s) {
        stores.remove(s);
        s.close();
    }

    private static void waitUntil(String what, BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("Timed out waiting until " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static boolean allLed(ZooKeeperMetadataStore s, String topic, int partitions) {
        for (int p = 0; p < partitions; p++) {
            PartitionState st = s.partitionState(new TopicPartition(topic, p)).orElse(null);
            if (st == null || !st.online()) {
                return false;
            }
        }
        return true;
    }

    private static int leader(ZooKeeperMetadataStore s, TopicPartition tp) {
        return s.partitionState(tp).map(PartitionState::leader).orElse(-2);
    }

    /** Records the events a broker hears, in order. */
    static final class Recorder implements MetadataListener {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final List<PartitionState> states = Collections.synchronizedList(new ArrayList<>());

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
            events.add("configs " + topic.name() + " " + topic.configs());
        }

        @Override
        public void partitionsCreated(TopicMetadata topic, int previousCount) {
            events.add("partitions " + topic.name() + " " + previousCount + "->" + topic.partitionCount());
        }

        @Override
        public void brokerConfigsChanged(String entity) {
            events.add("broker configs '" + entity + "'");
        }

        @Override
        public void partitionStatesChanged(Collection<PartitionState> changed) {
            states.addAll(changed);
        }

        @Override
        public void clusterChanged() {
            events.add("cluster");
        }
    }

    @Test
    void brokersRegisterElectOneControllerAndAllSeeTopicsComeAndGo() throws Exception {
        ZooKeeperMetadataStore a = open(1);
        ZooKeeperMetadataStore b = open(2);
        ZooKeeperMetadataStore c = open(3);
        Recorder heardByC = new Recorder();
        c.addListener(heardByC);
        for (ZooKeeperMetadataStore s : List.of(a, b, c)) {
            waitUntil("every broker is registered", () -> s.liveBrokers().size() == 3);
            waitUntil("a controller is known", () -> s.controllerId() != -1);
        }
        assertEquals(new BrokerInfo(2, "127.0.0.1", 9092, "rack-2"),
                a.liveBrokers().stream().filter(x -> x.id() == 2).findFirst().orElseThrow());
        assertEquals(a.controllerId(), b.controllerId());
        assertEquals(a.controllerId(), c.controllerId());
        assertEquals(1, List.of(a, b, c).stream().filter(ZooKeeperMetadataStore::isController).count());
        assertEquals(a.clusterId(), c.clusterId());
        assertTrue(Files.readString(dir.resolve("broker-2/meta.properties")).contains("cluster.id=" + a.clusterId()));

        TopicMetadata t = a.createTopic("orders", 6, (short) 2, Map.of("retention.ms", "1000"));
        assertEquals(t, a.topic("orders").orElseThrow()); // the writer reads its own write
        for (ZooKeeperMetadataStore s : List.of(a, b, c)) {
            waitUntil("every broker sees the topic led", () -> allLed(s, "orders", 6));
            assertEquals(t, s.topic("orders").orElseThrow());
        }
        PartitionState p0 = c.partitionState(new TopicPartition("orders", 0)).orElseThrow();
        assertEquals(2, p0.replicas().size());
        assertEquals(p0.replicas().get(0), p0.leader());
        assertEquals(p0.replicas(), p0.isr());
        waitUntil("c heard the first state of every partition", () -> heardByC.states.size() >= 6);

        StrataException exists = assertThrows(StrataException.class,
                () -> b.createTopic("orders", 1, (short) 1, Map.of()));
        assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS, exists.error());
        b.createTopic("orders.eu", List.of(List.of(2)), Map.of());
        assertEquals(ErrorCode.INVALID_TOPIC_EXCEPTION, assertThrows(StrataException.class,
                () -> a.createTopic("orders_eu", 1, (short) 1, Map.of())).error());
        assertEquals(ErrorCode.INVALID_REPLICA_ASSIGNMENT, assertThrows(StrataException.class,
                () -> b.createTopic("manual", List.of(List.of(1, 7)), Map.of())).error());
        assertEquals(ErrorCode.INVALID_REPLICA_ASSIGNMENT, assertThrows(StrataException.class,
                () -> b.createTopic("manual", List.of(List.of(1, 1)), Map.of())).error());
        TopicMetadata manual = b.createTopic("manual", List.of(List.of(3, 1), List.of(2, 3)), Map.of());
        assertEquals(2, manual.replicationFactor());

        b.alterTopicConfigs("orders", Map.of("retention.ms", "2000"));
        c.createPartitions("orders", 8, null);
        a.alterDynamicBrokerConfigs("", Map.of("log.retention.ms", "5000"));
        assertEquals(Map.of("log.retention.ms", "5000"), a.dynamicBrokerConfigs(""));
        waitUntil("c sees the changes", () -> c.dynamicBrokerConfigs("").equals(Map.of("log.retention.ms", "5000"))
                && c.topic("orders").orElseThrow().partitionCount() == 8);
        waitUntil("the new partitions are led", () -> allLed(a, "orders", 8));

        TopicMetadata deleted = b.deleteTopic("orders");
        assertEquals(t.topicId(), deleted.topicId());
        assertTrue(b.topic("orders").isEmpty());
        waitUntil("every broker saw the deletion", () -> a.topic("orders").isEmpty() && c.topic("orders").isEmpty());
        waitUntil("c heard everything", () -> heardByC.events.contains("deleted orders"));
        List<String> topicEvents = heardByC.events.stream().filter(e -> !e.equals("cluster")).toList();
        assertEquals(List.of("created orders", "created orders.eu", "created manual", "configs orders {retention.ms=2000}",
                "partitions orders 6->8", "broker configs ''", "deleted orders"), topicEvents);
        assertTrue(heardByC.events.contains("cluster"));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, assertThrows(StrataException.class,
                () -> a.deleteTopic("orders")).error());
    }

    @Test
    void aSecondBrokerWithTheSameIdIsRefused() throws Exception {
        ZooKeeperMetadataStore first = open(2);
        waitUntil("registered", () -> first.liveBrokers().size() == 1);
        StrataException e = assertThrows(StrataException.class, () -> open(2, dir.resolve("other")));
        assertEquals("broker.id 2 is already registered by a live broker at 127.0.0.1:9092; each broker needs its"
                + " own broker.id", e.getMessage());
        // A directory of another broker id is refused too.
        IOException wrongDir = assertThrows(IOException.class, () -> open(3, dir.resolve("broker-2")));
        assertTrue(wrongDir.getMessage().contains("doesn't match stored broker.id 2"), wrongDir.getMessage());
    }

    @Test
    void twoBrokersStartedWithOneIdBeforeEitherRegisteredOnlyOneRunsAndOnlyItMayBeController() throws Exception {
        ZooKeeperMetadataStore a = openUnbound(2, dir.resolve("a"));
        ZooKeeperMetadataStore b = openUnbound(2, dir.resolve("b")); // the start-up check passes: none registered yet
        List<ZooKeeperMetadataStore> told = Collections.synchronizedList(new ArrayList<>());
        a.onRefused(() -> told.add(a));
        b.onRefused(() -> told.add(b));
        // Started after them, but the only registered broker: it wins, as they have not joined the election.
        ZooKeeperMetadataStore c = open(3);
        waitUntil("the registered broker is controller", c::isController);
        CuratorFramework client = c.connection().client();
        assertEquals(1, children(client, ZkPaths.CONTROLLER_ELECTION), "unregistered brokers stay out");
        a.endpoint("127.0.0.1", 9092);
        b.endpoint("127.0.0.2", 9092);
        waitUntil("one is refused", () -> a.refused() || b.refused());
        ZooKeeperMetadataStore winner = a.refused() ? b : a;
        ZooKeeperMetadataStore loser = winner == a ? b : a;
        assertFalse(winner.refused());
        assertEquals(List.of(loser), told);
        waitUntil("the registered one joined the election", () -> children(client, ZkPaths.CONTROLLER_ELECTION) == 2);
        closeStore(c);
        waitUntil("the registered one is controller", winner::isController);
        assertFalse(loser.isController());
        assertEquals(1, children(winner.connection().client(), ZkPaths.CONTROLLER_ELECTION),
                "the refused broker never joined the controller election");
    }

    @Test
    void aSecondProcessOnTheSameHostAndDirectoryIsRefused() throws Exception {
        ZooKeeperMetadataStore first = open(2);
        waitUntil("registered", () -> first.liveBrokers().size() == 1);
        ZooKeeperMetadataStore second = openUnbound(2, dir.resolve("broker-2")); // same instance: waits it out
        second.endpoint("127.0.0.1", 9092);
        waitUntil("the second is refused once a session timeout has passed", second::refused);
        assertFalse(first.refused());
        waitUntil("the first is controller", first::isController);
        assertFalse(second.isController());
    }

    @Test
    void aShortConnectionBlipDoesNotMoveTheController() throws Exception {
        ZooKeeperMetadataStore a = open(1);
        ZooKeeperMetadataStore b = open(2);
        waitUntil("controller", () -> a.controllerId() != -1 && b.liveBrokers().size() == 2
                && (a.isController() || b.isController()));
        ZooKeeperMetadataStore controller = a.isController() ? a : b;
        int epoch = epochOf(controller);
        server.stop();
        waitUntil("both see the connection down", () -> !a.connection().connected() && !b.connection().connected());
        assertTrue(controller.isController(), "a suspended connection keeps the controller in office");
        server.restart(); // well inside the session timeout: the sessions survive
        waitUntil("reconnected", () -> a.connection().connected() && b.connection().connected());
        a.createTopic("after-blip", 1, (short) 2, Map.of());
        waitUntil("led", () -> allLed(a, "after-blip", 1));
        assertTrue(controller.isController());
        assertEquals(epoch, epochOf(controller), "no new controller epoch");
    }

    @Test
    void theControllerMovesWhenItsBrokerLeavesAndItsPartitionsAreReElected() throws Exception {
        ZooKeeperMetadataStore a = open(1);
        ZooKeeperMetadataStore b = open(2);
        waitUntil("both registered and a controller", () -> b.liveBrokers().size() == 2 && b.controllerId() != -1);
        ZooKeeperMetadataStore controller = a.isController() ? a : b;
        ZooKeeperMetadataStore other = controller == a ? b : a;
        other.createTopic("t", List.of(List.of(controller.localBrokerId(), other.localBrokerId())), Map.of());
        other.createTopic("solo", List.of(List.of(controller.localBrokerId())), Map.of());
        waitUntil("led", () -> allLed(other, "t", 1) && allLed(other, "solo", 1));
        int oldEpoch = epochOf(controller);
        assertTrue(oldEpoch > 0);
        closeStore(controller);
        waitUntil("the other broker is controller", () -> other.isController()
                && other.controllerId() == other.localBrokerId() && other.liveBrokers().size() == 1);
        assertTrue(epochOf(other) > oldEpoch, "the new controller's epoch " + epochOf(other) + " is above "
                + oldEpoch);
        waitUntil("partition 0 moved to its in-sync follower", () -> other.partitionState(new TopicPartition("t", 0))
                .orElseThrow().leader() == other.localBrokerId());
        waitUntil("its only replica's partition is offline, not moved", () -> !other.partitionState(
                new TopicPartition("solo", 0)).orElseThrow().online());
        PartitionState p0 = other.partitionState(new TopicPartition("t", 0)).orElseThrow();
        assertEquals(List.of(other.localBrokerId()), p0.isr());
        assertEquals(1, p0.leaderEpoch());
        // Topic creation keeps working under the new controller.
        other.createTopic("after", 1, (short) 1, Map.of());
        waitUntil("led", () -> allLed(other, "after", 1));
    }

    @Test
    void aDeposedControllerCannotWriteAndAStaleLeaderEpochCannotAlterTheIsr() throws Exception {
        ZooKeeperMetadataStore a = open(1);
        ZooKeeperMetadataStore b = open(2);
        waitUntil("controller", () -> a.controllerId() != -1 && b.liveBrokers().size() == 2);
        a.createTopic("t", List.of(List.of(1, 2), List.of(2, 1)), Map.of());
        waitUntil("led", () -> allLed(a, "t", 2) && allLed(b, "t", 2));
        TopicPartition tp = new TopicPartition("t", 0);
        PartitionState s = a.partitionState(tp).orElseThrow();
        assertEquals(1, s.leader());

        // The leader shrinks its ISR at its epoch; a stale epoch or a non-leader is fenced; a bad ISR is refused.
        PartitionState shrunk = a.alterIsr(tp, s.leaderEpoch(), List.of(1));
        assertEquals(List.of(1), shrunk.isr());
        assertEquals(List.of(1), a.partitionState(tp).orElseThrow().isr());
        assertEquals(ErrorCode.FENCED_LEADER_EPOCH, assertThrows(StrataException.class,
                () -> a.alterIsr(tp, s.leaderEpoch() + 1, List.of(1, 2))).error());
        assertEquals(ErrorCode.FENCED_LEADER_EPOCH, assertThrows(StrataException.class,
                () -> b.alterIsr(tp, s.leaderEpoch(), List.of(1, 2))).error());
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StrataException.class,
                () -> a.alterIsr(tp, s.leaderEpoch(), List.of(2))).error());
        waitUntil("b sees the shrunk ISR", () -> b.partitionState(tp).orElseThrow().isr().equals(List.of(1)));

        // Another controller epoch (as a newer controller writes it): the sitting controller's writes fail, it stops.
        ZooKeeperMetadataStore controller = a.isController() ? a : b;
        try (CuratorFramework admin = CuratorFrameworkFactory.builder().connectString(server.getConnectString())
                .namespace("strata").retryPolicy(new RetryOneTime(100)).build()) {
            admin.start();
            admin.setData().forPath(ZkPaths.CONTROLLER_EPOCH, ZkPaths.encode(Map.of("epoch", "99")));
        }
        controller.createTopic("late", 1, (short) 1, Map.of());
        // It still held the latch: it leaves the election and rejoins it, so a controller takes office again (with
        // a newer epoch) instead of the cluster staying without one.
        waitUntil("a controller took office after epoch 99", () -> (a.isController() || b.isController())
                && epochOf(controller) > 99);
        waitUntil("the new controller leads the new topic", () -> allLed(controller, "late", 1));
        Map<String, String> late = ZkPaths.decode(controller.connection().client().getData()
                .forPath(ZkPaths.state("late", 0)));
        assertTrue(ZkPaths.intValue(late, "controller_epoch") > 99, late.toString());
    }

    private static int epochOf(ZooKeeperMetadataStore s) {
        try {
            return ZkPaths.intValue(ZkPaths.decode(s.connection().client().getData()
                    .forPath(ZkPaths.CONTROLLER_EPOCH)), "epoch");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void producerIdBlocksNeverOverlapAcrossBrokersAndRestarts() throws Exception {
        ZooKeeperMetadataStore a = open(1);
        ZooKeeperMetadataStore b = open(2);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Long>> starts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ZooKeeperMetadataStore s = i % 2 == 0 ? a : b;
            starts.add(pool.submit(() -> s.allocateProducerIds(1000)));
        }
        Set<Long> seen = new HashSet<>();
        for (Future<Long> f : starts) {
            long start = f.get();
            assertEquals(0, start % 1000);
            assertTrue(seen.add(start), "block " + start + " handed out twice");
        }
        pool.shutdown();
        assertEquals(40, seen.size());
        closeStore(a);
        ZooKeeperMetadataStore again = open(1);
        assertEquals(40_000, again.allocateProducerIds(10));
        assertEquals(40_010, b.allocateProducerIds(5));
    }

    @Test
    void aFormerSingleBrokersProducerIdsAreNotHandedOutAgain() throws Exception {
        Path former = dir.resolve("broker-1");
        Files.createDirectories(former.resolve("__strata_meta"));
        Files.writeString(former.resolve("__strata_meta").resolve("producer-ids.properties"),
                "next.block.start=5000\n");
        ZooKeeperMetadataStore a = open(1);
        assertEquals(5000, a.allocateProducerIds(1000), "the first block starts at the local floor");
        ZooKeeperMetadataStore b = open(2);
        assertEquals(6000, b.allocateProducerIds(10));
    }

    @Test
    void anElectionRequestOfABrokerThatDiesDoesNotLinger() throws Exception {
        ZooKeeperMetadataStore a = openUnbound(1, dir.resolve("broker-1")); // not registered: no controller answers
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (CuratorFramework admin = CuratorFrameworkFactory.builder().connectString(server.getConnectString())
                .namespace("strata").retryPolicy(new RetryOneTime(100)).build()) {
            admin.start();
            Future<Map<TopicPartition, ErrorCode>> asked = pool.submit(() -> a.electLeaders(ElectionType.PREFERRED,
                    List.of(new TopicPartition("t", 0)), 60_000));
            waitUntil("the request is written", () -> children(admin, ZkPaths.ELECTIONS) == 1);
            closeStore(a); // the requester goes away without deleting its request
            asked.get();
            waitUntil("the request went with the requester's session", () -> children(admin, ZkPaths.ELECTIONS) == 0);
        } finally {
            pool.shutdownNow();
        }
    }

    private static int children(CuratorFramework client, String path) {
        try {
            return client.getChildren().forPath(path).size();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void withZooKeeperStoppedReadsGoOnAndWritesFailFastWithRetriableErrors() throws Exception {
        ZooKeeperMetadataStore a = open(1);
        ZooKeeperMetadataStore b = open(2);
        waitUntil("controller", () -> a.controllerId() != -1 && a.liveBrokers().size() == 2);
        a.createTopic("t", List.of(List.of(1), List.of(2)), Map.of());
        waitUntil("led", () -> allLed(a, "t", 2) && allLed(b, "t", 2)); // a's mirror is asserted below
        server.stop();
        waitUntil("both see the connection down", () -> !a.connection().connected() && !b.connection().connected());
        assertTrue(allLed(a, "t", 2));
        assertEquals(2, a.liveBrokers().size());
        long start = System.nanoTime();
        StrataException create = assertThrows(StrataException.class, () -> a.createTopic("u", 1, (short) 1, Map.of()));
        assertEquals(ErrorCode.REQUEST_TIMED_OUT, create.error());
        assertTrue(create.error().retriable());
        assertEquals(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, assertThrows(StrataException.class,
                () -> b.allocateProducerIds(1)).error());
        assertEquals(ErrorCode.REQUEST_TIMED_OUT, assertThrows(StrataException.class,
                () -> b.electLeaders(ElectionType.PREFERRED, List.of(new TopicPartition("t", 0)), 1000)).error());
        assertEquals(ErrorCode.REQUEST_TIMED_OUT, assertThrows(StrataException.class,
                () -> b.deleteTopic("t")).error());
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "writes fail fast");

        server.restart();
        waitUntil("reconnected", () -> a.connection().connected() && b.connection().connected());
        waitUntil("topic creation works again", () -> {
            try {
                a.createTopic("u", 1, (short) 1, Map.of());
                return true;
            } catch (StrataException e) {
                assertTrue(e.error().retriable(), e.getMessage());
                return false;
            }
        });
        waitUntil("led", () -> allLed(b, "u", 1));
    }

    @Test
    void anExpiredSessionReRegistersAndTheMirrorTellsWhatChanged() throws Exception {
        ZooKeeperMetadataStore a = open(1);
        ZooKeeperMetadataStore b = open(2);
        waitUntil("controller", () -> a.controllerId() != -1 && b.liveBrokers().size() == 2);
        ZooKeeperMetadataStore victim = a.isController() ? b : a;
        ZooKeeperMetadataStore survivor = victim == a ? b : a;
        survivor.createTopic("t", List.of(List.of(victim.localBrokerId())), Map.of());
        TopicPartition tp = new TopicPartition("t", 0);
        waitUntil("led by the victim", () -> leader(victim, tp) == victim.localBrokerId());
        Recorder heard = new Recorder();
        victim.addListener(heard);
        long oldSession = victim.connection().sessionId();
        victim.connection().client().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        waitUntil("a new session", () -> victim.connection().connected()
                && victim.connection().sessionId() != oldSession);
        waitUntil("re-registered and leading again", () -> survivor.liveBrokers().size() == 2
                && leader(survivor, tp) == victim.localBrokerId() && leader(victim, tp) == victim.localBrokerId()
                && victim.partitionState(tp).orElseThrow().leaderEpoch() >= 2);
        waitUntil("the victim heard the offline state and the new one", () -> heard.states.stream()
                .anyMatch(x -> x.tp().equals(tp) && x.leaderEpoch() >= 2));
        assertNotEquals(-1, victim.controllerId());
    }

    @Test
    void controlledShutdownHandsLeadershipOverAndAPreferredElectionBringsItBack() throws Exception {
        ZooKeeperMetadataStore a = open(1);
        ZooKeeperMetadataStore b = open(2);
        waitUntil("controller", () -> a.controllerId() != -1 && a.liveBrokers().size() == 2);
        a.createTopic("t", List.of(List.of(1, 2), List.of(2, 1)), Map.of());
        a.createTopic("solo", List.of(List.of(1)), Map.of());
        TopicPartition p0 = new TopicPartition("t", 0);
        waitUntil("led", () -> allLed(a, "t", 2) && allLed(b, "t", 2) && allLed(b, "solo", 1));
        assertEquals(1, leader(a, p0));

        // solo-0 has no other replica: it stays with broker 1 until it stops.
        assertEquals(1, a.controlledShutdown(WAIT_MS));
        assertEquals(2, leader(a, p0));
        assertEquals(List.of(2), a.partitionState(new TopicPartition("t", 1)).orElseThrow().isr());
        assertEquals(1, leader(a, new TopicPartition("solo", 0)));

        closeStore(a);
        ZooKeeperMetadataStore back = open(1);
        waitUntil("broker 1 is back", () -> b.liveBrokers().size() == 2 && leader(b, p0) == 2);
        Map<TopicPartition, ErrorCode> notInSync = back.electLeaders(ElectionType.PREFERRED, List.of(p0), WAIT_MS);
        assertEquals(Map.of(p0, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE), notInSync);
        PartitionState led = b.partitionState(p0).orElseThrow();
        b.alterIsr(p0, led.leaderEpoch(), List.of(2, 1)); // the leader takes broker 1 back in sync
        TopicPartition unknown = new TopicPartition("nope", 0);
        Map<TopicPartition, ErrorCode> results = back.electLeaders(ElectionType.PREFERRED,
                List.of(p0, new TopicPartition("t", 1), unknown), WAIT_MS);
        assertEquals(ErrorCode.NONE, results.get(p0));
        assertEquals(ErrorCode.ELECTION_NOT_NEEDED, results.get(new TopicPartition("t", 1)));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, results.get(unknown));
        waitUntil("both see broker 1 lead again", () -> leader(b, p0) == 1 && leader(back, p0) == 1);
        waitUntil("the request node is gone", () -> back.connection().connected() && childrenOf(back,
                ZkPaths.ELECTIONS).isEmpty());
    }

    private static List<String> childrenOf(ZooKeeperMetadataStore s, String path) {
        try {
            return s.connection().client().getChildren().forPath(path);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
