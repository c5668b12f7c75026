package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.DescribeProducersOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionReplica;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin APIs behind Kafka's operator tools, driven as an operator drives them: the Admin client (createPartitions,
 * deleteRecords, describeLogDirs, describeReplicaLogDirs, describeProducers), then Kafka 4.1.1's own tool classes in
 * a child JVM ({@code kafka-topics --alter --partitions}, {@code kafka-delete-records --offset-json-file},
 * {@code kafka-log-dirs --describe}, {@code kafka-transactions describe-producers}), whose output must have the shape
 * it has against Kafka (the formats are those of the tools' sources). A consumer behind a DeleteRecords offset gets
 * OFFSET_OUT_OF_RANGE and resets as {@code auto.offset.reset} says. One container for the class.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AdminToolsIT {

    @RegisterExtension
    static final SharedContainer strata = new SharedContainer("admin-tools");

    private static KafkaTool tools;

    @BeforeAll
    static void tools() throws Exception {
        tools = new KafkaTool(strata.container().home().resolve("kafka-tools"));
    }

    private static Admin admin() {
        return strata.admin();
    }

    private static String bootstrap() {
        return strata.container().bootstrapServers();
    }

    private static Throwable cause(ExecutionException e) {
        return e.getCause();
    }

    /** Waits until the topic is described with {@code count} partitions, each with a leader. */
    private static TopicDescription awaitPartitions(String topic, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        TopicDescription d = null;
        while (System.nanoTime() < deadline) {
            d = admin().describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            if (d.partitions().size() == count && d.partitions().stream().allMatch(p -> p.leader() != null)) {
                return d;
            }
            Thread.sleep(100);
        }
        fail("topic " + topic + " not described with " + count + " led partitions: " + d);
        return d;
    }

    @Test
    void createPartitionsGrowsATopicForTheAdminClientAndKafkaTopics() throws Exception {
        Clients.createTopic(admin(), "grow", 1);
        admin().createPartitions(Map.of("grow", NewPartitions.increaseTo(3)),
                new CreatePartitionsOptions().validateOnly(true)).all().get(30, TimeUnit.SECONDS);
        assertEquals(1, awaitPartitions("grow", 1).partitions().size(), "validateOnly changes nothing");

        admin().createPartitions(Map.of("grow", NewPartitions.increaseTo(3))).all().get(30, TimeUnit.SECONDS);
        awaitPartitions("grow", 3);
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container())) {
            RecordMetadata sent = producer.send(new ProducerRecord<>("grow", 2, "k", "on a new partition"))
                    .get(30, TimeUnit.SECONDS);
            assertEquals(2, sent.partition());
            assertEquals(0, sent.offset());
        }
        List<ConsumerRecord<String, String>> read = Clients.readAll(strata.container(),
                List.of(new TopicPartition("grow", 2)), Duration.ofSeconds(30));
        assertEquals(List.of("on a new partition"), read.stream().map(ConsumerRecord::value).toList());

        ExecutionException same = assertThrows(ExecutionException.class, () -> admin().createPartitions(
                Map.of("grow", NewPartitions.increaseTo(3))).all().get(30, TimeUnit.SECONDS));
        assertInstanceOf(InvalidPartitionsException.class, cause(same));
        assertEquals("Topic already has 3 partition(s).", cause(same).getMessage());
        ExecutionException fewer = assertThrows(ExecutionException.class, () -> admin().createPartitions(
                Map.of("grow", NewPartitions.increaseTo(2))).all().get(30, TimeUnit.SECONDS));
        assertEquals("The topic grow currently has 3 partition(s); 2 would not be an increase.",
                cause(fewer).getMessage());
        ExecutionException placed = assertThrows(ExecutionException.class, () -> admin().createPartitions(
                Map.of("grow", NewPartitions.increaseTo(5, List.of(List.of(0), List.of(7))))).all()
                .get(30, TimeUnit.SECONDS));
        assertInstanceOf(InvalidReplicaAssignmentException.class, cause(placed));
        assertEquals("The manual partition assignment includes broker 7, but no such broker is registered.",
                cause(placed).getMessage());
        ExecutionException missing = assertThrows(ExecutionException.class, () -> admin().createPartitions(
                Map.of("no-such-topic", NewPartitions.increaseTo(2))).all().get(30, TimeUnit.SECONDS));
        assertInstanceOf(UnknownTopicOrPartitionException.class, cause(missing));
        assertEquals(3, awaitPartitions("grow", 3).partitions().size(), "nothing refused changed the topic");

        // kafka-topics.sh --alter --partitions: silent on success, as against Kafka.
        ClientProcess.Result alter = tools.run(KafkaTool.TOPICS, "--bootstrap-server", bootstrap(), "--alter",
                "--topic", "grow", "--partitions", "5");
        assertEquals(0, alter.exitCode(), alter.describe());
        assertEquals(List.of(), KafkaTool.lines(alter));
        ClientProcess.Result describe = tools.run(KafkaTool.TOPICS, "--bootstrap-server", bootstrap(),
                "--describe", "--topic", "grow");
        assertEquals(0, describe.exitCode(), describe.describe());
        List<String> described = KafkaTool.lines(describe);
        assertTrue(described.get(0).startsWith("Topic: grow\tTopicId: ") && described.get(0)
                .contains("\tPartitionCount: 5\tReplicationFactor: 1\t"), described.get(0));
        for (int p = 0; p < 5; p++) {
            assertTrue(described.get(1 + p).trim().startsWith("Topic: grow\tPartition: " + p
                    + "\tLeader: 0\tReplicas: 0\tIsr: 0"), described.get(1 + p));
        }
        ClientProcess.Result shrink = tools.run(KafkaTool.TOPICS, "--bootstrap-server", bootstrap(), "--alter",
                "--topic", "grow", "--partitions", "4");
        assertEquals(1, shrink.exitCode(), shrink.describe());
        assertEquals(List.of("Error while executing topic command : The topic grow currently has 5 partition(s); "
                + "4 would not be an increase."), KafkaTool.lines(shrink));
    }

    @Test
    void aGroupMemberIsGivenTheNewPartitions() throws Exception {
        String topic = "regroup";
        Clients.createTopic(admin(), topic, 1);
        try (KafkaConsumer<String, String> member = Clients.consumer(strata.container(), Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "regroup-group", ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500))) {
            member.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (member.assignment().size() != 1 && System.nanoTime() < deadline) {
                member.poll(Duration.ofMillis(200));
            }
            assertEquals(1, member.assignment().size(), "joined with the one partition");

            admin().createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = Clients.producer(strata.container())) {
                producer.send(new ProducerRecord<>(topic, 2, "k", "new partition")).get(30, TimeUnit.SECONDS);
            }
            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            while (got.isEmpty() && System.nanoTime() < deadline) {
                member.poll(Duration.ofMillis(200)).forEach(got::add);
            }
            assertEquals(List.of("new partition"), got.stream().map(ConsumerRecord::value).toList(),
                    "the member's metadata refresh found the new partitions and the group reassigned them");
            assertEquals(3, member.assignment().size());
        }
    }

    @Test
    void deleteRecordsMovesTheLowWatermarkThatConsumersAndListOffsetsFollow() throws Exception {
        String topic = "trimmed";
        TopicPartition tp = new TopicPartition(topic, 0);
        Clients.createTopic(admin(), topic, 1, Map.of("segment.bytes", "8192"));
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container(),
                Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 1024))) {
            Future<RecordMetadata> last = null;
            for (int i = 0; i < 1000; i++) {
                last = producer.send(new ProducerRecord<>(topic, 0, "k" + i, "value-" + i));
            }
            assertEquals(999, last.get(30, TimeUnit.SECONDS).offset());
            long sizeBefore = partitionSize(tp);

            assertEquals(400, admin().deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(400))).lowWatermarks()
                    .get(tp).get(30, TimeUnit.SECONDS).lowWatermark());
            assertEquals(400, offset(tp, OffsetSpec.earliest()));
            assertEquals(1000, offset(tp, OffsetSpec.latest()));
            assertTrue(partitionSize(tp) < sizeBefore, "whole segments below the start left the log");

            assertEquals(400, firstOffsetAfterSeek(tp, 100, "earliest"), "reset to the new start");
            assertEquals(1000, firstPositionAfterSeek(tp, 100, "latest"));
            try (KafkaConsumer<String, String> strict = Clients.consumer(strata.container(),
                    Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
                strict.assign(List.of(tp));
                strict.seek(tp, 100);
                OffsetOutOfRangeException e = assertThrows(OffsetOutOfRangeException.class,
                        () -> strict.poll(Duration.ofSeconds(10)));
                assertEquals(Map.of(tp, 100L), e.offsetOutOfRangePartitions());
            }

            ExecutionException beyond = assertThrows(ExecutionException.class, () -> admin().deleteRecords(
                    Map.of(tp, RecordsToDelete.beforeOffset(1001))).lowWatermarks().get(tp).get(30, TimeUnit.SECONDS));
            assertInstanceOf(org.apache.kafka.common.errors.OffsetOutOfRangeException.class, cause(beyond));
            assertEquals(400, offset(tp, OffsetSpec.earliest()), "a refused delete moves nothing");

            // kafka-delete-records.sh --offset-json-file: one line per partition, a low watermark or an error.
            assertEquals(List.of("Executing records delete operation", "Records delete operation completed:",
                    "partition: trimmed-0\tlow_watermark: 600"), deleteRecordsTool(topic, 600));
            assertEquals(List.of("Executing records delete operation", "Records delete operation completed:",
                    "partition: trimmed-0\terror: org.apache.kafka.common.errors.OffsetOutOfRangeException: The "
                            + "requested offset is not within the range of offsets maintained by the server."),
                    deleteRecordsTool(topic, 5000));
            assertEquals(List.of("Executing records delete operation", "Records delete operation completed:",
                    "partition: trimmed-0\tlow_watermark: 1000"), deleteRecordsTool(topic, -1), "-1: the high watermark");

            // The idempotent producer whose records were all removed goes on with its sequence.
            RecordMetadata next = producer.send(new ProducerRecord<>(topic, 0, "k", "after")).get(30, TimeUnit.SECONDS);
            assertEquals(1000, next.offset());
        }
        List<ConsumerRecord<String, String>> left = Clients.readAll(strata.container(), List.of(tp),
                Duration.ofSeconds(30));
        assertEquals(List.of(1000L), left.stream().map(ConsumerRecord::offset).toList());
    }

    private static List<String> deleteRecordsTool(String topic, long offset) throws Exception {
        Path json = tools.workDir().resolve("delete-" + topic + "-" + offset + ".json");
        Files.writeString(json, "{\"partitions\": [{\"topic\": \"" + topic + "\", \"partition\": 0, \"offset\": "
                + offset + "}], \"version\": 1}");
        ClientProcess.Result r = tools.run(KafkaTool.DELETE_RECORDS, "--bootstrap-server", bootstrap(),
                "--offset-json-file", json.toString());
        assertEquals(0, r.exitCode(), r.describe());
        return KafkaTool.lines(r);
    }

    private static long offset(TopicPartition tp, OffsetSpec spec) throws Exception {
        return admin().listOffsets(Map.of(tp, spec)).partitionResult(tp).get(30, TimeUnit.SECONDS).offset();
    }

    private static long partitionSize(TopicPartition tp) throws Exception {
        return admin().describeLogDirs(List.of(0)).allDescriptions().get(30, TimeUnit.SECONDS).get(0).values()
                .iterator().next().replicaInfos().get(tp).size();
    }

    /** The offset of the first record a consumer gets after seeking to {@code offset}. */
    private static long firstOffsetAfterSeek(TopicPartition tp, long offset, String reset) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(strata.container(),
                Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            List<ConsumerRecord<String, String>> got = Clients.poll(consumer, 1, Duration.ofSeconds(30));
            assertFalse(got.isEmpty(), "nothing read after seeking to " + offset);
            return got.get(0).offset();
        }
    }

    /** Where a consumer stands once its fetch at {@code offset} was answered and reset. */
    private static long firstPositionAfterSeek(TopicPartition tp, long offset, String reset)
            throws InterruptedException {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(strata.container(),
                Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumer.position(tp) == offset && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200));
            }
            return consumer.position(tp);
        }
    }

    @Test
    void logDirsReportTheDirectoryItsSpaceAndEachPartitionsSize() throws Exception {
        String topic = "sized";
        Clients.createTopic(admin(), topic, 2);
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container())) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i));
            }
            producer.flush();
        }
        String dataDir = strata.container().dataDir().toAbsolutePath().toString();
        Map<String, LogDirDescription> dirs = admin().describeLogDirs(List.of(0)).allDescriptions()
                .get(30, TimeUnit.SECONDS).get(0);
        assertEquals(List.of(dataDir), List.copyOf(dirs.keySet()));
        LogDirDescription d = dirs.get(dataDir);
        assertEquals(null, d.error());
        assertTrue(d.totalBytes().orElse(-1) > 0 && d.usableBytes().orElse(-1) > 0
                && d.usableBytes().getAsLong() <= d.totalBytes().getAsLong(), d.toString());
        ReplicaInfo p0 = d.replicaInfos().get(new TopicPartition(topic, 0));
        ReplicaInfo p1 = d.replicaInfos().get(new TopicPartition(topic, 1));
        assertTrue(p0.size() > 50 * 10, "" + p0);
        assertEquals(0, p1.size());
        assertEquals(0, p0.offsetLag());
        assertFalse(p0.isFuture());
        assertEquals(dataDir, admin().describeReplicaLogDirs(List.of(new TopicPartitionReplica(topic, 0, 0)))
                .all().get(30, TimeUnit.SECONDS).get(new TopicPartitionReplica(topic, 0, 0)).getCurrentReplicaLogDir());

        // kafka-log-dirs.sh --describe: two lines, then the JSON document.
        ClientProcess.Result r = tools.run(KafkaTool.LOG_DIRS, "--bootstrap-server", bootstrap(), "--describe",
                "--topic-list", topic);
        assertEquals(0, r.exitCode(), r.describe());
        List<String> lines = KafkaTool.lines(r);
        assertEquals(3, lines.size(), r.describe());
        assertEquals("Querying brokers for log directories information", lines.get(0));
        assertEquals("Received log directory information from brokers 0", lines.get(1));
        Map<?, ?> json = (Map<?, ?>) Json.parse(lines.get(2));
        assertEquals(1.0, json.get("version"));
        List<?> brokers = (List<?>) json.get("brokers");
        assertEquals(1, brokers.size());
        Map<?, ?> broker = (Map<?, ?>) brokers.get(0);
        assertEquals(0.0, broker.get("broker"));
        List<?> logDirs = (List<?>) broker.get("logDirs");
        assertEquals(1, logDirs.size());
        Map<?, ?> logDir = (Map<?, ?>) logDirs.get(0);
        assertEquals(dataDir, logDir.get("logDir"));
        assertEquals(null, logDir.get("error"));
        Map<String, Map<?, ?>> partitions = new TreeMap<>();
        for (Object o : (List<?>) logDir.get("partitions")) {
            Map<?, ?> p = (Map<?, ?>) o;
            partitions.put((String) p.get("partition"), p);
        }
        assertEquals(List.of(topic + "-0", topic + "-1"), List.copyOf(partitions.keySet()), "only --topic-list");
        assertEquals((double) p0.size(), partitions.get(topic + "-0").get("size"));
        assertEquals(0.0, partitions.get(topic + "-0").get("offsetLag"));
        assertEquals(false, partitions.get(topic + "-0").get("isFuture"));
    }

    @Test
    void describeProducersShowsTheIdempotentProducersOfAPartition() throws Exception {
        String topic = "produced";
        TopicPartition tp = new TopicPartition(topic, 0);
        Clients.createTopic(admin(), topic, 1);
        long before = System.currentTimeMillis();
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        List<ProducerState> producers = admin().describeProducers(List.of(tp)).partitionResult(tp)
                .get(30, TimeUnit.SECONDS).activeProducers();
        assertEquals(1, producers.size(), "" + producers);
        ProducerState s = producers.get(0);
        assertTrue(s.producerId() >= 0);
        assertEquals(0, s.producerEpoch());
        assertEquals(4, s.lastSequence(), "five batches of one record each");
        assertTrue(s.lastTimestamp() >= before && s.lastTimestamp() <= System.currentTimeMillis(), "" + s);
        assertEquals(OptionalInt.empty(), s.coordinatorEpoch());
        assertEquals(OptionalLong.empty(), s.currentTransactionStartOffset());

        // The broker answers UNKNOWN_TOPIC_OR_PARTITION (ResponseVersionsTest checks the wire), which Kafka's client
        // retries until its timeout (DescribeProducersHandler), so against Kafka too the caller sees a timeout.
        ExecutionException unknown = assertThrows(ExecutionException.class, () -> admin().describeProducers(
                List.of(new TopicPartition("no-such-topic", 0)), new DescribeProducersOptions().brokerId(0)
                        .timeoutMs(3000)).all().get(30, TimeUnit.SECONDS));
        assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, cause(unknown));

        // kafka-transactions.sh describe-producers: a header and one row per producer.
        ClientProcess.Result r = tools.run(KafkaTool.TRANSACTIONS, "--bootstrap-server", bootstrap(),
                "describe-producers", "--topic", topic, "--partition", "0");
        assertEquals(0, r.exitCode(), r.describe());
        List<String> lines = KafkaTool.lines(r);
        assertEquals(List.of("ProducerId", "ProducerEpoch", "LatestCoordinatorEpoch", "LastSequence",
                "LastTimestamp", "CurrentTransactionStartOffset"), List.of(lines.get(0).trim().split("\\s+")));
        assertEquals(List.of(Long.toString(s.producerId()), "0", "-1", "4", Long.toString(s.lastTimestamp()), "None"),
                List.of(lines.get(1).trim().split("\\s+")));
        assertEquals(2, lines.size(), r.describe());
    }

    @Test
    void leaderElectionToolFindsTheLeadersOfASingleBrokerAlreadyElected() throws Exception {
        String topic = "elected";
        Clients.createTopic(admin(), topic, 2);
        // kafka-leader-election.sh: one line naming the partitions whose preferred leader already leads.
        ClientProcess.Result r = tools.run(KafkaTool.LEADER_ELECTION, "--bootstrap-server", bootstrap(),
                "--election-type", "PREFERRED", "--topic", topic, "--partition", "1");
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals(List.of("Valid replica already elected for partitions " + topic + "-1"), KafkaTool.lines(r));

        // Every partition: those needing no election are not listed, so nothing is printed.
        r = tools.run(KafkaTool.LEADER_ELECTION, "--bootstrap-server", bootstrap(), "--election-type", "preferred",
                "--all-topic-partitions");
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals(List.of(), KafkaTool.lines(r));

        // An unknown partition is reported with Kafka's error and a failing exit code.
        r = tools.run(KafkaTool.LEADER_ELECTION, "--bootstrap-server", bootstrap(), "--election-type", "UNCLEAN",
                "--topic", topic, "--partition", "7");
        assertEquals(1, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("Error completing leader election (UNCLEAN) for partition: " + topic
                + "-7: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: No such partition as "
                + topic + "-7"), r.describe());
    }
}
