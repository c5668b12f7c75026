package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The offset index switched mmap -> RocksDB -> mmap by editing the store's {@code etc/} file (FileInstall applies it
 * live) during a 60-second run of an idempotent producer (acks=all) and a consumer at a steady rate on three
 * partitions, with small segments so that the indexes matter. Every acknowledged record is consumed once, no client
 * connection is closed, and reads at random acknowledged offsets ({@code seek}) return the acknowledged record
 * before, during and after each swap.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class IndexSwapIT {
    private static final String TOPIC = "swap";
    private static final int PARTITIONS = 3;
    private static final String STORE_PID = "dev.strata.storage.segment";

    @Test
    void switchingTheIndexLiveLosesNothingDuplicatesNothingAndDisconnectsNoOne() throws Exception {
        try (StrataContainer container = StrataContainer.create("index-swap")) {
            Path features = container.home().resolve("etc/features.cfg");
            String boot = Files.readString(features, StandardCharsets.UTF_8);
            Files.writeString(features, boot.replace("strata-protocol-kafka", "strata-protocol-kafka, "
                    + "strata-index-rocksdb"), StandardCharsets.UTF_8);
            container.start();
            await(container, "RocksDB native library in the container", "native library loaded");
            System.out.println("IndexSwapIT: " + container.log().lines()
                    .filter(l -> l.contains("native library loaded")).findFirst().orElseThrow());
            try (Admin admin = Clients.admin(container)) {
                Clients.createTopic(admin, TOPIC, PARTITIONS, Map.of("segment.bytes", "262144"));
            }
            new Run(container).go();
        }
    }

    private static void await(StrataContainer container, String what, String logText) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!container.log().contains(logText)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("No " + what + " (\"" + logText + "\") in the log:\n" + container.logTail(80));
            }
            Thread.sleep(100);
        }
    }

    /** The load, the swaps and the checks of one run. */
    private static final class Run {
        private final StrataContainer container;
        /** Acknowledged records: partition -> offset -> value. */
        private final Map<Integer, ConcurrentSkipListMap<Long, String>> acked = new ConcurrentHashMap<>();
        private final Map<String, Integer> consumed = new ConcurrentHashMap<>();
        private final AtomicLong sendErrors = new AtomicLong();
        private final AtomicLong randomReads = new AtomicLong();
        private final List<String> wrongReads = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean producing = new AtomicBoolean(true);
        private final AtomicBoolean consuming = new AtomicBoolean(true);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile String phase = "mmap";

        Run(StrataContainer container) {
            this.container = container;
            for (int p = 0; p < PARTITIONS; p++) {
                acked.put(p, new ConcurrentSkipListMap<>());
            }
        }

        void go() throws Exception {
            KafkaProducer<String, String> producer = Clients.producer(container,
                    Map.of("enable.idempotence", true, "acks", "all", "linger.ms", 5));
            KafkaConsumer<String, String> consumer = Clients.consumer(container, Map.of("max.poll.records", 200));
            KafkaConsumer<String, String> seeker = Clients.consumer(container, Map.of("max.poll.records", 1,
                    "client.id", "itests-seeker"));
            Thread produce = thread("producer", () -> produce(producer));
            Thread consume = thread("consumer", () -> consume(consumer));
            long start = System.nanoTime();
            Random random = new Random(9);
            checkRandomReadsUntil(seeker, random, start, 10);
            phase = "mmap -> rocksdb";
            switchTo("rocksdb");
            await(container, "end of the swap to RocksDB", "Index swap mmap -> rocksdb finished");
            phase = "rocksdb";
            checkRandomReadsUntil(seeker, random, start, 35);
            phase = "rocksdb -> mmap";
            switchTo("mmap");
            await(container, "end of the swap back to mmap", "Index swap rocksdb -> mmap finished");
            phase = "mmap again";
            checkRandomReadsUntil(seeker, random, start, 60);
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
            checkRandomReadsUntil(seeker, random, System.nanoTime(), 3); // after: a few more

            double closes = closes(producer.metrics()) + closes(consumer.metrics()) + closes(seeker.metrics());
            producer.close(Duration.ofSeconds(10));
            consumer.close(Duration.ofSeconds(10));
            seeker.close(Duration.ofSeconds(10));
            long lost = 0;
            for (Map<Long, String> offsets : acked.values()) {
                lost += offsets.values().stream().filter(v -> !consumed.containsKey(v)).count();
            }
            long duplicated = consumed.values().stream().filter(n -> n > 1).count();
            System.out.printf("IndexSwapIT: acknowledged=%d consumed=%d lost=%d duplicated=%d send errors=%d "
                    + "random reads=%d wrong=%d connections closed=%.0f%n", total, consumed.size(), lost,
                    duplicated, sendErrors.get(), randomReads.get(), wrongReads.size(), closes);
            container.log().lines().filter(l -> l.contains("Index swap")).forEach(l -> System.out.println(
                    "IndexSwapIT: " + l));
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
            assertTrue(Files.isDirectory(container.dataDir().resolve(".strata-index-rocksdb")),
                    "RocksDB kept its files in the log directory");
            String log = container.log();
            assertTrue(!log.contains("failed; it keeps"), "a log kept its old index");
        }

        private void switchTo(String type) throws Exception {
            StrataContainer.setProperties(container.home().resolve("etc/" + STORE_PID + ".cfg"),
                    Map.of("indexFactory.target", "(strata.index.type=" + type + ")"));
        }

        private void produce(KafkaProducer<String, String> producer) {
            long seq = 0;
            while (producing.get()) {
                String value = "v-" + seq;
                int partition = (int) (seq % PARTITIONS);
                producer.send(new ProducerRecord<>(TOPIC, partition, "k-" + seq, value + "-" + "x".repeat(200)),
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

        private void consume(KafkaConsumer<String, String> consumer) {
            consumer.assign(Clients.partitions(TOPIC, PARTITIONS));
            consumer.seekToBeginning(Clients.partitions(TOPIC, PARTITIONS));
            while (consuming.get()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    consumed.merge(valueOf(r.value()), 1, Integer::sum);
                }
            }
        }

        /** Reads at random acknowledged offsets until {@code untilSeconds} after {@code start}. */
        private void checkRandomReadsUntil(KafkaConsumer<String, String> seeker, Random random, long start,
                                           int untilSeconds) throws InterruptedException {
            long end = start + TimeUnit.SECONDS.toNanos(untilSeconds);
            do {
                int p = random.nextInt(PARTITIONS);
                ConcurrentSkipListMap<Long, String> offsets = acked.get(p);
                if (offsets.isEmpty()) {
                    Thread.sleep(50);
                    continue;
                }
                long target = random.nextLong(offsets.lastKey() + 1);
                Map.Entry<Long, String> expected = offsets.ceilingEntry(target);
                TopicPartition tp = new TopicPartition(TOPIC, p);
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

        private Thread thread(String name, Runnable body) {
            Thread t = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "index-swap-" + name);
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
    }
}
