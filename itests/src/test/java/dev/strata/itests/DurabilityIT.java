package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What survives a restart: a clean stop (SIGTERM) and a SIGKILL under acks=all load, both restarting on the same data
 * directory. Durability is judged by what the producer saw acknowledged, as in Kafka's own replication tests.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DurabilityIT {

    private static StrataContainer container;

    @BeforeAll
    static void createContainer() throws Exception {
        container = StrataContainer.create("durability");
    }

    @AfterAll
    static void stopContainer() throws Exception {
        if (container != null) {
            container.stop();
        }
    }

    @BeforeEach
    void containerRunning() throws Exception {
        if (!container.isRunning()) {
            container.start();
        }
    }

    @Test
    void cleanRestartReadsTheSameRecordsFromDisk() throws Exception {
        String topic = "restart";
        List<KeyedLoad.Acked> acked;
        try (Admin admin = Clients.admin(container);
             KafkaProducer<String, String> producer = Clients.producer(container)) {
            Clients.createTopic(admin, topic, 3);
            acked = KeyedLoad.produce(producer, topic, 10_000);
        }
        List<TopicPartition> partitions = Clients.partitions(topic, 3);
        List<ConsumerRecord<String, String>> before = Clients.readAll(container, partitions, Duration.ofSeconds(60));
        KeyedLoad.verify(acked, before, 3);

        assertTrue(container.stop(), "the container did not exit within " + StrataContainer.STOP_TIMEOUT
                + " of SIGTERM (it was killed).\n" + container.logTail(40));
        container.start();

        List<ConsumerRecord<String, String>> after = Clients.readAll(container, partitions, Duration.ofSeconds(60));
        KeyedLoad.verify(acked, after, 3);
        assertEquals(describe(before), describe(after), "records (partition, offset, timestamp, key, value) "
                + "read before and after the restart");

        // The log continues where it ended, and a new idempotent producer gets a producer id never used before.
        Set<Long> idsBefore = producerIds(topic, 3);
        long offset;
        try (KafkaProducer<String, String> producer = Clients.producer(container);
             KafkaConsumer<String, String> consumer = Clients.consumer(container)) {
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            RecordMetadata next = producer.send(new ProducerRecord<>(topic, 1, null, "after-restart"))
                    .get(30, TimeUnit.SECONDS);
            offset = next.offset();
            assertEquals((long) end.get(partitions.get(1)), offset, "offset of the first record after restart");
        }
        assertNewProducerId(topic, 1, offset, idsBefore);
    }

    /** Producer ids of every stored batch of the topic. */
    private static Set<Long> producerIds(String topic, int partitions) throws IOException {
        Set<Long> ids = new HashSet<>();
        try (RawKafkaConnection connection = container.rawConnection(Duration.ofSeconds(30))) {
            for (int p = 0; p < partitions; p++) {
                RawRequests.batches(connection, topic, p, 0).forEach(b -> ids.add(b.producerId()));
            }
        }
        return ids;
    }

    /** The batch at {@code partition/offset} was written by an idempotent producer whose id is not in {@code used}. */
    private static void assertNewProducerId(String topic, int partition, long offset, Set<Long> used)
            throws IOException {
        try (RawKafkaConnection connection = container.rawConnection(Duration.ofSeconds(30))) {
            RecordBatch batch = RawRequests.batches(connection, topic, partition, offset).get(0);
            assertTrue(batch.producerId() >= 0, "the batch at " + partition + "/" + offset + " has no producer id");
            assertFalse(used.contains(batch.producerId()), "producer id " + batch.producerId() + " handed out again "
                    + "after the restart (ids already in the log: " + used + ")");
        }
    }

    private static List<String> describe(List<ConsumerRecord<String, String>> records) {
        List<String> lines = new ArrayList<>();
        records.stream()
                .sorted(Comparator.comparingInt((ConsumerRecord<String, String> r) -> r.partition())
                        .thenComparingLong(ConsumerRecord::offset))
                .forEach(r -> lines.add(r.partition() + "/" + r.offset() + " " + r.timestamp() + " " + r.key()
                        + "=" + r.value()));
        return lines;
    }

    @Test
    void everyRecordAcknowledgedBeforeSigkillIsReadBackAtItsOffset() throws Exception {
        String topic = "sigkill";
        int partitions = 3;
        try (Admin admin = Clients.admin(container)) {
            Clients.createTopic(admin, topic, partitions);
        }
        List<TopicPartition> tps = Clients.partitions(topic, partitions);
        List<KeyedLoad.Acked> acknowledged = new ArrayList<>();
        Map<TopicPartition, Long> end = Map.of();
        // Two rounds: the second kills a log that has already been recovered once.
        for (int round = 1; round <= 2; round++) {
            AckedLoad load = new AckedLoad(container, topic, "r" + round);
            try {
                load.awaitAcknowledged(4_000, Duration.ofSeconds(60));
                container.kill();
            } finally {
                load.close();
            }
            acknowledged.addAll(load.acknowledged());
            container.start();
            end = verifyAcknowledgedReadBack(tps, acknowledged);
            System.out.printf("SIGKILL round %d: %d acknowledged, %d not acknowledged, end offsets after restart %s%n",
                    round, load.acknowledged().size(), load.failed(), end);
        }

        // The recovered log takes new writes right after its end, from a producer id never used before.
        Set<Long> idsBefore = producerIds(topic, partitions);
        try (KafkaProducer<String, String> again = Clients.producer(container)) {
            for (TopicPartition tp : tps) {
                RecordMetadata metadata = again.send(new ProducerRecord<>(topic, tp.partition(), null, "after-kill"))
                        .get(30, TimeUnit.SECONDS);
                assertEquals((long) end.get(tp), metadata.offset(), "first offset after recovery " + tp);
                assertNewProducerId(topic, tp.partition(), metadata.offset(), idsBefore);
            }
        }
    }

    /** Reads the partitions back and fails unless every acknowledged record is at its offset; the end offsets. */
    private static Map<TopicPartition, Long> verifyAcknowledgedReadBack(List<TopicPartition> tps,
                                                                        List<KeyedLoad.Acked> acknowledged) {
        Map<TopicPartition, Long> end;
        List<ConsumerRecord<String, String>> records;
        try (KafkaConsumer<String, String> consumer = Clients.consumer(container)) {
            records = Clients.readAll(consumer, tps, Duration.ofSeconds(90));
            end = consumer.endOffsets(tps);
        }
        Map<String, ConsumerRecord<String, String>> byPosition = new HashMap<>();
        records.forEach(r -> byPosition.put(r.partition() + "/" + r.offset(), r));

        Map<String, KeyedLoad.Acked> ackedByPosition = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (KeyedLoad.Acked a : acknowledged) {
            String position = a.partition() + "/" + a.offset();
            KeyedLoad.Acked other = ackedByPosition.put(position, a);
            if (other != null) {
                problems.add("two records acknowledged at " + position + ": " + other.value() + " and " + a.value());
            }
            ConsumerRecord<String, String> r = byPosition.get(position);
            if (r == null) {
                problems.add("acknowledged " + a.value() + " missing at " + position);
            } else if (!a.value().equals(r.value()) || !a.key().equals(r.key())) {
                problems.add("at " + position + " acknowledged " + a.key() + "=" + a.value() + " but read "
                        + r.key() + "=" + r.value());
            }
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " of " + acknowledged.size() + " acknowledged records not read back as "
                    + "acknowledged after SIGKILL and restart (end offsets " + end + "), e.g. "
                    + problems.subList(0, Math.min(10, problems.size())));
        }
        return end;
    }

    /**
     * A producer thread sending keyed records with acks=all as fast as it can, recording each acknowledgement from
     * the send callbacks. Thread-safe: the test thread reads what the sender and callbacks record.
     */
    private static final class AckedLoad {

        private final Queue<KeyedLoad.Acked> acked = new ConcurrentLinkedQueue<>();
        private final AtomicLong failed = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final KafkaProducer<String, String> producer;
        private final Thread sender;
        private final StrataContainer container;

        AckedLoad(StrataContainer container, String topic, String prefix) {
            this.container = container;
            this.producer = Clients.producer(container, Map.of(
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 1,
                    ProducerConfig.BATCH_SIZE_CONFIG, 8192,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000)); // send() must not block long once the broker is gone
            this.sender = new Thread(() -> send(topic, prefix), "itests-acks-all-sender-" + prefix);
            sender.start();
        }

        private void send(String topic, String prefix) {
            long n = 0;
            while (running.get()) {
                String key = "key-" + (n % 50);
                String value = prefix + "-value-" + n + "-" + "y".repeat(64);
                n++;
                try {
                    producer.send(new ProducerRecord<>(topic, key, value), (metadata, exception) -> {
                        if (exception == null) {
                            acked.add(new KeyedLoad.Acked(key, value, metadata.partition(), metadata.offset()));
                        } else {
                            failed.incrementAndGet();
                        }
                    });
                } catch (RuntimeException e) {
                    failed.incrementAndGet(); // buffer full or metadata timeout after the kill
                }
            }
        }

        void awaitAcknowledged(int count, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (acked.size() < count) {
                if (System.nanoTime() > deadline) {
                    fail("only " + acked.size() + " records acknowledged in " + timeout + " (" + failed.get()
                            + " failed).\n" + container.logTail(40));
                }
                Thread.sleep(10);
            }
        }

        /** Stops sending; whatever is still pending fails, as it was never acknowledged. */
        void close() throws InterruptedException {
            running.set(false);
            sender.join(TimeUnit.SECONDS.toMillis(30));
            producer.close(Duration.ZERO);
            assertTrue(!sender.isAlive(), "the sender thread did not stop");
        }

        List<KeyedLoad.Acked> acknowledged() {
            return new ArrayList<>(acked);
        }

        long failed() {
            return failed.get();
        }
    }
}
