package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Retention as a Kafka operator sees it: old segments go by age and by size while a consumer reads them, the earliest
 * offset moves and survives a restart, a consumer left behind gets OFFSET_OUT_OF_RANGE and resets, and removed
 * segment files stay (renamed {@code .deleted}) for {@code file.delete.delay.ms} before they go.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RetentionIT {
    private static final String VALUE = "v".repeat(1000);

    private static StrataContainer container;

    @BeforeAll
    static void createContainer() throws Exception {
        container = StrataContainer.create("retention");
        StrataContainer.setProperties(container.home().resolve("etc/" + StrataContainer.BROKER_PID + ".cfg"),
                Map.of("log.dirs", container.dataDir().toString(), "log.retention.check.interval.ms", "300"));
        container.start();
    }

    @AfterAll
    static void stopContainer() throws Exception {
        if (container != null) {
            container.stop();
        }
    }

    @Test
    void oldSegmentsGoByAgeWhileAConsumerReadsThemAndTheStartSurvivesARestart() throws Exception {
        String topic = "by-time";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Clients.admin(container)) {
            Clients.createTopic(admin, topic, 1, Map.of("retention.ms", "3000", "segment.bytes", "65536",
                    "file.delete.delay.ms", "2000"));
            List<Long> acked = new ArrayList<>();
            // A consumer reads from the start, slowly, while the producer writes for a while: retention removes
            // segments under it; every record it gets is at an increasing offset and each read completes.
            List<ConsumerRecord<String, String>> read = new ArrayList<>();
            boolean sawDeletedFiles = false;
            try (KafkaProducer<String, String> producer = Clients.producer(container, Map.of("linger.ms", 5));
                 KafkaConsumer<String, String> consumer = Clients.consumer(container,
                         Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50))) {
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
                int i = 0;
                while (System.nanoTime() < until) {
                    for (int n = 0; n < 50; n++) {
                        producer.send(new ProducerRecord<>(topic, "k" + i, VALUE + i++), (md, e) -> {
                            if (e == null) {
                                synchronized (acked) {
                                    acked.add(md.offset());
                                }
                            }
                        });
                    }
                    consumer.poll(Duration.ofMillis(50)).forEach(read::add);
                    sawDeletedFiles |= !files(tp, ".deleted").isEmpty();
                }
                producer.flush();
            }
            long earliest = awaitOffset(admin, tp, OffsetSpec.earliest(), o -> o > 0, "the earliest offset to move");
            for (int j = 1; j < read.size(); j++) {
                assertTrue(read.get(j).offset() > read.get(j - 1).offset(), "offsets out of order at " + j);
            }
            System.out.printf("retention by time: acknowledged %d, read while deleting %d, earliest offset now %d%n",
                    acked.size(), read.size(), earliest);
            assertTrue(read.size() > 0, "the consumer read nothing");
            // The renamed files go after file.delete.delay.ms.
            assertTrue(sawDeletedFiles || awaitFiles(tp, ".deleted", true), "no segment file was renamed .deleted");
            assertTrue(awaitFiles(tp, ".deleted", false), "renamed segment files still there: "
                    + files(tp, ".deleted"));

            // A consumer positioned below the start: OFFSET_OUT_OF_RANGE without a reset policy, the start with one.
            try (KafkaConsumer<String, String> strict = Clients.consumer(container,
                    Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
                strict.assign(List.of(tp));
                strict.seek(tp, 0);
                assertThrows(OffsetOutOfRangeException.class, () -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (System.nanoTime() < deadline) {
                        strict.poll(Duration.ofMillis(200));
                    }
                });
            }
            long start = admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get(30, TimeUnit.SECONDS)
                    .get(tp).offset();
            try (KafkaConsumer<String, String> resetting = Clients.consumer(container)) {
                resetting.assign(List.of(tp));
                resetting.seek(tp, 0);
                List<ConsumerRecord<String, String>> first = Clients.poll(resetting, 1, Duration.ofSeconds(20));
                assertTrue(!first.isEmpty(), "nothing read after the reset");
                assertTrue(first.get(0).offset() >= start, "read offset " + first.get(0).offset()
                        + " below the log start offset " + start);
            }

            // The start survives a restart (it is checkpointed, not recomputed from what is left).
            container.stop();
            container.start();
        }
        try (Admin admin = Clients.admin(container)) {
            long earliest = admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get(30, TimeUnit.SECONDS)
                    .get(tp).offset();
            assertTrue(earliest > 0, "earliest offset after the restart: " + earliest);
        }
    }

    @Test
    void oldSegmentsGoBySize() throws Exception {
        String topic = "by-size";
        TopicPartition tp = new TopicPartition(topic, 0);
        int segmentBytes = 64 * 1024;
        int retentionBytes = 4 * segmentBytes;
        try (Admin admin = Clients.admin(container)) {
            Clients.createTopic(admin, topic, 1, Map.of("retention.bytes", Integer.toString(retentionBytes),
                    "segment.bytes", Integer.toString(segmentBytes), "file.delete.delay.ms", "0"));
            try (KafkaProducer<String, String> producer = Clients.producer(container)) {
                for (int i = 0; i < 2000; i++) { // about 2 MB: 30 segments
                    producer.send(new ProducerRecord<>(topic, "k" + i, VALUE));
                }
                producer.flush();
            }
            // Settled when what is left is at least the limit and dropping its oldest segment would go below it.
            long bytes = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                bytes = logBytes(tp);
                if (bytes < retentionBytes + segmentBytes) {
                    break;
                }
                Thread.sleep(100);
            }
            long earliest = admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get(30, TimeUnit.SECONDS)
                    .get(tp).offset();
            long latest = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS)
                    .get(tp).offset();
            System.out.printf("retention by size: %d bytes kept of limit %d, offsets [%d, %d)%n", bytes,
                    retentionBytes, earliest, latest);
            assertEquals(2000, latest);
            assertTrue(bytes >= retentionBytes && bytes < retentionBytes + segmentBytes, "bytes left: " + bytes);
            List<ConsumerRecord<String, String>> rest = Clients.readAll(container, List.of(tp),
                    Duration.ofSeconds(60));
            assertEquals(latest - earliest, rest.size());
            assertEquals(earliest, rest.get(0).offset());
        }
    }

    private static long awaitOffset(Admin admin, TopicPartition tp, OffsetSpec spec, LongPredicate done,
                                    String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long last = -1;
        while (System.nanoTime() < deadline) {
            last = admin.listOffsets(Map.of(tp, spec)).all().get(30, TimeUnit.SECONDS).get(tp).offset();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        fail("Waited 60 s for " + what + "; offset still " + last);
        return last;
    }

    private static long logBytes(TopicPartition tp) throws IOException {
        long bytes = 0;
        for (Path f : files(tp, ".log")) {
            try {
                bytes += Files.size(f);
            } catch (java.nio.file.NoSuchFileException e) {
                // renamed .deleted by retention since the listing
            }
        }
        return bytes;
    }

    private static boolean awaitFiles(TopicPartition tp, String suffix, boolean present) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (files(tp, suffix).isEmpty() != present) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static List<Path> files(TopicPartition tp, String suffix) throws IOException {
        Path dir = container.dataDir().resolve(tp.topic() + "-" + tp.partition());
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }
}
