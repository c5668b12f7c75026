package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Produce and consume through stock kafka-clients against one container shared by the class (each test has its own
 * topics): keyed records exactly once and in order, acks=0 and acks=1, offsets for times and rewinds. Long polls and
 * topic deletion are in {@link FetchAndTopicsIT}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ProduceConsumeIT {

    @RegisterExtension
    static final SharedContainer strata = new SharedContainer("produce-consume");

    @Test
    void tenThousandKeyedRecordsComeBackExactlyOnceInOrder() throws Exception {
        String topic = "keyed";
        Clients.createTopic(strata.admin(), topic, 3);
        List<KeyedLoad.Acked> acked;
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container())) {
            acked = KeyedLoad.produce(producer, topic, 10_000);
        }
        assertEquals(3, acked.stream().map(KeyedLoad.Acked::partition).distinct().count(),
                "100 keys over 3 partitions should use all three");

        List<ConsumerRecord<String, String>> consumed =
                Clients.readAll(strata.container(), Clients.partitions(topic, 3), Duration.ofSeconds(60));
        KeyedLoad.verify(acked, consumed, 3);

        // The idempotent producer's id and sequence numbers are kept in the stored batches: one producer id, and
        // per partition sequences 0, 1, 2, ... across batches.
        try (RawKafkaConnection connection = strata.container().rawConnection(Duration.ofSeconds(30))) {
            Set<Long> producerIds = new HashSet<>();
            for (int partition = 0; partition < 3; partition++) {
                int nextSequence = 0;
                for (RecordBatch batch : RawRequests.batches(connection, topic, partition, 0)) {
                    producerIds.add(batch.producerId());
                    assertEquals(nextSequence, batch.baseSequence(), "base sequence of the batch at " + partition
                            + "/" + batch.baseOffset());
                    nextSequence = batch.lastSequence() + 1;
                }
            }
            assertEquals(1, producerIds.size(), "producer ids in the stored batches: " + producerIds);
            assertTrue(producerIds.iterator().next() >= 0, "an idempotent producer's batches carry its producer id");
        }
    }

    @Test
    void acksOneDeliversAtTheAcknowledgedOffsets() throws Exception {
        String topic = "acks-one";
        Clients.createTopic(strata.admin(), topic, 1);
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container(),
                Map.of(ProducerConfig.ACKS_CONFIG, "1", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false))) {
            for (int i = 0; i < 500; i++) {
                futures.add(producer.send(new ProducerRecord<>(topic, "k" + i, "one-" + i)));
            }
            producer.flush();
        }
        for (int i = 0; i < futures.size(); i++) {
            assertEquals(i, futures.get(i).get(30, TimeUnit.SECONDS).offset(), "acks=1 offset of record " + i);
        }
        List<ConsumerRecord<String, String>> records =
                Clients.readAll(strata.container(), Clients.partitions(topic, 1), Duration.ofSeconds(30));
        assertEquals(500, records.size());
        for (int i = 0; i < records.size(); i++) {
            assertEquals(i, records.get(i).offset());
            assertEquals("one-" + i, records.get(i).value());
            assertEquals("k" + i, records.get(i).key());
        }
    }

    @Test
    void acksZeroDelivers() throws Exception {
        String topic = "acks-zero";
        Clients.createTopic(strata.admin(), topic, 1);
        int count = 500;
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container(),
                Map.of(ProducerConfig.ACKS_CONFIG, "0", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false))) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(producer.send(new ProducerRecord<>(topic, "zero-" + i)));
            }
            producer.flush();
            for (Future<RecordMetadata> future : futures) {
                future.get(30, TimeUnit.SECONDS); // acks=0 completes once sent; a failure to send shows here
            }
        }
        // Nothing tells an acks=0 producer when the broker has written; poll until all arrived (bounded).
        try (KafkaConsumer<String, String> consumer = Clients.consumer(strata.container())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<String, String>> records = Clients.poll(consumer, count, Duration.ofSeconds(30));
            List<String> values = records.stream().map(ConsumerRecord::value).collect(Collectors.toList());
            assertEquals(count, records.size(), "acks=0 records that arrived: " + summary(values));
            for (int i = 0; i < count; i++) {
                assertEquals("zero-" + i, values.get(i), "acks=0 records must arrive in send order, once");
                assertEquals(i, records.get(i).offset());
            }
            assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty(), "no records beyond the ones sent");
        }
    }

    @Test
    void offsetsForTimesAndSeekReplayTheRightRecords() throws Exception {
        String topic = "times";
        Clients.createTopic(strata.admin(), topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        long base = System.currentTimeMillis() - 3_600_000L;
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container())) {
            for (int batch = 0; batch < 3; batch++) { // three batches: the broker must search across and within
                for (int i = 0; i < 10; i++) {
                    int n = batch * 10 + i;
                    producer.send(new ProducerRecord<>(topic, 0, base + n * 1000L, "k" + n, "v" + n));
                }
                producer.flush();
            }
        }

        try (KafkaConsumer<String, String> consumer = Clients.consumer(strata.container())) {
            assertOffsetForTime(consumer, tp, base + 10_000, 10, base + 10_000);
            assertOffsetForTime(consumer, tp, base + 10_500, 11, base + 11_000);
            assertOffsetForTime(consumer, tp, base - 5_000, 0, base);
            assertOffsetForTime(consumer, tp, base + 29_000, 29, base + 29_000);
            assertNull(consumer.offsetsForTimes(Map.of(tp, base + 29_001)).get(tp),
                    "no record at or after the last timestamp");
            assertEquals(0L, consumer.beginningOffsets(List.of(tp)).get(tp));
            assertEquals(30L, consumer.endOffsets(List.of(tp)).get(tp));

            consumer.assign(List.of(tp));
            consumer.seek(tp, consumer.offsetsForTimes(Map.of(tp, base + 10_000)).get(tp).offset());
            assertReplay(Clients.poll(consumer, 20, Duration.ofSeconds(20)), 10, 30, base);

            // Rewind after reading to the end: the same records again.
            consumer.seek(tp, consumer.offsetsForTimes(Map.of(tp, base + 25_000)).get(tp).offset());
            assertReplay(Clients.poll(consumer, 5, Duration.ofSeconds(20)), 25, 30, base);
            consumer.seekToBeginning(List.of(tp));
            assertReplay(Clients.poll(consumer, 30, Duration.ofSeconds(20)), 0, 30, base);
        }
    }

    private static void assertOffsetForTime(KafkaConsumer<String, String> consumer, TopicPartition tp, long time,
                                            long expectedOffset, long expectedTimestamp) {
        OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(tp, time)).get(tp);
        assertNotNull(found, "offsetsForTimes(" + time + ") found nothing");
        assertEquals(expectedOffset, found.offset(), "offset for time base+" + (time - expectedTimestamp));
        assertEquals(expectedTimestamp, found.timestamp(), "timestamp of the record found");
    }

    private static void assertReplay(List<ConsumerRecord<String, String>> records, int from, int to, long base) {
        assertEquals(to - from, records.size(), "replayed " + records.stream().map(ConsumerRecord::value)
                .collect(Collectors.toList()));
        for (int n = from; n < to; n++) {
            ConsumerRecord<String, String> r = records.get(n - from);
            assertEquals(n, r.offset());
            assertEquals("v" + n, r.value());
            assertEquals(base + n * 1000L, r.timestamp());
            assertEquals(TimestampType.CREATE_TIME, r.timestampType());
        }
    }

    /** A short description of a list of values for failure messages. */
    static String summary(List<String> values) {
        if (values.size() <= 10) {
            return values.toString();
        }
        return values.size() + " values, first " + values.subList(0, 5) + ", last "
                + values.subList(values.size() - 5, values.size());
    }
}
