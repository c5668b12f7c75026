package dev.strata.itests;

import static dev.strata.itests.ClusterView.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Three Strata containers joined through a real ZooKeeper server (the one the distribution ships), driven by stock
 * kafka-clients, kcat and Kafka's leader-election tool: partitions spread over the brokers, controller failover after
 * SIGKILL, controlled shutdown and preferred election, producer ids and group offsets across restarts, and faults
 * (ZooKeeper down for 30 s, a duplicate broker.id, a broker frozen past its session timeout). Every test leaves the
 * three brokers and ZooKeeper running (checked before each).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    /** Short, so failover tests do not wait 18 s for a session to end. */
    private static final int SESSION_TIMEOUT_MS = 6_000;
    /** A session's end plus an election, with room for a loaded 2-core machine. */
    private static final Duration FAILOVER = Duration.ofMillis(SESSION_TIMEOUT_MS).plusSeconds(20);
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    private static ZooKeeperServerProcess zookeeper;
    private static StrataCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void startCluster() throws Exception {
        zookeeper = ZooKeeperServerProcess.create("cluster").start();
        cluster = StrataCluster.create("cluster", zookeeper, 3, Map.of(
                "zookeeper.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS),
                "zookeeper.connection.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS),
                // Leadership moves only when a test asks for it.
                "auto.leader.rebalance.enable", "false"));
        cluster.startAll();
        admin = ClusterView.admin(cluster.bootstrapServers());
    }

    @AfterAll
    static void stopCluster() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (cluster != null) {
            cluster.close();
        }
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    @BeforeEach
    void everyBrokerAndZooKeeperRun() throws Exception {
        if (!zookeeper.isRunning()) {
            zookeeper.start();
        }
        for (int id : cluster.brokerIds()) {
            if (!cluster.member(id).isRunning()) {
                cluster.start(id);
            }
        }
        ClusterView.awaitBrokers(admin, cluster.brokerIds(), CONVERGE);
    }

    @Test
    @Order(1)
    void aTopicIsSpreadOverTheBrokersAndClientsOfOneBrokerUseThemAll() throws Exception {
        String topic = "spread";
        ClusterView.createTopic(admin, topic, 12, (short) 1);
        assertEquals(Map.of(1, 4L, 2, 4L, 3, 4L), ClusterView.leadershipCounts(admin, topic),
                "12 partitions led 4 by each broker: " + ClusterView.leaders(admin, topic));

        String oneBroker = cluster.member(2).bootstrapServers();
        int count = 100_000;
        List<KeyedLoad.Acked> acked;
        try (KafkaProducer<String, String> producer = Clients.producer(cluster.member(2), Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 5))) {
            acked = KeyedLoad.produce(producer, topic, count);
        }
        Map<Integer, Integer> leaders = ClusterView.leaders(admin, topic);
        assertEquals(Set.of(1, 2, 3), acked.stream().map(a -> leaders.get(a.partition()))
                .collect(Collectors.toSet()), "records acknowledged by each of the three brokers");

        List<ConsumerRecord<String, String>> consumed = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.member(2), Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "spread-group", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (consumed.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(consumed::add);
            }
            consumer.commitSync(Duration.ofSeconds(30));
        }
        printAndCheckCounts("spread (bootstrap " + oneBroker + ")", acked, consumed);
        consumed.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        KeyedLoad.verify(acked, consumed, 12);

        // kcat (librdkafka) bootstrapped with the same one broker sees all three and the controller.
        int controller = ClusterView.controller(admin);
        String listing = Kcat.forContainer(cluster.member(2)).run("", "-L", "-t", topic);
        assertTrue(listing.contains(" 3 brokers:"), listing);
        for (int id : cluster.brokerIds()) {
            String line = "broker " + id + " at " + cluster.member(id).bootstrapServers();
            assertTrue(listing.contains(line + (id == controller ? " (controller)" : "\n")),
                    "kcat -L lists '" + line + "'" + (id == controller ? " as the controller" : "") + ":\n" + listing);
        }
        assertTrue(listing.contains("topic \"" + topic + "\" with 12 partitions"), listing);
    }

    @Test
    @Order(2)
    void killingTheControllerElectsAnotherAndItsPartitionsGoOfflineUntilItReturns() throws Exception {
        String topic = "failover";
        ClusterView.createTopic(admin, topic, 6, (short) 1);
        List<KeyedLoad.Acked> acked;
        try (KafkaProducer<String, String> producer = clusterProducer(Map.of())) {
            acked = KeyedLoad.produce(producer, topic, 3_000);
        }
        int dead = ClusterView.controller(admin);
        Map<Integer, Integer> before = ClusterView.leaders(admin, topic);
        Set<Integer> deadsPartitions = partitionsLedBy(before, dead);
        assertFalse(deadsPartitions.isEmpty(), "the controller leads some of " + before);

        long killedAt = System.nanoTime();
        cluster.kill(dead);
        Duration elected = await("a controller other than the killed broker " + dead, FAILOVER, () -> {
            int now = ClusterView.controller(admin);
            return now >= 0 && now != dead;
        }, () -> "controller " + ClusterView.controller(admin));
        System.out.println("ClusterIT failover: new controller " + ClusterView.controller(admin) + " "
                + elected.toMillis() + " ms after SIGKILL of " + dead);

        // Its RF=1 partitions are offline (not moved); the others keep their leaders.
        String live = liveBootstrap(dead);
        await("partitions of broker " + dead + " offline, the others unchanged", FAILOVER, () -> {
            Map<Integer, Integer> now = ClusterView.leaders(admin, topic);
            return now.entrySet().stream().allMatch(e -> deadsPartitions.contains(e.getKey())
                    ? e.getValue() == -1 : e.getValue().equals(before.get(e.getKey())));
        }, () -> ClusterView.leaders(admin, topic));
        for (PartitionInfo p : ClusterView.metadata(live, topic)) {
            if (deadsPartitions.contains(p.partition())) {
                assertTrue(p.leader() == null || p.leader().isEmpty(), "no leader for " + p);
                assertEquals(List.of(dead), ClusterView.ids(p.offlineReplicas()), "offline replicas of " + p);
            }
        }

        // Topic creation keeps working, placed on the live brokers.
        ClusterView.createTopic(admin, "created-after-failover", 4, (short) 1);
        System.out.println("ClusterIT failover: first CreateTopics done "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt) + " ms after SIGKILL");
        assertFalse(ClusterView.leaders(admin, "created-after-failover").containsValue(dead));

        cluster.start(dead);
        ClusterView.awaitBrokers(admin, cluster.brokerIds(), CONVERGE);
        await("broker " + dead + " leads its partitions again", CONVERGE,
                () -> ClusterView.leaders(admin, topic).equals(before), () -> ClusterView.leaders(admin, topic));
        List<ConsumerRecord<String, String>> consumed = readAll(topic, 6);
        printAndCheckCounts("failover", acked, consumed);
        KeyedLoad.verify(acked, consumed, 6);
    }

    @Test
    @Order(3)
    void controlledShutdownHandsLeadershipOverAndPreferredElectionBringsItBack() throws Exception {
        String topic = "handover";
        ClusterView.createTopic(admin, topic, 6, (short) 3); // no data: every follower is in sync
        Map<Integer, List<Integer>> replicas = ClusterView.replicas(admin, topic);
        Map<Integer, Integer> preferred = new HashMap<>();
        replicas.forEach((p, r) -> preferred.put(p, r.get(0)));
        assertEquals(preferred, ClusterView.leaders(admin, topic), "each partition led by its preferred replica");
        int stopping = 3;
        Set<Integer> itsPartitions = partitionsLedBy(preferred, stopping);
        assertFalse(itsPartitions.isEmpty(), "broker " + stopping + " leads some of " + preferred);

        // Watch, from the other brokers, for the moment it leads nothing any more, while it stops.
        AtomicLong movedAt = new AtomicLong();
        Thread watcher = new Thread(() -> {
            try (Admin others = ClusterView.admin(liveBootstrap(stopping))) {
                while (movedAt.get() == 0 && !Thread.currentThread().isInterrupted()) {
                    try {
                        Map<Integer, Integer> now = ClusterView.leaders(others, topic);
                        if (!now.containsValue(stopping) && !now.containsValue(-1)) {
                            movedAt.set(System.nanoTime());
                        }
                    } catch (Exception e) {
                        // the next look decides
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "handover-watcher");
        watcher.start();
        long pid = cluster.member(stopping).pid();
        assertTrue(cluster.stop(stopping), "broker " + stopping + " exits by itself after SIGTERM");
        long exitedAt = System.nanoTime();
        watcher.join(TimeUnit.SECONDS.toMillis(30));
        watcher.interrupt();
        assertTrue(movedAt.get() != 0 && movedAt.get() < exitedAt, "leaderships of broker " + stopping
                + " (pid " + pid + ") moved before it exited; now " + ClusterView.leaders(admin, topic));
        assertTrue(cluster.member(stopping).log().lines().anyMatch(l -> l.matches("(?i).*controlled shutdown.*")),
                "broker " + stopping + " logs its controlled shutdown:\n" + cluster.member(stopping).logTail(30));
        Map<Integer, Integer> during = ClusterView.leaders(admin, topic);
        for (int p : itsPartitions) {
            assertTrue(replicas.get(p).contains(during.get(p)) && during.get(p) != stopping,
                    "partition " + p + " moved to another replica: " + during);
        }

        cluster.start(stopping);
        ClusterView.awaitBrokers(admin, cluster.brokerIds(), CONVERGE);
        // One of its partitions back with Admin.electLeaders, the others with Kafka's kafka-leader-election tool.
        // (Broker 3 left their ISRs when it stopped: it must be back in them, its logs being empty as the leaders'.)
        List<Integer> ordered = new ArrayList<>(itsPartitions);
        TopicPartition byAdmin = new TopicPartition(topic, ordered.get(0));
        Map<TopicPartition, Optional<Throwable>> results = admin.electLeaders(ElectionType.PREFERRED, Set.of(byAdmin))
                .partitions().get(30, TimeUnit.SECONDS);
        assertEquals(Optional.empty(), results.get(byAdmin), "electLeaders(PREFERRED) of " + byAdmin);
        KafkaTool tool = new KafkaTool(cluster.member(1).home().resolve("kafka-tools"));
        for (int p : ordered.subList(1, ordered.size())) {
            ClientProcess.Result run = tool.run("org.apache.kafka.tools.LeaderElectionCommand", "--bootstrap-server",
                    cluster.member(1).bootstrapServers(), "--election-type", "PREFERRED", "--topic", topic,
                    "--partition", Integer.toString(p));
            assertEquals(0, run.exitCode(), run.describe());
            assertTrue(run.stdout().contains("Successfully completed leader election (PREFERRED) for partitions "
                    + topic + "-" + p), run.describe());
        }
        await("every partition led by its preferred replica again", CONVERGE,
                () -> ClusterView.leaders(admin, topic).equals(preferred), () -> ClusterView.leaders(admin, topic));
    }

    @Test
    @Order(4)
    void producerIdsAreUniqueAcrossBrokersAndRestartsAndGroupOffsetsSurviveTheCoordinator() throws Exception {
        String topic = "pids";
        ClusterView.createTopic(admin, topic, 3, (short) 1);
        produceFromEveryBroker(topic, 4);
        for (int id : cluster.brokerIds()) { // a rolling restart: every broker takes a new block of ids
            assertTrue(cluster.stop(id));
            cluster.start(id);
            ClusterView.awaitBrokers(admin, cluster.brokerIds(), CONVERGE);
        }
        ClusterView.awaitOnline(admin, topic, 3, CONVERGE);
        produceFromEveryBroker(topic, 4);
        List<TopicPartition> partitions = Clients.partitions(topic, 3);
        List<Long> ids = new ArrayList<>();
        admin.describeProducers(partitions).all().get(30, TimeUnit.SECONDS).values()
                .forEach(state -> state.activeProducers().stream().map(ProducerState::producerId).forEach(ids::add));
        assertEquals(24 * 3, ids.size(), "24 producers, each on the 3 partitions: " + ids);
        assertEquals(24, new HashSet<>(ids).size(), "24 distinct producer ids: " + ids);

        String groupTopic = "grouped";
        String group = "survivor";
        ClusterView.createTopic(admin, groupTopic, 3, (short) 1);
        try (KafkaProducer<String, String> producer = clusterProducer(Map.of())) {
            KeyedLoad.produce(producer, groupTopic, 300);
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumeAndCommit(group, groupTopic, 300);
        int coordinator = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                .get(30, TimeUnit.SECONDS).coordinator().id();
        assertTrue(cluster.stop(coordinator));
        cluster.start(coordinator);
        ClusterView.awaitBrokers(admin, cluster.brokerIds(), CONVERGE);
        await("group " + group + "'s offsets after its coordinator (broker " + coordinator + ") restarted", CONVERGE,
                () -> admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS)
                        .equals(committed),
                () -> admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get());
        try (KafkaProducer<String, String> producer = clusterProducer(Map.of())) {
            KeyedLoad.produce(producer, groupTopic, 100);
        }
        Map<TopicPartition, OffsetAndMetadata> after = consumeAndCommit(group, groupTopic, 100);
        assertEquals(400, after.values().stream().mapToLong(OffsetAndMetadata::offset).sum(),
                "the group resumed at its commits and read only the 100 newer records");
    }

    @Test
    @Order(5)
    void zooKeeperDownFor30SecondsBrokersServeWhatTheyLeadRefuseTheRestAndConverge() throws Exception {
        String topic = "outage";
        ClusterView.createTopic(admin, topic, 6, (short) 1);
        Map<Integer, Integer> leaders = ClusterView.leaders(admin, topic);
        List<KeyedLoad.Acked> acked = new ArrayList<>();
        try (KafkaProducer<String, String> producer = clusterProducer(Map.of())) {
            acked.addAll(KeyedLoad.produce(producer, topic, 600));
            assertTrue(zookeeper.stop(), "ZooKeeper stops on SIGTERM");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            boolean refusedCreate = false;
            while (System.nanoTime() < until) {
                acked.addAll(KeyedLoad.produce(producer, topic, 600));
                if (!refusedCreate) {
                    ExecutionException e = assertThrows(ExecutionException.class,
                            () -> admin.createTopics(List.of(new NewTopic("during-outage", 1, (short) 1)),
                                    new CreateTopicsOptions().timeoutMs(10_000)).all().get(30, TimeUnit.SECONDS),
                            "CreateTopics while ZooKeeper is down");
                    assertTrue(e.getCause() instanceof RetriableException, "a retriable error: " + e.getCause());
                    refusedCreate = true;
                }
                List<ConsumerRecord<String, String>> read = readAll(topic, 6);
                assertEquals(acked.size(), read.size(), "everything acknowledged is read while ZooKeeper is down");
            }
            assertEquals(leaders, ClusterView.leaders(admin, topic), "leadership unchanged during the outage");
        }
        zookeeper.start();
        Duration converged = await("CreateTopics works again after ZooKeeper's restart", CONVERGE, () -> {
            try {
                admin.createTopics(List.of(new NewTopic("after-outage", 2, (short) 1))).all()
                        .get(20, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                // An attempt that timed out on the client may still have been carried out.
                return e.getCause() instanceof TopicExistsException;
            }
            return true;
        }, () -> "controller " + ClusterView.controller(admin));
        System.out.println("ClusterIT outage: CreateTopics succeeded " + converged.toMillis() + " ms after restart");
        ClusterView.awaitBrokers(admin, cluster.brokerIds(), CONVERGE);
        ClusterView.awaitOnline(admin, "after-outage", 2, CONVERGE);
        List<ConsumerRecord<String, String>> consumed = readAll(topic, 6);
        printAndCheckCounts("outage", acked, consumed);
    }

    @Test
    @Order(6)
    void aSecondBrokerWithTheSameIdRefusesToStartAndSaysWhy() throws Exception {
        StrataContainer duplicate = cluster.extraContainer(2);
        int exit = duplicate.startExpectingExit(Duration.ofSeconds(120));
        assertNotEquals(0, exit, duplicate.logTail(40));
        String log = duplicate.log();
        assertTrue(log.lines().anyMatch(l -> l.startsWith("strata: component")
                        && l.matches("(?i).*broker(\\.id)?[ =:]*2\\b.*")),
                "a strata: component line naming broker (id) 2:\n" + duplicate.logTail(40));
        assertFalse(log.contains("Strata started"), duplicate.logTail(40));
        ClusterView.awaitBrokers(admin, cluster.brokerIds(), CONVERGE);
        assertEquals(cluster.member(2).kafkaPort(), admin.describeCluster().nodes().get(20, TimeUnit.SECONDS).stream()
                .filter(n -> n.id() == 2).findFirst().orElseThrow().port(), "broker 2 is still the first one");
    }

    @Test
    @Order(7)
    void aBrokerFrozenPastItsSessionIsReportedOfflineThenRejoinsAndLeadsAgain() throws Exception {
        String topic = "frozen";
        ClusterView.createTopic(admin, topic, 6, (short) 1);
        List<KeyedLoad.Acked> acked = new ArrayList<>();
        try (KafkaProducer<String, String> producer = clusterProducer(Map.of())) {
            acked.addAll(KeyedLoad.produce(producer, topic, 600));
        }
        int controller = ClusterView.controller(admin);
        int frozen = cluster.brokerIds().stream().filter(id -> id != controller).findFirst().orElseThrow();
        Map<Integer, Integer> before = ClusterView.leaders(admin, topic);
        Set<Integer> itsPartitions = partitionsLedBy(before, frozen);

        cluster.pause(frozen);
        try {
            await("broker " + frozen + " gone and its partitions offline", FAILOVER, () -> {
                Map<Integer, Integer> now = ClusterView.leaders(admin, topic);
                return !ClusterView.brokers(admin).contains(frozen)
                        && itsPartitions.stream().allMatch(p -> now.get(p) == -1);
            }, () -> ClusterView.brokers(admin) + " " + ClusterView.leaders(admin, topic));
        } finally {
            cluster.resume(frozen);
        }
        ClusterView.awaitBrokers(admin, cluster.brokerIds(), CONVERGE);
        await("broker " + frozen + " leads its partitions again", CONVERGE,
                () -> ClusterView.leaders(admin, topic).equals(before), () -> ClusterView.leaders(admin, topic));
        try (KafkaProducer<String, String> producer = clusterProducer(Map.of())) {
            acked.addAll(KeyedLoad.produce(producer, topic, 600));
        }
        List<ConsumerRecord<String, String>> consumed = readAll(topic, 6);
        printAndCheckCounts("frozen", acked, consumed);
    }

    // ---- helpers ----

    private static Set<Integer> partitionsLedBy(Map<Integer, Integer> leaders, int broker) {
        return leaders.entrySet().stream().filter(e -> e.getValue() == broker).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    private static String liveBootstrap(int except) {
        return cluster.brokerIds().stream().filter(id -> id != except)
                .map(id -> cluster.member(id).bootstrapServers()).collect(Collectors.joining(","));
    }

    private static KafkaProducer<String, String> clusterProducer(Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>(overrides);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        return Clients.producer(cluster.member(1), props);
    }

    /** Everything in the topic's partitions, in partition then offset order, read through all brokers. */
    private static List<ConsumerRecord<String, String>> readAll(String topic, int partitions) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.member(1), Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            List<ConsumerRecord<String, String>> all = new ArrayList<>(
                    Clients.readAll(consumer, Clients.partitions(topic, partitions), Duration.ofSeconds(60)));
            all.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                    : Long.compare(a.offset(), b.offset()));
            return all;
        }
    }

    /** Idempotent producers, {@code perBroker} bootstrapped at each broker, each writing one record to each partition. */
    private static void produceFromEveryBroker(String topic, int perBroker) throws Exception {
        for (int id : cluster.brokerIds()) {
            for (int n = 0; n < perBroker; n++) {
                try (KafkaProducer<String, String> producer = Clients.producer(cluster.member(id))) {
                    for (int p = 0; p < 3; p++) {
                        producer.send(new ProducerRecord<>(topic, p, "k", "from " + id)).get(60, TimeUnit.SECONDS);
                    }
                }
            }
        }
    }

    /** A group member reads {@code expected} records from where the group is, commits, and returns the commits. */
    private static Map<TopicPartition, OffsetAndMetadata> consumeAndCommit(String group, String topic, int expected)
            throws Exception {
        int read = 0;
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.member(1), Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (read < expected && System.nanoTime() < deadline) {
                read += consumer.poll(Duration.ofMillis(500)).count();
            }
            consumer.commitSync(Duration.ofSeconds(30));
        }
        assertEquals(expected, read, "records read by the group member of " + group);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        assertNotNull(committed);
        return committed;
    }

    /** Prints acknowledged / consumed / lost / duplicated and fails on any loss or duplicate. */
    private static void printAndCheckCounts(String what, List<KeyedLoad.Acked> acked,
                                            List<ConsumerRecord<String, String>> consumed) {
        Set<String> consumedAt = new HashSet<>();
        int duplicated = 0;
        for (ConsumerRecord<String, String> r : consumed) {
            if (!consumedAt.add(r.partition() + "/" + r.offset())) {
                duplicated++;
            }
        }
        long lost = acked.stream().filter(a -> !consumedAt.contains(a.partition() + "/" + a.offset())).count();
        System.out.printf("ClusterIT %s: acknowledged %d, consumed %d, lost %d, duplicated %d%n", what, acked.size(),
                consumed.size(), lost, duplicated);
        if (lost != 0 || duplicated != 0) {
            fail(what + ": " + lost + " acknowledged records lost, " + duplicated + " read twice");
        }
    }
}
