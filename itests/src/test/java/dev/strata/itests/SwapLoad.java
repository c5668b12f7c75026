package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;

/**
 * A steady load for the live-swap tests: an idempotent producer (acks=all) at about 5,000 records a second over the
 * partitions of one topic, a consumer reading everything, and a third client reading single records at random
 * acknowledged offsets ({@code seek}). {@link #finish} stops it and checks what clients saw, the way Kafka's
 * replication tests do: every acknowledged record consumed exactly once, no failed send, no wrong random read, no
 * connection closed by the broker. Not thread-safe: one test thread drives it.
 */
final class SwapLoad {
    private final StrataContainer container;
    private final String topic;
    private final int partitions;
    private final String name;
    /** Acknowledged records: partition -> offset -> value. */
    private final Map<Integer, ConcurrentSkipListMap<Long, String>> acked = new ConcurrentHashMap<>();
    private final Map<String, Integer> consumed = new ConcurrentHashMap<>();
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong randomReads = new AtomicLong();
    private final List<String> wrongReads = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final AtomicBoolean consuming = new AtomicBoolean(true);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Random random = new Random(9);
    private KafkaProducer<String, String> producer;
    private KafkaConsumer<String, String> consumer;
    private KafkaConsumer<String, String> seeker;
    private Thread produce;
    private Thread consume;
    private volatile String phase = "before";

    SwapLoad(StrataContainer container, String topic, int partitions, String name) {
        this.container = container;
        this.topic = topic;
        this.partitions = partitions;
        this.name = name;
        for (int p = 0; p < partitions; p++) {
            acked.put(p, new ConcurrentSkipListMap<>());
        }
    }

    void start() {
        producer = Clients.producer(container, Map.of("enable.idempotence", true, "acks", "all", "linger.ms", 5));
        consumer = Clients.consumer(container, Map.of("max.poll.records", 200));
        seeker = Clients.consumer(container, Map.of("max.poll.records", 1, "client.id", "itests-seeker"));
        produce = thread("producer", this::produce);
        consume = thread("consumer", this::consume);
    }

    /** Names what the next random reads check (for the failure message). */
    void phase(String phase) {
        this.phase = phase;
    }

    /** Reads at random acknowledged offsets for {@code seconds}. */
    void randomReadsFor(int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        do {
            int p = random.nextInt(partitions);
            ConcurrentSkipListMap<Long, String> offsets = acked.get(p);
            if (offsets.isEmpty()) {
                Thread.sleep(50);
                continue;
            }
            long target = random.nextLong(offsets.lastKey() + 1);
            Map.Entry<Long, String> expected = offsets.ceilingEntry(target);
            TopicPartition tp = new TopicPartition(topic, p);
            seeker.assign(List.of(tp));
            seeker.seek(tp, expected.getKey());
            ConsumerRecord<String, String> got = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (got == null && System.nanoTime() < deadline) {
                var records = seeker.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    got = records.iterator().next();
                }
            }
            randomReads.incrementAndGet();
            if (got == null || got.offset() != expected.getKey() || !valueOf(got.value()).equals(
                    expected.getValue())) {
                wrongReads.add(phase + ": " + tp + "@" + expected.getKey() + " expected " + expected.getValue()
                        + " got " + (got == null ? "nothing" : got.offset() + "=" + valueOf(got.value())));
            }
            Thread.sleep(20);
        } while (System.nanoTime() < end);
    }

    /** Stops producing, lets the consumer catch up, prints the counts and checks them. */
    void finish() throws Exception {
        producing.set(false);
        produce.join(60_000);
        producer.flush();
        long total = acked.values().stream().mapToLong(Map::size).sum();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (consumed.size() < total && System.nanoTime() < deadline && failure.get() == null) {
            Thread.sleep(50);
        }
        consuming.set(false);
        consume.join(30_000);
        phase("after");
        randomReadsFor(3);

        double closes = closes(producer.metrics()) + closes(consumer.metrics()) + closes(seeker.metrics());
        producer.close(Duration.ofSeconds(10));
        consumer.close(Duration.ofSeconds(10));
        seeker.close(Duration.ofSeconds(10));
        long lost = 0;
        for (Map<Long, String> offsets : acked.values()) {
            lost += offsets.values().stream().filter(v -> !consumed.containsKey(v)).count();
        }
        long duplicated = consumed.values().stream().filter(n -> n > 1).count();
        System.out.printf("%s: acknowledged=%d consumed=%d lost=%d duplicated=%d send errors=%d "
                + "random reads=%d wrong=%d connections closed=%.0f%n", name, total, consumed.size(), lost,
                duplicated, sendErrors.get(), randomReads.get(), wrongReads.size(), closes);
        if (failure.get() != null) {
            throw new AssertionError("A client thread failed", failure.get());
        }
        assertEquals(0, lost, "records acknowledged but never consumed");
        assertEquals(0, duplicated, "records consumed twice");
        assertEquals(0, sendErrors.get(), "sends that failed");
        assertEquals(List.of(), wrongReads, "random-offset reads that did not return the acknowledged record");
        assertTrue(randomReads.get() > 50, "too few random reads: " + randomReads.get());
        assertTrue(total > 5_000, "too little load: " + total);
        assertEquals(0.0, closes, "client connections closed during the run");
    }

    private void produce() {
        long seq = 0;
        while (producing.get()) {
            String value = "v-" + seq;
            int partition = (int) (seq % partitions);
            producer.send(new ProducerRecord<>(topic, partition, "k-" + seq, value + "-" + "x".repeat(200)),
                    (metadata, e) -> {
                        if (e != null) {
                            sendErrors.incrementAndGet();
                        } else {
                            acked.get(metadata.partition()).put(metadata.offset(), value);
                        }
                    });
            seq++;
            if (seq % 10 == 0) {
                sleep(2); // a steady rate: about 5,000 records a second
            }
        }
    }

    private void consume() {
        consumer.assign(Clients.partitions(topic, partitions));
        consumer.seekToBeginning(Clients.partitions(topic, partitions));
        while (consuming.get()) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                consumed.merge(valueOf(r.value()), 1, Integer::sum);
            }
        }
    }

    private static String valueOf(String recordValue) {
        return recordValue.substring(0, recordValue.indexOf('-', 2));
    }

    private static double closes(Map<MetricName, ? extends Metric> metrics) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> m : metrics.entrySet()) {
            if (m.getKey().name().equals("connection-close-total") && m.getKey().tags().size() == 1) {
                total += ((Number) m.getValue().metricValue()).doubleValue();
            }
        }
        return total;
    }

    private Thread thread(String role, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, name + "-" + role);
        t.start();
        return t;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits (60 s at most) until the container's log contains {@code logText}. */
    static void awaitLog(StrataContainer container, String what, String logText) throws Exception {
        awaitLog(container, what, logText, 0);
    }

    /** Waits (60 s at most) until the container's log contains {@code logText} after its first {@code from} chars. */
    static void awaitLog(StrataContainer container, String what, String logText, int from) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (container.log().indexOf(logText, from) < 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("No " + what + " (\"" + logText + "\") in the log:\n"
                        + container.logTail(80));
            }
            Thread.sleep(100);
        }
    }
}
