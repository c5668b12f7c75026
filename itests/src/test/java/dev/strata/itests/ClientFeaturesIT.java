package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Client features beyond plain produce and fetch, through the bundles the distribution ships: compressed batches of
 * every codec, and a consumer group that commits and resumes. One container for the class.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClientFeaturesIT {

    @RegisterExtension
    static final SharedContainer strata = new SharedContainer("client-features");

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void compressedBatchesComeBackExactlyOnceInOrder(String codec) throws Exception {
        String topic = "codec-" + codec;
        Clients.createTopic(strata.admin(), topic, 2);
        List<KeyedLoad.Acked> acked = KeyedLoad.produce(strata.container(), topic, 3_000, codec);
        List<ConsumerRecord<String, String>> consumed =
                Clients.readAll(strata.container(), Clients.partitions(topic, 2), Duration.ofSeconds(60));
        KeyedLoad.verify(acked, consumed, 2);
    }

    @Test
    void offsetsForTimesFindsRecordsInsideACompressedBatch() throws Exception {
        String topic = "codec-times";
        Clients.createTopic(strata.admin(), topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        long base = System.currentTimeMillis() - 600_000L;
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container(), Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip",
                ProducerConfig.LINGER_MS_CONFIG, 1_000))) { // all 20 in one compressed batch
            for (int n = 0; n < 20; n++) {
                producer.send(new ProducerRecord<>(topic, 0, base + n * 1000L, null, "t" + n));
            }
            producer.flush();
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(strata.container())) {
            assertEquals(20L, consumer.endOffsets(List.of(tp)).get(tp));
            OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(tp, base + 7_500)).get(tp);
            assertEquals(8L, found == null ? null : found.offset(), "offset for a time inside the batch");
            assertEquals(base + 8_000, found.timestamp());
            consumer.assign(List.of(tp));
            consumer.seek(tp, found.offset());
            List<ConsumerRecord<String, String>> records = Clients.poll(consumer, 12, Duration.ofSeconds(20));
            assertEquals(8L, records.get(0).offset(), "the first record after seeking into the compressed batch");
            assertEquals("t8", records.get(0).value());
            assertEquals(12, records.size());
        }
    }

    @Test
    void consumerGroupCommitsAndANewMemberResumesAfterTheCommit() throws Exception {
        String topic = "grouped";
        String group = "itests-group";
        Clients.createTopic(strata.admin(), topic, 2);
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "first-" + i));
            }
            producer.flush();
        }
        Map<String, Object> groupConfig = Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");

        try (KafkaConsumer<String, String> first = Clients.consumer(strata.container(), groupConfig)) {
            first.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> records = Clients.poll(first, 100, Duration.ofSeconds(60));
            assertEquals(100, records.size(), "records the first group member read");
            assertEquals(100, records.stream().map(ConsumerRecord::value).distinct().count(), "no duplicates");
            first.commitSync(Duration.ofSeconds(30));
            Set<TopicPartition> assigned = first.assignment();
            assertEquals(Set.copyOf(Clients.partitions(topic, 2)), assigned, "the only member gets both partitions");
            Map<TopicPartition, OffsetAndMetadata> committed = first.committed(assigned, Duration.ofSeconds(30));
            Map<TopicPartition, Long> end = first.endOffsets(assigned);
            for (TopicPartition tp : assigned) {
                assertEquals(end.get(tp), committed.get(tp) == null ? null : committed.get(tp).offset(),
                        "committed offset of " + tp);
            }
        }

        try (KafkaProducer<String, String> producer = Clients.producer(strata.container())) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "second-" + i));
            }
            producer.flush();
        }
        try (KafkaConsumer<String, String> second = Clients.consumer(strata.container(), groupConfig)) {
            second.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> records = Clients.poll(second, 50, Duration.ofSeconds(60));
            records.addAll(Clients.poll(second, Integer.MAX_VALUE, Duration.ofSeconds(1))); // nothing more may come
            List<String> values = records.stream().map(ConsumerRecord::value).collect(Collectors.toList());
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                expected.add("second-" + i);
            }
            assertEquals(50, values.size(), "a new member resumes at the committed offsets: " + summary(values));
            assertEquals(expected, new HashSet<>(values));
        }
    }

    private static String summary(List<String> values) {
        List<String> head = new ArrayList<>(values.subList(0, Math.min(8, values.size())));
        return values.size() + " values, first " + head;
    }
}
