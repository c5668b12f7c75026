package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kafka-clients 4.1.1's Admin and producer against the real stack get what a Kafka 4.1 broker without an authorizer
 * gives: the authorized operations of topics, the cluster and groups; manual replica assignment, validated with
 * Kafka's errors; DescribeGroups of an unknown group; and a transactional producer refused at once, saying why.
 */
class KafkaParityTest {
    private static final Set<AclOperation> TOPIC_OPERATIONS = Set.of(AclOperation.READ, AclOperation.WRITE,
            AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER,
            AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
    private static final Set<AclOperation> CLUSTER_OPERATIONS = Set.of(AclOperation.CREATE,
            AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS,
            AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE);
    private static final Set<AclOperation> GROUP_OPERATIONS = Set.of(AclOperation.READ, AclOperation.DESCRIBE,
            AclOperation.DELETE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);

    @TempDir
    Path dir;

    private RealStack stack;
    private Admin admin;

    @BeforeEach
    void start() throws Exception {
        stack = new RealStack(dir);
        admin = Admin.create(common());
    }

    @AfterEach
    void stop() throws Exception {
        admin.close(Duration.ofSeconds(10));
        stack.close();
    }

    private Properties common() {
        return stack.clientProperties();
    }

    @Test
    void authorizedOperationsAreEverythingTheResourceSupportsAsWithoutAnAuthorizer() throws Exception {
        admin.createTopics(List.of(new NewTopic("ops", 1, (short) 1))).all().get();

        TopicDescription topic = admin.describeTopics(List.of("ops"),
                new DescribeTopicsOptions().includeAuthorizedOperations(true)).allTopicNames().get().get("ops");
        assertEquals(TOPIC_OPERATIONS, topic.authorizedOperations());
        assertNull(admin.describeTopics(List.of("ops")).allTopicNames().get().get("ops").authorizedOperations(),
                "not asked for, not given");

        DescribeClusterResult cluster = admin.describeCluster(
                new DescribeClusterOptions().includeAuthorizedOperations(true));
        assertEquals(CLUSTER_OPERATIONS, cluster.authorizedOperations().get());
        assertEquals(0, cluster.controller().get().id(), "this broker answers as the controller");
        assertNull(admin.describeCluster().authorizedOperations().get());

        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(groupProperties("described"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.commitSync(Map.of(new TopicPartition("ops", 0), new OffsetAndMetadata(0)));
        }
        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("described"),
                new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true)).all().get().get("described");
        assertEquals(GROUP_OPERATIONS, group.authorizedOperations());
    }

    private RawConnection rawConnection() throws IOException {
        return new RawConnection(stack.port());
    }

    private Properties groupProperties(String group) {
        Properties p = common();
        p.put("group.id", group);
        return p;
    }

    @Test
    void unknownGroupIsGroupIdNotFoundAsInKafka4() {
        // kafka-clients 4.1 describes with DescribeGroups v6 (KIP-1043): Kafka answers GROUP_ID_NOT_FOUND there.
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> admin.describeConsumerGroups(List.of("nobody")).all().get());
        assertInstanceOf(GroupIdNotFoundException.class, e.getCause());
        assertEquals("Group nobody not found.", e.getCause().getMessage());
    }

    @Test
    void manualReplicaAssignmentOnThisBrokerCreatesTheTopic() throws Exception {
        int self = stack.broker().metadata().localBrokerId();
        Map<Integer, List<Integer>> assignment = Map.of(0, List.of(self), 1, List.of(self), 2, List.of(self));

        var dry = admin.createTopics(List.of(new NewTopic("placed", assignment)),
                new CreateTopicsOptions().validateOnly(true));
        assertEquals(3, dry.numPartitions("placed").get());
        assertEquals(1, dry.replicationFactor("placed").get());
        assertFalse(admin.listTopics().names().get().contains("placed"), "validateOnly creates nothing");

        var created = admin.createTopics(List.of(new NewTopic("placed", assignment)));
        assertEquals(3, created.numPartitions("placed").get());
        TopicDescription description = admin.describeTopics(List.of("placed")).allTopicNames().get().get("placed");
        assertEquals(3, description.partitions().size());
        description.partitions().forEach(p -> assertEquals(self, p.leader().id()));

        ExecutionException again = assertThrows(ExecutionException.class,
                () -> admin.createTopics(List.of(new NewTopic("placed", assignment))).all().get());
        assertInstanceOf(TopicExistsException.class, again.getCause());
    }

    @Test
    void badManualAssignmentsAreRefusedWithKafkasMessages() throws Exception {
        int self = stack.broker().metadata().localBrokerId();
        assertRefused(Map.of(0, List.of(7)), "The manual partition assignment includes broker 7, but no such broker"
                + " is registered.");
        assertRefused(Map.of(0, List.of(self, self)), "The manual partition assignment includes the broker " + self
                + " more than once.");
        assertRefused(Map.of(0, List.of()), "The manual partition assignment includes an empty replica list.");
        assertRefused(Map.of(0, List.of(self), 2, List.of(self)),
                "partitions should be a consecutive 0-based integer sequence");
        for (boolean validateOnly : new boolean[] {true, false}) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> admin.createTopics(
                    List.of(new NewTopic("bad", Map.of(0, List.of(self), 1, List.of(self, 9)))),
                    new CreateTopicsOptions().validateOnly(validateOnly)).all().get());
            assertInstanceOf(InvalidReplicaAssignmentException.class, e.getCause());
        }
        assertFalse(admin.listTopics().names().get().contains("bad"), "nothing created");
    }

    private void assertRefused(Map<Integer, List<Integer>> assignment, String message) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> admin.createTopics(List.of(new NewTopic("bad", assignment))).all().get());
        assertInstanceOf(InvalidReplicaAssignmentException.class, e.getCause(), String.valueOf(assignment));
        assertEquals(message, e.getCause().getMessage());
    }

    @Test
    void transactionalProducerIsRefusedAtOnceSayingWhy() {
        Properties p = common();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-1");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            long start = System.nanoTime();
            KafkaException e = assertThrows(KafkaException.class, producer::initTransactions);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(e.getMessage().contains("Transactions are not supported by this broker yet"), e.toString());
            // Only to tell "refused" from "retried until max.block.ms": a refusal is one round trip.
            assertTrue(tookMs < 30_000, "refused after " + tookMs + " ms, not at the 60 s max.block.ms");
        }
    }

    @Test
    void transactionCoordinatorLookupsAreRefusedSoEachClientFamilyGivesUp() throws Exception {
        try (RawConnection raw = rawConnection()) {
            // v0-v3 (librdkafka, KafkaJS): the one code librdkafka treats as final, with the reason.
            raw.send(new FindCoordinatorRequestData().setKey("tx").setKeyType((byte) 1), (short) 2, 1);
            FindCoordinatorResponseData single = new FindCoordinatorResponseData();
            raw.readResponse(single, (short) 2);
            assertEquals(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code(), single.errorCode());
            assertTrue(single.errorMessage().contains("Transactions are not supported"), single.errorMessage());
            assertEquals(-1, single.nodeId());
            // v4+ (kafka-clients 3.0+): INVALID_REQUEST, whose message kafka-clients shows as it is.
            raw.send(new FindCoordinatorRequestData().setKeyType((byte) 1).setCoordinatorKeys(List.of("tx")),
                    (short) 6, 2);
            FindCoordinatorResponseData batched = new FindCoordinatorResponseData();
            raw.readResponse(batched, (short) 6);
            assertEquals(Errors.INVALID_REQUEST.code(), batched.coordinators().get(0).errorCode());
            assertTrue(batched.coordinators().get(0).errorMessage().contains("Transactions are not supported"));
            // An unknown key type is a bad request, as in Kafka.
            raw.send(new FindCoordinatorRequestData().setKey("x").setKeyType((byte) 9), (short) 3, 3);
            FindCoordinatorResponseData unknown = new FindCoordinatorResponseData();
            raw.readResponse(unknown, (short) 3);
            assertEquals(Errors.INVALID_REQUEST.code(), unknown.errorCode());
            // InitProducerId with a transactional id (a client that skips the lookup) is refused the same way.
            raw.send(new InitProducerIdRequestData().setTransactionalId("tx").setTransactionTimeoutMs(60000),
                    (short) 4, 4);
            InitProducerIdResponseData init = new InitProducerIdResponseData();
            raw.readResponse(init, (short) 4);
            assertEquals(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code(), init.errorCode());
        }
    }

    @Test
    void manualAssignmentRequestShapeIsCheckedAsKafkasController() throws Exception {
        try (RawConnection raw = rawConnection()) {
            CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(5000);
            request.topics().add(placed("with-count", 3, 0, 1));
            CreateTopicsRequestData.CreatableTopic twice = placed("twice", -1, 0);
            twice.assignments().add(new CreateTopicsRequestData.CreatableReplicaAssignment().setPartitionIndex(0)
                    .setBrokerIds(List.of(0)));
            request.topics().add(twice);
            raw.send(request, (short) 7, 1);
            CreateTopicsResponseData response = new CreateTopicsResponseData();
            raw.readResponse(response, (short) 7);
            CreateTopicsResponseData.CreatableTopicResult withCount = response.topics().find("with-count");
            assertEquals(Errors.INVALID_REQUEST.code(), withCount.errorCode());
            assertEquals("A manual partition assignment was specified, but numPartitions was not set to -1.",
                    withCount.errorMessage());
            CreateTopicsResponseData.CreatableTopicResult dup = response.topics().find("twice");
            assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT.code(), dup.errorCode());
            assertEquals("Found multiple manual partition assignments for partition 0", dup.errorMessage());
        }
    }

    /** A topic placed on broker 0 for partitions {@code 0..partitions-1}, with {@code numPartitions} as given. */
    private static CreateTopicsRequestData.CreatableTopic placed(String name, int numPartitions, int... partitions) {
        CreateTopicsRequestData.CreatableTopic topic = new CreateTopicsRequestData.CreatableTopic().setName(name)
                .setNumPartitions(numPartitions).setReplicationFactor((short) -1);
        for (int p : partitions) {
            topic.assignments().add(new CreateTopicsRequestData.CreatableReplicaAssignment().setPartitionIndex(p)
                    .setBrokerIds(List.of(0)));
        }
        return topic;
    }

    @Test
    void describeClusterServesOnlyBrokerEndpointsAsKafkaBrokersDo() throws Exception {
        try (RawConnection raw = rawConnection()) {
            raw.send(new DescribeClusterRequestData().setEndpointType((byte) 2), (short) 1, 1);
            DescribeClusterResponseData controller = new DescribeClusterResponseData();
            raw.readResponse(controller, (short) 1);
            assertEquals(Errors.MISMATCHED_ENDPOINT_TYPE.code(), controller.errorCode());
            raw.send(new DescribeClusterRequestData().setEndpointType((byte) 9), (short) 2, 2);
            DescribeClusterResponseData unknown = new DescribeClusterResponseData();
            raw.readResponse(unknown, (short) 2);
            assertEquals(Errors.UNSUPPORTED_ENDPOINT_TYPE.code(), unknown.errorCode());
            assertEquals("Unsupported endpoint type 9", unknown.errorMessage());
        }
    }
}
