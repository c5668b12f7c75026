package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * librdkafka clients work unchanged: kcat lists metadata, produces keyed lines with every codec, consumes from the
 * beginning, and consumes in a group that commits; kafka-clients reads what kcat wrote and kcat reads what
 * kafka-clients wrote. One container for the class, with {@code group.initial.rebalance.delay.ms=0} so kcat's group
 * joins are quick. kcat must be installed (the class fails, saying how, when it is not).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class KcatInteropIT {

    private static final int RECORDS = 2_000;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final SharedContainer strata = SharedContainer.withQuickGroupJoins("kcat");

    private static Kcat kcat;

    @BeforeAll
    static void findKcat() throws IOException {
        kcat = Kcat.forContainer(strata.container());
    }

    @Test
    @SuppressWarnings("unchecked")
    void metadataListingShowsTheBrokerAndTheTopic() throws Exception {
        String topic = "kcat-metadata";
        Clients.createTopic(strata.admin(), topic, 3);
        Map<String, Object> metadata = (Map<String, Object>) Json.parse(kcat.run("", "-L", "-J"));

        assertEquals(List.of(Map.of("id", 0.0, "name", strata.container().bootstrapServers())),
                metadata.get("brokers"), "brokers in kcat -L -J: " + metadata);
        Map<String, Object> listed = ((List<Map<String, Object>>) metadata.get("topics")).stream()
                .filter(t -> topic.equals(t.get("topic"))).findFirst().orElse(null);
        assertNotNull(listed, "topic " + topic + " in kcat -L -J: " + metadata);
        assertFalse(listed.containsKey("error"), "kcat -L -J reports an error for " + topic + ": " + listed);
        List<Map<String, Object>> partitions = (List<Map<String, Object>>) listed.get("partitions");
        assertEquals(List.of(0.0, 1.0, 2.0), partitions.stream().map(p -> p.get("partition")).sorted().toList(),
                "partitions of " + topic + ": " + listed);
        for (Map<String, Object> partition : partitions) {
            assertEquals(0.0, partition.get("leader"), "leader of " + partition);
            assertEquals(List.of(Map.of("id", 0.0)), partition.get("replicas"), "replicas of " + partition);
            assertEquals(List.of(Map.of("id", 0.0)), partition.get("isrs"), "in-sync replicas of " + partition);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void kcatProducesKeyedLinesThatKcatAndKafkaClientsReadBack(String codec) throws Exception {
        String topic = "from-kcat-" + codec;
        Clients.createTopic(strata.admin(), topic, 3);
        List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> KeyedLoad.key(i) + ":" + KeyedLoad.value(i))
                .toList();
        kcat.run(String.join("\n", lines) + "\n", "-P", "-t", topic, "-K:", "-z", codec);

        List<ConsumerRecord<String, String>> byKcat = consumeWithKcat(topic);
        assertEquals(lines.stream().sorted().toList(),
                byKcat.stream().map(r -> r.key() + ":" + r.value()).sorted().toList(),
                "kcat reads back every line kcat produced, once");
        // Where kcat found each record is where it was written: check offsets, partitions per key and per-key order
        // on kcat's own reading, then that kafka-clients finds the same records at the same offsets.
        List<KeyedLoad.Acked> written = byKcat.stream()
                .map(r -> new KeyedLoad.Acked(r.key(), r.value(), r.partition(), r.offset())).toList();
        KeyedLoad.verify(written, byKcat, 3);
        KeyedLoad.verify(written, Clients.readAll(strata.container(), Clients.partitions(topic, 3), READ_TIMEOUT), 3);
        assertStoredCompression(topic, 3, codec);
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void kafkaClientsProduceKeyedRecordsThatKcatReadsBack(String codec) throws Exception {
        String topic = "to-kcat-" + codec;
        Clients.createTopic(strata.admin(), topic, 3);
        List<KeyedLoad.Acked> acked = KeyedLoad.produce(strata.container(), topic, RECORDS, codec);
        KeyedLoad.verify(acked, consumeWithKcat(topic), 3);
        assertStoredCompression(topic, 3, codec);
    }

    @Test
    void kcatGroupCommitsAndItsNextRunStartsAtTheCommittedOffsets() throws Exception {
        String topic = "kcat-grouped";
        String group = "kcat-group";
        Clients.createTopic(strata.admin(), topic, 2);
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);

        produce(topic, "first", 100);
        assertRecords(consumeInGroup(group, topic), "first", 100, 0);
        assertEquals(Map.of(p0, 50L, p1, 50L), committed(group), "offsets committed by kcat's group (first run)");

        produce(topic, "second", 40);
        assertRecords(consumeInGroup(group, topic), "second", 40, 50);
        assertEquals(Map.of(p0, 70L, p1, 70L), committed(group), "offsets committed by kcat's group (second run)");
    }

    /** Every record of the topic, read by kcat from the beginning to the end of each partition. */
    private static List<ConsumerRecord<String, String>> consumeWithKcat(String topic) throws Exception {
        return Kcat.parseRecords(topic,
                kcat.run("", "-C", "-t", topic, "-o", "beginning", "-e", "-f", Kcat.RECORD_FORMAT));
    }

    /**
     * One run of a kcat group member until the end of its partitions; it commits on the way out (librdkafka's
     * auto-commit, committed at close). Where the group has no commit yet it starts at the earliest offset.
     */
    private static List<ConsumerRecord<String, String>> consumeInGroup(String group, String topic) throws Exception {
        return Kcat.parseRecords(topic, kcat.run("", "-G", group, "-X", "auto.offset.reset=earliest", "-e",
                "-f", Kcat.RECORD_FORMAT, topic));
    }

    /** {@code count} records with value {@code <prefix>-<i>} and no key, record i to partition i % 2. */
    private static void produce(String topic, String prefix, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container())) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, i % 2, null, prefix + "-" + i)));
            }
            for (Future<?> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Exactly the records {@code <prefix>-0..count-1}, once each, record i at partition i % 2, offset base + i / 2. */
    private static void assertRecords(List<ConsumerRecord<String, String>> records, String prefix, int count,
                                      long base) {
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < count; i++) {
            expected.put(prefix + "-" + i, (i % 2) + "@" + (base + i / 2));
        }
        Map<String, String> got = new HashMap<>();
        records.forEach(r -> got.merge(r.value(), r.partition() + "@" + r.offset(), (a, b) -> a + " and " + b));
        assertEquals(count, records.size(), "records kcat's group member read: " + records.stream()
                .map(ConsumerRecord::value).limit(10).collect(Collectors.joining(", ")));
        assertEquals(expected, got, "value -> partition@offset of the records kcat's group member read");
    }

    private static Map<TopicPartition, Long> committed(String group) throws Exception {
        return Clients.committed(strata.admin(), group);
    }

    /**
     * The batches as stored carry the producer's codec (the broker keeps the producer's compression). For kcat this
     * also shows that librdkafka compressed at all: it silently sends gzip, snappy and lz4 uncompressed to a broker
     * whose ApiVersions does not list Produce v0-v2 (librdkafka issue 4956), which is why Kafka 4.x keeps listing
     * Produce from v0 there while refusing v0-v2 requests (KAFKA-18659).
     */
    private static void assertStoredCompression(String topic, int partitions, String codec) throws IOException {
        try (RawKafkaConnection connection = strata.container().rawConnection(Duration.ofSeconds(30))) {
            for (int partition = 0; partition < partitions; partition++) {
                List<RecordBatch> batches = RawRequests.batches(connection, topic, partition, 0);
                assertFalse(batches.isEmpty(), "no batches in " + topic + "-" + partition);
                for (RecordBatch batch : batches) {
                    assertEquals(codec, batch.compressionType().name, "compression of the batch at " + topic + "-"
                            + partition + "/" + batch.baseOffset() + " (if a kcat batch is stored uncompressed:"
                            + " librdkafka compresses gzip/snappy/lz4 only when ApiVersions lists Produce v0-v2,"
                            + " as Kafka 4.x does; see KAFKA-18659, librdkafka issue 4956)");
                }
            }
        }
    }
}
