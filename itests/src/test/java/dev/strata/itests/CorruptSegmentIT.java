package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A byte flipped in an older segment while the broker is down after a SIGKILL costs the records of the damaged
 * batch only: every other acknowledged record is read back at its offset, none twice, the broker logs the damage,
 * and the next start repairs the segment (issue 8, defect 3).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CorruptSegmentIT {
    private static final String TOPIC = "damaged";
    private static final int RECORDS = 20_000;

    private static StrataContainer container;

    @BeforeAll
    static void createContainer() throws Exception {
        container = StrataContainer.create("corrupt-segment");
        container.start();
    }

    @AfterAll
    static void stopContainer() throws Exception {
        if (container != null) {
            container.stop();
        }
    }

    /** One acknowledged record. */
    private record Acked(String value, long offset) {
    }

    /** Where a batch is in its segment file and which offsets it holds. */
    private record BatchAt(Path file, int position, int size, long baseOffset, long lastOffset) {
    }

    @Test
    void aFlippedByteInAnOlderSegmentLosesOnlyItsBatch() throws Exception {
        try (Admin admin = Clients.admin(container)) {
            Clients.createTopic(admin, TOPIC, 1, Map.of("segment.bytes", Integer.toString(256 * 1024)));
        }
        List<Acked> acked = produce();
        container.kill();

        Path dir = container.dataDir().resolve(TOPIC + "-0");
        List<Path> segments;
        try (Stream<Path> files = Files.list(dir)) {
            segments = files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
        assertTrue(segments.size() >= 4, "segments: " + segments);
        BatchAt victim = batches(segments.get(1)).get(3);
        byte[] bytes = Files.readAllBytes(victim.file());
        bytes[victim.position() + victim.size() - 10] ^= 0x20; // in the last record: only the CRC can tell
        Files.write(victim.file(), bytes);

        container.start();
        List<ConsumerRecord<String, String>> consumed = consume();
        Set<Long> lost = report("after SIGKILL and a flipped byte", acked, consumed);
        assertTrue(lost.equals(offsets(victim)), "lost " + lost.size() + " records " + summarize(lost)
                + ", expected exactly the damaged batch " + victim);
        assertTrue(container.log().contains(victim.file().getFileName().toString()), "the damage is not logged:\n"
                + container.logTail(40));

        // The next start checks the damaged segment in full and cuts the batch out; the records stay the same.
        assertTrue(container.stop(), "clean stop");
        container.start();
        Set<Long> lostAfterRepair = report("after the repairing restart", acked, consume());
        assertTrue(lostAfterRepair.equals(offsets(victim)), "lost " + lostAfterRepair.size() + " records "
                + summarize(lostAfterRepair) + " after the repair, expected exactly " + victim);
        assertTrue(container.log().contains("Recovered log " + TOPIC + "-0"), container.logTail(40));
    }

    private static List<Acked> produce() throws Exception {
        ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
        List<Exception> failures = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(container, Map.of(
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 4096))) {
            for (int i = 0; i < RECORDS; i++) {
                String value = "value-" + i + "-" + "z".repeat(80);
                producer.send(new ProducerRecord<>(TOPIC, 0, "key-" + i, value), (metadata, e) -> {
                    if (e == null) {
                        acked.add(new Acked(value, metadata.offset()));
                    } else {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                });
            }
            producer.flush();
        }
        assertTrue(failures.isEmpty(), "sends failed: " + failures);
        return new ArrayList<>(acked);
    }

    private static List<ConsumerRecord<String, String>> consume() {
        return Clients.readAll(container, List.of(new TopicPartition(TOPIC, 0)), Duration.ofSeconds(90));
    }

    /** Prints acknowledged / consumed / lost / duplicated counts; returns the offsets of the lost records. */
    private static Set<Long> report(String when, List<Acked> acked, List<ConsumerRecord<String, String>> consumed) {
        Map<Long, String> byOffset = new HashMap<>();
        Map<String, Integer> timesRead = new HashMap<>();
        for (ConsumerRecord<String, String> r : consumed) {
            byOffset.put(r.offset(), r.value());
            timesRead.merge(r.value(), 1, Integer::sum);
        }
        Set<Long> lost = new TreeSet<>();
        for (Acked a : acked) {
            if (!a.value().equals(byOffset.get(a.offset()))) {
                lost.add(a.offset());
            }
        }
        long duplicated = timesRead.values().stream().filter(n -> n > 1).count();
        System.out.printf("CorruptSegmentIT %s: acknowledged %d, consumed %d, lost %d %s, duplicated %d%n", when,
                acked.size(), consumed.size(), lost.size(), summarize(lost), duplicated);
        assertEquals(0, duplicated, "records read more than once");
        assertEquals(acked.size() - lost.size(), consumed.size(), "records consumed that were never acknowledged");
        return lost;
    }

    private static String summarize(Set<Long> offsets) {
        return offsets.isEmpty() ? "" : "(offsets " + ((TreeSet<Long>) offsets).first() + ".."
                + ((TreeSet<Long>) offsets).last() + ")";
    }

    private static Set<Long> offsets(BatchAt b) {
        Set<Long> offsets = new TreeSet<>();
        for (long o = b.baseOffset(); o <= b.lastOffset(); o++) {
            offsets.add(o);
        }
        return offsets;
    }

    /** The v2 batches of a segment file, walking the length fields (base offset 0, length 8, delta 23). */
    private static List<BatchAt> batches(Path file) throws Exception {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
        List<BatchAt> out = new ArrayList<>();
        int pos = 0;
        while (pos + 61 <= buf.limit()) {
            int size = buf.getInt(pos + 8) + 12;
            long base = buf.getLong(pos);
            out.add(new BatchAt(file, pos, size, base, base + buf.getInt(pos + 23)));
            pos += size;
        }
        return out.stream().collect(Collectors.toList());
    }
}
