package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The newest librdkafka (2.15.1, built from the source inside {@code @confluentinc/kafka-javascript} 1.10.1) as every
 * application linking it uses Strata: the all-topics Metadata request (v13, sent with 3 bytes after its body) lists
 * every topic; a group consumer subscribed to a regex reads every matching topic, commits, and its next run resumes
 * at the commit; admin creates, describes (with authorized operations) and deletes; a transactional producer is
 * refused at once instead of retrying until its timeout. One container for the class.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // the first class to run also builds the client (about a minute)
class LibrdkafkaInteropIT {

    @RegisterExtension
    static final SharedContainer strata = SharedContainer.withQuickGroupJoins("librdkafka");

    private static ThirdPartyClient rdkafka;

    @BeforeAll
    static void buildClient() throws Exception {
        rdkafka = ThirdPartyClient.librdkafka(strata.container());
    }

    @Test
    void allTopicsMetadataListsEveryTopic() throws Exception {
        Clients.createTopic(strata.admin(), "listed-a", 3);
        Clients.createTopic(strata.admin(), "listed-b", 1);
        List<String> out = rdkafka.run("list-topics");
        assertEquals(List.of("0 " + strata.container().bootstrapServers()),
                ThirdPartyClient.linesStartingWith(out, "broker"), "brokers: " + out);
        List<String> topics = ThirdPartyClient.linesStartingWith(out, "topic");
        assertTrue(topics.contains("listed-a 3 NO_ERROR"), "all topics: " + topics);
        assertTrue(topics.contains("listed-b 1 NO_ERROR"), "all topics: " + topics);
        assertTrue(topics.contains("__consumer_offsets 50 NO_ERROR"), "all topics: " + topics);
    }

    @Test
    void regexSubscriptionReadsEveryMatchingTopicCommitsAndResumes() throws Exception {
        Clients.createTopic(strata.admin(), "rx-orders", 3);
        Clients.createTopic(strata.admin(), "rx-payments", 2);
        Clients.createTopic(strata.admin(), "other-rx", 1);
        Map<String, String> first = new HashMap<>();
        first.putAll(produce("rx-orders", 0, 300, "lz4"));
        first.putAll(produce("rx-payments", 0, 200, "gzip"));
        produce("other-rx", 0, 20, "none");

        assertConsumed(first, rdkafka.run("consume-regex", "rx-group", "^rx-.*", "500"));
        Map<TopicPartition, Long> ends = endOffsets(Map.of("rx-orders", 3, "rx-payments", 2));
        assertEquals(ends, committed("rx-group"), "the group committed the end of every partition it read");
        // What librdkafka wrote, kafka-clients reads at the same offsets.
        List<ConsumerRecord<String, String>> byJava = Clients.readAll(strata.container(),
                Clients.partitions("rx-payments", 2), Duration.ofSeconds(60));
        assertEquals(200, byJava.size());
        byJava.forEach(r -> assertEquals(r.partition() + "@" + r.offset(), first.get("rx-payments/" + r.key()),
                "kafka-clients' view of " + r.key()));

        // The next run of the group gets only what came after its commit.
        Map<String, String> second = produce("rx-orders", 300, 40, "snappy");
        assertConsumed(second, rdkafka.run("consume-regex", "rx-group", "^rx-.*", "40"));
    }

    /** librdkafka produces; returns {@code topic/key -> partition@offset} of every acknowledged record. */
    private static Map<String, String> produce(String topic, int from, int count, String codec) throws Exception {
        List<String> out = rdkafka.run("produce", topic, Integer.toString(from), Integer.toString(count), codec);
        assertTrue(out.contains("acknowledged " + count + " failed 0"), "librdkafka produce: " + out);
        Map<String, String> acked = new HashMap<>();
        for (String line : ThirdPartyClient.linesStartingWith(out, "delivered")) {
            String[] f = line.split(" "); // partition offset key
            assertEquals(null, acked.put(topic + "/" + f[2], f[0] + "@" + f[1]), "acknowledged twice: " + line);
        }
        assertEquals(count, acked.size());
        return acked;
    }

    /** Exactly the expected records, once each, where they were acknowledged, and nothing else. */
    private static void assertConsumed(Map<String, String> expected, List<String> out) {
        Map<String, String> got = new TreeMap<>();
        for (String line : ThirdPartyClient.linesStartingWith(out, "record")) {
            String[] f = line.split(" "); // topic partition offset key value
            assertEquals("v" + f[3].substring(1), f[4], "value of " + line);
            got.merge(f[0] + "/" + f[3], f[1] + "@" + f[2], (a, b) -> a + " and " + b);
        }
        assertEquals(new TreeMap<>(expected), got, "topic/key -> partition@offset consumed by the regex group");
        assertTrue(out.contains("consumed " + expected.size() + " committed NO_ERROR"), "consumer: " + out);
    }

    private static Map<TopicPartition, Long> endOffsets(Map<String, Integer> partitionsByTopic) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        partitionsByTopic.forEach((topic, count) -> partitions.addAll(Clients.partitions(topic, count)));
        try (var consumer = Clients.consumer(strata.container())) {
            return new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
        }
    }

    private static Map<TopicPartition, Long> committed(String group) throws Exception {
        return Clients.committed(strata.admin(), group);
    }

    @Test
    void adminCreatesDescribesWithAuthorizedOperationsAndDeletes() throws Exception {
        assertEquals(List.of("created rdk-admin NO_ERROR"), rdkafka.run("create-topic", "rdk-admin", "4").stream()
                .filter(l -> l.startsWith("created")).toList());
        List<String> topic = rdkafka.run("describe-topic", "rdk-admin");
        assertTrue(topic.contains("topic rdk-admin NO_ERROR partitions 4"), "describe-topic: " + topic);
        assertEquals(Set.of("READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE", "DESCRIBE_CONFIGS",
                "ALTER_CONFIGS"), operations(topic), "a topic's operations, as Kafka without an authorizer");

        List<String> cluster = rdkafka.run("describe-cluster");
        assertEquals(List.of("0 " + strata.container().bootstrapServers()),
                ThirdPartyClient.linesStartingWith(cluster, "node"), "describe-cluster: " + cluster);
        assertTrue(cluster.contains("controller 0"), "describe-cluster: " + cluster);
        assertEquals(Set.of("CREATE", "ALTER", "DESCRIBE", "CLUSTER_ACTION", "DESCRIBE_CONFIGS", "ALTER_CONFIGS",
                "IDEMPOTENT_WRITE"), operations(cluster), "the cluster's operations");

        assertEquals(List.of("deleted rdk-admin NO_ERROR"), rdkafka.run("delete-topic", "rdk-admin").stream()
                .filter(l -> l.startsWith("deleted")).toList());
        assertFalse(strata.admin().listTopics().names().get(30, TimeUnit.SECONDS).contains("rdk-admin"));
    }

    @Test
    void describeGroupAnswersAsKafkaAtLibrdkafkasVersion() throws Exception {
        Clients.createTopic(strata.admin(), "described", 1);
        produce("described", 0, 5, "none");
        rdkafka.run("consume-regex", "described-group", "^described$", "5");
        List<String> known = rdkafka.run("describe-group", "described-group");
        assertTrue(known.contains("group described-group NO_ERROR state Empty"), "describe-group: " + known);
        assertEquals(Set.of("READ", "DELETE", "DESCRIBE", "DESCRIBE_CONFIGS", "ALTER_CONFIGS"), operations(known));
        // librdkafka describes with DescribeGroups v5: there Kafka answers an unknown group as Dead, no error.
        List<String> unknown = rdkafka.run("describe-group", "nobody");
        assertTrue(unknown.contains("group nobody NO_ERROR state Dead"), "describe-group: " + unknown);
    }

    @Test
    void transactionalProducerIsRefusedAtOnceSayingWhy() throws Exception {
        List<String> out = rdkafka.run("init-transactions", "rdk-tx", "60000");
        String outcome = ThirdPartyClient.linesStartingWith(out, "init-transactions").get(0);
        assertTrue(outcome.startsWith("TRANSACTIONAL_ID_AUTHORIZATION_FAILED fatal 1 "), "outcome: " + out);
        assertTrue(ThirdPartyClient.linesStartingWith(out, "message").get(0)
                .contains("Transactions are not supported by this broker yet"), "message: " + out);
        // Only to tell a refusal from retrying until the 60 s timeout.
        long elapsed = Long.parseLong(outcome.substring(outcome.lastIndexOf(' ') + 1));
        assertTrue(elapsed < 30_000, "refused after " + elapsed + " ms");
    }

    private static Set<String> operations(List<String> out) {
        List<String> lines = ThirdPartyClient.linesStartingWith(out, "operations");
        assertEquals(1, lines.size(), "one operations line: " + out);
        Set<String> ops = new HashSet<>(List.of(lines.get(0).split(" ")));
        assertEquals(lines.get(0).split(" ").length, ops.size(), "no operation twice: " + lines);
        return ops;
    }
}
