package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Keyed records with a sequence number per key ({@code key-7#42}: the 43rd record of key 7), and the checks that the
 * log kept them: every record exactly once, at the offset the producer was told, offsets contiguous per partition,
 * each key in one partition in send order. Stateless; thread-safe.
 */
final class KeyedLoad {

    static final int KEYS = 100;
    /** Padding so records are not trivially small (about 130 bytes of value each). */
    private static final String PADDING = "x".repeat(100);

    /** A record as the producer's acknowledgement placed it. */
    record Acked(String key, String value, int partition, long offset) {
    }

    private KeyedLoad() {
    }

    static String key(int i) {
        return "key-" + (i % KEYS);
    }

    static String value(int i) {
        return key(i) + "#" + (i / KEYS) + "#" + PADDING;
    }

    /** Sends {@code count} keyed records and waits for every acknowledgement (any failure fails the test). */
    static List<Acked> produce(KafkaProducer<String, String> producer, String topic, int count) throws Exception {
        List<Future<RecordMetadata>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            futures.add(producer.send(new ProducerRecord<>(topic, key(i), value(i))));
        }
        producer.flush();
        List<Acked> acked = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            RecordMetadata metadata = futures.get(i).get(60, TimeUnit.SECONDS);
            assertTrue(metadata.hasOffset(), "acks=all acknowledgement without an offset for record " + i);
            acked.add(new Acked(key(i), value(i), metadata.partition(), metadata.offset()));
        }
        return acked;
    }

    /**
     * As {@link #produce(KafkaProducer, String, int)} with a producer of its own that compresses with {@code codec},
     * several records a batch.
     */
    static List<Acked> produce(StrataContainer container, String topic, int count, String codec) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(container, Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, codec,
                ProducerConfig.LINGER_MS_CONFIG, 20))) {
            return produce(producer, topic, count);
        }
    }

    /**
     * Checks that {@code consumed} (everything read back from the partitions) is exactly the acknowledged records: no
     * loss, no duplicates, each at its acknowledged offset, offsets 0,1,2,... per partition, keys in one partition
     * each with their sequence numbers in order.
     */
    static void verify(List<Acked> acked, List<ConsumerRecord<String, String>> consumed, int partitions) {
        Map<Integer, List<ConsumerRecord<String, String>>> byPartition = new HashMap<>();
        for (ConsumerRecord<String, String> record : consumed) {
            byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
        }
        for (Map.Entry<Integer, List<ConsumerRecord<String, String>>> entry : byPartition.entrySet()) {
            assertTrue(entry.getKey() >= 0 && entry.getKey() < partitions, "record from partition " + entry.getKey());
            List<ConsumerRecord<String, String>> records = entry.getValue();
            for (int i = 0; i < records.size(); i++) {
                assertEquals(i, records.get(i).offset(), "partition " + entry.getKey()
                        + ": offsets must run 0,1,2,... without gaps or repeats; record " + i + " has offset "
                        + records.get(i).offset());
            }
        }
        assertEquals(acked.size(), consumed.size(), "records read back vs acknowledged (exactly once)");

        Map<Integer, Map<Long, ConsumerRecord<String, String>>> index = new HashMap<>();
        consumed.forEach(r -> index.computeIfAbsent(r.partition(), p -> new HashMap<>()).put(r.offset(), r));
        for (Acked a : acked) {
            ConsumerRecord<String, String> r = index.getOrDefault(a.partition(), Map.of()).get(a.offset());
            assertNotNull(r, "acknowledged record " + a + " not found at its offset");
            assertEquals(a.key(), r.key(), "key at " + a.partition() + "/" + a.offset());
            assertEquals(a.value(), r.value(), "value at " + a.partition() + "/" + a.offset());
        }

        Map<String, Integer> partitionOfKey = new HashMap<>();
        Map<String, Integer> nextSequence = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            for (ConsumerRecord<String, String> r : byPartition.getOrDefault(p, List.of())) {
                Integer previous = partitionOfKey.putIfAbsent(r.key(), p);
                if (previous != null && previous != p) {
                    fail("key " + r.key() + " found in partitions " + previous + " and " + p);
                }
                int sequence = Integer.parseInt(r.value().split("#")[1]);
                int expected = nextSequence.getOrDefault(r.key(), 0);
                assertEquals(expected, sequence, "sequence of " + r.key() + " at " + p + "/" + r.offset());
                nextSequence.put(r.key(), expected + 1);
            }
        }
    }
}
