package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.metadata.BrokerInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stock kafka-clients 4.1.1 (Admin, producer, consumer) against the server on a real loopback socket. */
class KafkaClientsTest {
    @TempDir
    Path dir;

    private FileBackedTestBroker broker;
    private KafkaServer server;
    private String bootstrap;

    @BeforeEach
    void start() {
        broker = new FileBackedTestBroker(dir);
        server = new KafkaServer(broker, ServerSettings.loopbackEphemeral());
        server.start();
        bootstrap = "127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        broker.close();
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000);
        return Admin.create(p);
    }

    private KafkaProducer<String, String> producer(String acks) {
        return producer(acks, 20000);
    }

    private KafkaProducer<String, String> producer(String acks, int maxBlockMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlockMs);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, acks);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, acks.equals("all"));
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4096);
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    private static List<ConsumerRecord<String, String>> consume(KafkaConsumer<String, String> consumer, int count) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (got.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(got::add);
        }
        return got;
    }

    @Test
    void adminSeesClusterAndManagesTopics() throws Exception {
        broker.metadata().addRemoteBroker(new BrokerInfo(2, "127.0.0.1", 1, null));
        try (Admin admin = admin()) {
            DescribeClusterResult cluster = admin.describeCluster();
            assertEquals("strata-test-cluster", cluster.clusterId().get());
            Collection<Node> nodes = cluster.nodes().get();
            Node local = nodes.stream().filter(n -> n.id() == TestMetadataStore.BROKER_ID).findFirst().orElseThrow();
            assertEquals("127.0.0.1", local.host());
            assertEquals(server.port(), local.port(), "the local broker is advertised with the bound port");
            assertEquals("rack-a", local.rack());
            assertTrue(nodes.stream().anyMatch(n -> n.id() == 2), "other live brokers are listed");

            NewTopic orders = new NewTopic("orders", 3, (short) 1).configs(Map.of("retention.ms", "1000"));
            admin.createTopics(List.of(orders, new NewTopic("defaults", java.util.Optional.empty(),
                    java.util.Optional.empty()))).all().get();
            var created = admin.createTopics(List.of(new NewTopic("dry", 2, (short) 1)),
                    new CreateTopicsOptions().validateOnly(true));
            assertEquals(2, created.numPartitions("dry").get());
            assertFalse(admin.listTopics().names().get().contains("dry"), "validateOnly creates nothing");

            ExecutionException exists = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1))).all().get());
            assertInstanceOf(TopicExistsException.class, exists.getCause());
            ExecutionException rf = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> admin.createTopics(List.of(new NewTopic("wide", 1, (short) 3))).all().get());
            assertInstanceOf(InvalidReplicationFactorException.class, rf.getCause());

            assertEquals(Set.of("orders", "defaults"), admin.listTopics().names().get());
            TopicDescription description = admin.describeTopics(List.of("orders")).allTopicNames().get()
                    .get("orders");
            assertEquals(3, description.partitions().size());
            assertEquals(TestMetadataStore.BROKER_ID, description.partitions().get(0).leader().id());
            assertNotNull(description.topicId());
            assertEquals(1, admin.describeTopics(List.of("defaults")).allTopicNames().get().get("defaults")
                    .partitions().size(), "-1 takes the broker default partition count");

            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "orders");
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertEquals("1000", config.get("retention.ms").value());
            assertFalse(config.get("retention.ms").isDefault());
            assertTrue(config.get("cleanup.policy").isDefault());
            ConfigResource brokerResource = new ConfigResource(ConfigResource.Type.BROKER, "1");
            assertTrue(admin.describeConfigs(List.of(brokerResource)).all().get().get(brokerResource).entries()
                    .isEmpty());

            admin.deleteTopics(List.of("orders")).all().get();
            assertEquals(Set.of("defaults"), admin.listTopics().names().get());
            ExecutionException unknown = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> admin.deleteTopics(List.of("orders")).all().get());
            assertInstanceOf(UnknownTopicOrPartitionException.class, unknown.getCause());

            org.apache.kafka.common.Uuid id = admin.describeTopics(List.of("defaults")).allTopicNames().get()
                    .get("defaults").topicId();
            admin.deleteTopics(org.apache.kafka.common.TopicCollection.ofTopicIds(List.of(id))).all().get();
            assertTrue(admin.listTopics().names().get().isEmpty(), "deleted by topic id");
        }
    }

    @Test
    void produceAndConsumeRoundTripThroughZeroCopyFetch() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("events", 2, (short) 1))).all().get();
        }
        int count = 500;
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer("all")) {
            for (int i = 0; i < count; i++) {
                sent.add(producer.send(new ProducerRecord<>("events", i % 2, "k" + i, "value-" + i)));
            }
            producer.flush();
        }
        long[] expectedNext = new long[2];
        for (int i = 0; i < count; i++) {
            RecordMetadata md = sent.get(i).get();
            assertEquals(expectedNext[md.partition()]++, md.offset(), "offsets are dense per partition");
        }

        try (KafkaConsumer<String, String> consumer = consumer()) {
            consumer.assign(List.of(new TopicPartition("events", 0), new TopicPartition("events", 1)));
            List<ConsumerRecord<String, String>> got = consume(consumer, count);
            assertEquals(count, got.size());
            for (int p = 0; p < 2; p++) {
                int partition = p;
                List<ConsumerRecord<String, String>> inPartition = got.stream()
                        .filter(r -> r.partition() == partition).toList();
                for (int i = 0; i < inPartition.size(); i++) {
                    ConsumerRecord<String, String> r = inPartition.get(i);
                    assertEquals(i, r.offset());
                    int n = Integer.parseInt(r.key().substring(1));
                    assertEquals(partition, n % 2);
                    assertEquals("value-" + n, r.value());
                }
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
            assertEquals(250L, ends.get(new TopicPartition("events", 0)));
            Map<TopicPartition, Long> begins = consumer.beginningOffsets(consumer.assignment());
            assertEquals(0L, begins.get(new TopicPartition("events", 1)));
        }
    }

    @Test
    void acksZeroAndAcksOneAreAppended() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("fire", 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer = producer("0")) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>("fire", "a" + i));
            }
            producer.flush();
        }
        try (KafkaProducer<String, String> producer = producer("1")) {
            RecordMetadata md = producer.send(new ProducerRecord<>("fire", "after")).get();
            assertTrue(md.offset() >= 0);
        }
        try (KafkaConsumer<String, String> consumer = consumer()) {
            consumer.assign(List.of(new TopicPartition("fire", 0)));
            List<ConsumerRecord<String, String>> got = consume(consumer, 21);
            assertEquals(21, got.size());
            assertEquals("after", got.get(20).value());
        }
    }

    @Test
    void autoCreateOnlyWhenTheBrokerAllowsIt() throws Exception {
        try (KafkaProducer<String, String> producer = producer("1", 2000)) {
            org.junit.jupiter.api.Assertions.assertThrows(org.apache.kafka.common.errors.TimeoutException.class,
                    () -> producer.partitionsFor("auto-off"));
        }
        assertTrue(broker.metadata().topic("auto-off").isEmpty(), "auto-creation is off by default");
        broker.setAutoCreate(true);
        try (KafkaProducer<String, String> producer = producer("1", 10000)) {
            assertEquals(0, producer.send(new ProducerRecord<>("auto-on", "first")).get().offset());
        }
        assertEquals(1, broker.metadata().topic("auto-on").orElseThrow().partitionCount());
    }

    @Test
    void adminElectLeadersGetsEachPartitionsOutcome() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("e", 3, (short) 1))).all().get();
            broker.metadata().electionResults.put(new dev.strata.api.common.TopicPartition("e", 1),
                    dev.strata.api.common.ErrorCode.NONE);
            broker.metadata().electionResults.put(new dev.strata.api.common.TopicPartition("e", 2),
                    dev.strata.api.common.ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
            TopicPartition e0 = new TopicPartition("e", 0);
            TopicPartition e1 = new TopicPartition("e", 1);
            TopicPartition e2 = new TopicPartition("e", 2);
            TopicPartition missing = new TopicPartition("missing", 0);
            Map<TopicPartition, java.util.Optional<Throwable>> named = admin.electLeaders(
                    org.apache.kafka.common.ElectionType.PREFERRED, Set.of(e0, e1, e2, missing)).partitions().get();
            assertInstanceOf(org.apache.kafka.common.errors.ElectionNotNeededException.class, named.get(e0).get());
            assertTrue(named.get(e1).isEmpty(), "elected");
            assertInstanceOf(org.apache.kafka.common.errors.PreferredLeaderNotAvailableException.class,
                    named.get(e2).get());
            assertInstanceOf(UnknownTopicOrPartitionException.class, named.get(missing).get());

            Map<TopicPartition, java.util.Optional<Throwable>> all = admin.electLeaders(
                    org.apache.kafka.common.ElectionType.PREFERRED, null).partitions().get();
            assertEquals(Set.of(e1, e2), all.keySet(), "partitions that needed no election are left out");
        }
    }

    /**
     * Leadership leaves this broker (the partition has no leader for a while) and comes back: the producer, the
     * consumer's fetches and ListOffsets get NOT_LEADER_OR_FOLLOWER, refresh their metadata and retry, and carry on
     * once the partition is led here again.
     */
    @Test
    void clientsRetryThroughNotLeaderOrFollower() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("moving", 1, (short) 1))).all().get();
        }
        TopicPartition tp = new TopicPartition("moving", 0);
        dev.strata.api.common.TopicPartition stp = new dev.strata.api.common.TopicPartition("moving", 0);
        try (KafkaProducer<String, String> producer = producer("1");
             KafkaConsumer<String, String> consumer = consumer();
             KafkaConsumer<String, String> offsets = consumer()) {
            assertEquals(0, producer.send(new ProducerRecord<>("moving", 0, "k", "before")).get().offset());
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertEquals("before", consume(consumer, 1).get(0).value());
            assertEquals(1L, offsets.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp)); // knows the leader

            broker.metadata().setState(new dev.strata.api.metadata.PartitionState(stp,
                    dev.strata.api.metadata.PartitionState.NO_LEADER, 1, List.of(1), List.of(1)));
            Future<RecordMetadata> during = producer.send(new ProducerRecord<>("moving", 0, "k", "during"));
            java.util.concurrent.CompletableFuture<Map<TopicPartition, Long>> end =
                    java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> offsets.endOffsets(List.of(tp), Duration.ofSeconds(20)));
            assertTrue(consumer.poll(Duration.ofMillis(500)).isEmpty(), "nothing is served while led elsewhere");
            assertFalse(during.isDone(), "the producer retries while the partition has no leader");

            broker.metadata().setState(new dev.strata.api.metadata.PartitionState(stp, TestMetadataStore.BROKER_ID,
                    2, List.of(1), List.of(1)));
            assertEquals(1, during.get(30, java.util.concurrent.TimeUnit.SECONDS).offset());
            assertEquals("during", consume(consumer, 1).get(0).value());
            assertTrue(end.get(30, java.util.concurrent.TimeUnit.SECONDS).get(tp) >= 1, "ListOffsets answered");
            assertEquals(2L, offsets.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp));
            double retries = producer.metrics().entrySet().stream()
                    .filter(e -> e.getKey().name().equals("record-retry-total")
                            && e.getKey().group().equals("producer-metrics"))
                    .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
            assertTrue(retries >= 1, "the producer retried after NOT_LEADER_OR_FOLLOWER: " + retries);
        }
    }
}
