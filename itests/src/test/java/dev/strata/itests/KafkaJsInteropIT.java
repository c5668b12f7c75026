package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * KafkaJS 2.2.4 (pure JavaScript, from npm) against Strata: admin creates, describes and deletes topics; an
 * idempotent producer sends keyed records; a consumer group reads them all, commits, and the group's next member
 * resumes at the commit; a transactional producer is refused at once. One container for the class.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // the first class to run also builds the clients (about a minute)
class KafkaJsInteropIT {

    @RegisterExtension
    static final SharedContainer strata = SharedContainer.withQuickGroupJoins("kafkajs");

    private static ThirdPartyClient kafkajs;

    @BeforeAll
    static void buildClient() throws Exception {
        kafkajs = ThirdPartyClient.kafkajs(strata.container());
    }

    @Test
    void adminCreatesDescribesAndDeletesTopics() throws Exception {
        assertEquals(List.of("created kjs-admin true"), kafkajs.run("create-topic", "kjs-admin", "3"));
        List<String> described = kafkajs.run("describe", "kjs-admin");
        assertEquals(List.of("kjs-admin 0 leader 0 replicas 0 isr 0", "kjs-admin 1 leader 0 replicas 0 isr 0",
                "kjs-admin 2 leader 0 replicas 0 isr 0"), ThirdPartyClient.linesStartingWith(described, "partition"));
        assertTrue(ThirdPartyClient.linesStartingWith(described, "listed").contains("kjs-admin"), "" + described);
        assertEquals(List.of("0 " + strata.container().bootstrapServers()),
                ThirdPartyClient.linesStartingWith(described, "broker"));
        String clusterId = strata.admin().describeCluster().clusterId().get(30, TimeUnit.SECONDS);
        assertTrue(described.contains("cluster " + clusterId + " controller 0"), "" + described);

        assertEquals(List.of("deleted kjs-admin"), kafkajs.run("delete-topic", "kjs-admin"));
        assertFalse(strata.admin().listTopics().names().get(30, TimeUnit.SECONDS).contains("kjs-admin"));
    }

    @Test
    void adminGrowsATopicAndDeletesRecords() throws Exception {
        String topic = "kjs-trim";
        assertEquals(List.of("created " + topic + " true"), kafkajs.run("create-topic", topic, "1"));
        assertEquals(List.of("partitions " + topic + " 3"), kafkajs.run("create-partitions", topic, "3"));
        assertEquals(3, strata.admin().describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(topic).partitions().size());
        assertEquals(List.of("acknowledged 300"), kafkajs.run("produce", topic, "0", "300"));
        Map<TopicPartition, Long> ends = endOffsets(topic);
        long end0 = ends.get(new TopicPartition(topic, 0));
        assertTrue(end0 > 10, "keys spread over the 3 partitions: " + ends);

        List<String> trimmed = ThirdPartyClient.linesStartingWith(kafkajs.run("delete-records", topic, "0", "10"),
                "offsets");
        assertEquals(List.of(topic + " 0 low 10 high " + end0,
                topic + " 1 low 0 high " + ends.get(new TopicPartition(topic, 1)),
                topic + " 2 low 0 high " + ends.get(new TopicPartition(topic, 2))), trimmed);
        assertEquals(10L, strata.admin().listOffsets(Map.of(new TopicPartition(topic, 0),
                org.apache.kafka.clients.admin.OffsetSpec.earliest())).partitionResult(new TopicPartition(topic, 0))
                .get(30, TimeUnit.SECONDS).offset());
        // -1: up to the high watermark
        assertEquals(topic + " 0 low " + end0 + " high " + end0, ThirdPartyClient.linesStartingWith(
                kafkajs.run("delete-records", topic, "0", "-1"), "offsets").get(0));
    }

    @Test
    void groupConsumesEverythingCommitsAndTheNextMemberResumes() throws Exception {
        String topic = "kjs-orders";
        assertEquals(List.of("created " + topic + " true"), kafkajs.run("create-topic", topic, "3"));
        assertEquals(List.of("acknowledged 600"), kafkajs.run("produce", topic, "0", "600"));

        Map<String, String> first = assertConsumed(kafkajs.run("consume", topic, "kjs-group", "600"), 0, 600);
        // What KafkaJS wrote and read, kafka-clients reads at the same offsets.
        List<ConsumerRecord<String, String>> byJava = Clients.readAll(strata.container(),
                Clients.partitions(topic, 3), Duration.ofSeconds(60));
        Map<String, String> java = new TreeMap<>();
        byJava.forEach(r -> java.put(r.key(), r.partition() + "@" + r.offset()));
        assertEquals(first, java, "key -> partition@offset, KafkaJS's reading and kafka-clients'");
        assertEquals(endOffsets(topic), committed("kjs-group"), "the group committed the end of each partition");
        assertEquals(List.of("kjs-group error 0 state Empty members 0"),
                ThirdPartyClient.linesStartingWith(kafkajs.run("describe-group", "kjs-group"), "group"));

        assertEquals(List.of("acknowledged 100"), kafkajs.run("produce", topic, "600", "100"));
        assertConsumed(kafkajs.run("consume", topic, "kjs-group", "100"), 600, 100);
    }

    /** Keys k{from}..k{from+count-1}, each once, with its value, offsets contiguous per partition from the start. */
    private static Map<String, String> assertConsumed(List<String> out, int from, int count) {
        Map<String, String> got = new TreeMap<>();
        Map<Integer, Long> lastOffset = new HashMap<>();
        for (String line : ThirdPartyClient.linesStartingWith(out, "record")) {
            String[] f = line.split(" "); // partition offset key value
            int partition = Integer.parseInt(f[0]);
            long offset = Long.parseLong(f[1]);
            assertEquals("v" + f[2].substring(1), f[3], "value of " + line);
            Long previous = lastOffset.put(partition, offset);
            if (previous != null) {
                assertEquals(previous + 1, offset, "offsets of partition " + partition + " follow each other");
            }
            assertEquals(null, got.put(f[2], partition + "@" + offset), "read twice: " + line);
        }
        Map<String, String> expectedKeys = new TreeMap<>();
        for (int i = from; i < from + count; i++) {
            expectedKeys.put("k" + i, got.get("k" + i));
        }
        assertEquals(expectedKeys.keySet(), got.keySet(), "keys the group member read");
        assertTrue(out.contains("consumed " + count), "consumer: " + out);
        return got;
    }

    private static Map<TopicPartition, Long> endOffsets(String topic) {
        try (var consumer = Clients.consumer(strata.container())) {
            return new HashMap<>(consumer.endOffsets(Clients.partitions(topic, 3), Duration.ofSeconds(30)));
        }
    }

    private static Map<TopicPartition, Long> committed(String group) throws Exception {
        return Clients.committed(strata.admin(), group);
    }

    @Test
    void unknownGroupIsDeadWithoutAnErrorAtKafkaJsVersion() throws Exception {
        // KafkaJS describes with DescribeGroups v2: there Kafka answers an unknown group as Dead, no error.
        assertEquals(List.of("nobody error 0 state Dead members 0"),
                ThirdPartyClient.linesStartingWith(kafkajs.run("describe-group", "nobody"), "group"));
    }

    @Test
    void transactionalProducerIsRefusedAtOnce() throws Exception {
        List<String> out = kafkajs.run("transaction", "kjs-tx");
        String outcome = ThirdPartyClient.linesStartingWith(out, "transaction").get(0);
        // KafkaJS reports every refused transaction coordinator lookup this way (it drops the broker's message).
        assertTrue(outcome.startsWith("KafkaJSGroupCoordinatorNotFound retriable false "), "outcome: " + out);
        long elapsed = Long.parseLong(outcome.substring(outcome.lastIndexOf(' ') + 1));
        assertTrue(elapsed < 30_000, "refused after " + elapsed + " ms, not after KafkaJS's retries");
    }
}
