package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Log compaction in a real container with stock kafka-clients: 1,000,000 updates and tombstones of 10,000 keys from
 * an lz4 and an uncompressed producer; the cleaner switched on live (etc/dev.strata.broker.cfg), SIGKILLed while it
 * rewrites segments and restarted; a consumer reading during cleaning; then exactly the latest record of each key at
 * its acknowledged offset, and the tombstones gone once {@code delete.retention.ms} has passed.
 *
 * <p>Every record carries its send number in header {@code s}, so a consumed record is matched to its
 * acknowledgement even when its value is null.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CompactionIT {
    private static final String TOPIC = "compacted";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int KEYS = 10_000;
    private static final int RECORDS = 1_000_000;
    private static final long DELETE_RETENTION_MS = 3_000;
    private static final int SEGMENT_BYTES = 1024 * 1024;

    private static StrataContainer container;
    private static Path brokerCfg;

    /** Offset of each acknowledged send, by send number; -1 while not acknowledged. */
    private final long[] ackedOffset = new long[RECORDS + 200_000];
    /** Key of each send and whether it was a tombstone. */
    private final int[] keyOf = new int[ackedOffset.length];
    private final boolean[] tombstone = new boolean[ackedOffset.length];
    private final AtomicInteger sends = new AtomicInteger();
    private final Random random = new Random(10);

    @BeforeAll
    static void createContainer() throws Exception {
        container = StrataContainer.create("compaction");
        brokerCfg = container.home().resolve("etc/" + StrataContainer.BROKER_PID + ".cfg");
        // Off while the data is written, so the kill below lands in a cleaning of the whole log.
        StrataContainer.setProperties(brokerCfg, Map.of("log.cleaner.enable", "false",
                "log.cleaner.backoff.ms", "200"));
        container.start();
    }

    @AfterAll
    static void stopContainer() throws Exception {
        if (container != null) {
            container.stop();
        }
    }

    @Test
    void keepsTheLatestRecordOfEveryKeyThroughAKillAndDropsTombstonesAfterTheirRetention() throws Exception {
        Arrays.fill(ackedOffset, -1);
        try (Admin admin = Clients.admin(container)) {
            Clients.createTopic(admin, TOPIC, 1, Map.of("cleanup.policy", "compact",
                    "segment.bytes", Integer.toString(SEGMENT_BYTES), "min.cleanable.dirty.ratio", "0.01",
                    // The first append after a pause rolls the segment, so the update rounds below leave the
                    // segments of the first writes as they were (their modification time is what ages tombstones).
                    "segment.ms", "2000",
                    "delete.retention.ms", Long.toString(DELETE_RETENTION_MS)));
        }
        long started = System.nanoTime();
        produce(RECORDS, 0.05, null);
        long producedAt = System.currentTimeMillis();
        System.out.printf("CompactionIT: %d records produced in %d ms, log %d MB in %d segments%n", RECORDS,
                (System.nanoTime() - started) / 1_000_000, logBytes() >> 20, segmentFiles().size());

        // The cleaner switched on live; killed as soon as it is writing a cleaned segment.
        StrataContainer.setProperties(brokerCfg, Map.of("log.cleaner.enable", "true"));
        await("the cleaner writes a cleaned segment", 60, () -> hasFile(".cleaned") || hasFile(".swap"));
        container.kill();
        long target = activeSegmentBase();
        Map<Integer, Long> latest = latestAcked();

        // From the restart on, a consumer reads the log from the start again and again while the cleaner (which
        // starts over: the kill came before its first checkpoint) finishes.
        container.start();
        AtomicBoolean cleaned = new AtomicBoolean();
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        AtomicInteger passes = new AtomicInteger();
        AtomicInteger passesDuringCleaning = new AtomicInteger();
        Thread reader = new Thread(() -> {
            try {
                do {
                    boolean during = cleanedUpTo() < target;
                    Pass p = readAll();
                    for (Map.Entry<Integer, Long> e : latest.entrySet()) {
                        assertEquals(e.getValue(), p.lastOffsetByKey.get(e.getKey()), "last record of key "
                                + e.getKey() + " in a pass during cleaning");
                    }
                    passes.incrementAndGet();
                    if (during) {
                        passesDuringCleaning.incrementAndGet();
                    }
                } while (!cleaned.get());
            } catch (Throwable t) {
                readerFailure.set(t);
            }
        });
        reader.start();
        Pass afterKill = readAll();
        report("after SIGKILL during cleaning and restart", afterKill, -1, false);
        await("the log cleaned up to its active segment " + target, 120, () -> cleanedUpTo() >= target);
        cleaned.set(true);
        reader.join();
        assertNull(readerFailure.get(), () -> "consumer during cleaning: " + readerFailure.get());
        System.out.printf("CompactionIT: %d consistent passes of a consumer, %d of them begun during cleaning%n",
                passes.get(), passesDuringCleaning.get());
        assertTrue(passesDuringCleaning.get() > 0, "a pass read while the cleaner worked");

        Pass first = readAll();
        report("after the first cleaning", first, cleanedUpTo(), false);
        long tombstonesLeft = latest.values().stream().filter(o -> first.offsets.contains(o)
                && tombstone[first.sendAt.get(o)]).count();
        assertTrue(tombstonesLeft > 0, "tombstones stay until delete.retention.ms has passed");
        assertTrue(logBytes() < 4L * SEGMENT_BYTES, "the log shrank to " + logBytes() + " bytes");

        // delete.retention.ms later, two more rounds of updates of live keys make the first clean segments older
        // than the horizon (Kafka's rule before KIP-534: the clean part's newest segment minus the retention).
        await("delete.retention.ms passed", 30, () -> System.currentTimeMillis() > producedAt + DELETE_RETENTION_MS
                + 1000);
        rollAndClean("the first writes' last segment");
        for (int round = 0; round < 2; round++) {
            produce(25_000, 0, latestAcked());
            rollAndClean("update round " + round);
        }
        Pass last = readAll();
        report("after the tombstones' retention", last, cleanedUpTo(), true);
        // Every key whose last record is a tombstone of the first writes: the tombstone is gone, and so the key.
        long deadKeys = 0;
        for (Map.Entry<Integer, Long> e : latestAcked().entrySet()) {
            if (tombstone[sendAtOffset(e.getValue())]) {
                deadKeys++;
                assertTrue(!last.lastOffsetByKey.containsKey(e.getKey()), "key " + e.getKey()
                        + " (tombstone at " + e.getValue() + ") is gone");
            }
        }
        assertTrue(deadKeys > 100, deadKeys + " deleted keys");
        System.out.printf("CompactionIT: done in %d s, log %d KB%n", (System.nanoTime() - started) / 1_000_000_000,
                logBytes() >> 10);
    }

    /**
     * Sends {@code count} records from two producers (lz4 and uncompressed), {@code tombstones} of them null; with
     * {@code liveOnly}, only keys whose latest record there is a value.
     */
    private void produce(int count, double tombstones, Map<Integer, Long> liveOnly) throws Exception {
        List<Exception> failures = new ArrayList<>();
        Map<Object, Object> common = Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 32 * 1024);
        List<Integer> live = liveOnly == null ? null : liveOnly.entrySet().stream()
                .filter(e -> !tombstone[sendAtOffset(e.getValue())]).map(Map.Entry::getKey).toList();
        try (KafkaProducer<String, String> lz4 = Clients.producer(container, withCompression(common, "lz4"));
             KafkaProducer<String, String> plain = Clients.producer(container, withCompression(common, "none"))) {
            for (int i = 0; i < count; i++) {
                int send = sends.getAndIncrement();
                int key = live == null ? random.nextInt(KEYS) : live.get(random.nextInt(live.size()));
                boolean dead = random.nextDouble() < tombstones;
                keyOf[send] = key;
                tombstone[send] = dead;
                List<Header> headers = List.of(new RecordHeader("s", ByteBuffer.allocate(4).putInt(0, send).array()));
                ProducerRecord<String, String> record = new ProducerRecord<>(TOPIC, 0, null, "key-" + key,
                        dead ? null : "value-" + send + "-" + "x".repeat(20), headers);
                (i % 2 == 0 ? lz4 : plain).send(record, (metadata, e) -> {
                    if (e == null) {
                        ackedOffset[send] = metadata.offset();
                    } else {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                });
            }
        }
        assertTrue(failures.isEmpty(), "sends failed: " + failures.size() + ", first " + failures.stream()
                .findFirst().orElse(null));
    }

    /**
     * Waits out {@code segment.ms}, writes one update (which rolls the active segment), then waits until the
     * cleaner has cleaned up to the new active segment.
     */
    private void rollAndClean(String what) throws Exception {
        long lastWrite = System.currentTimeMillis();
        await("segment.ms passed", 10, () -> System.currentTimeMillis() > lastWrite + 2_100);
        produce(1, 0, latestAcked());
        long end = activeSegmentBase();
        await(what + " cleaned up to " + end, 60, () -> cleanedUpTo() >= end);
    }

    private static Map<String, Object> withCompression(Map<Object, Object> common, String type) {
        Map<String, Object> m = new HashMap<>();
        common.forEach((k, v) -> m.put((String) k, v));
        m.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, type);
        return m;
    }

    /** Key to the offset of its latest acknowledged record. */
    private Map<Integer, Long> latestAcked() {
        Map<Integer, Long> latest = new HashMap<>();
        for (int s = 0; s < sends.get(); s++) {
            if (ackedOffset[s] >= 0) {
                latest.merge(keyOf[s], ackedOffset[s], Math::max);
            }
        }
        return latest;
    }

    private final Map<Long, Integer> sendByOffset = new ConcurrentHashMap<>();

    private int sendAtOffset(long offset) {
        if (sendByOffset.isEmpty() || !sendByOffset.containsKey(offset)) {
            for (int s = 0; s < sends.get(); s++) {
                if (ackedOffset[s] >= 0) {
                    sendByOffset.put(ackedOffset[s], s);
                }
            }
        }
        return sendByOffset.get(offset);
    }

    /** What one read of the whole log saw. */
    private record Pass(List<Long> offsetsInOrder, java.util.Set<Long> offsets, Map<Long, Integer> sendAt,
                        Map<Integer, Long> lastOffsetByKey, int duplicated, int neverAcked) {
    }

    /** Reads the log from its start to its end offset, checking that offsets only increase. */
    private Pass readAll() {
        List<Long> order = new ArrayList<>();
        java.util.Set<Long> offsets = new java.util.HashSet<>();
        Map<Long, Integer> sendAt = new HashMap<>();
        Map<Integer, Long> last = new HashMap<>();
        int duplicated = 0;
        int neverAcked = 0;
        try (KafkaConsumer<String, String> consumer = Clients.consumer(container,
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000))) {
            consumer.assign(List.of(TP));
            consumer.seekToBeginning(List.of(TP));
            long end = consumer.endOffsets(List.of(TP)).get(TP);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            long previous = -1;
            while (consumer.position(TP) < end) {
                assertTrue(System.nanoTime() < deadline, "read to " + end + " within 90 s");
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    assertTrue(r.offset() > previous, "offset " + r.offset() + " after " + previous);
                    previous = r.offset();
                    int send = ByteBuffer.wrap(r.headers().lastHeader("s").value()).getInt();
                    if (!offsets.add(r.offset())) {
                        duplicated++;
                    }
                    if (ackedOffset[send] != r.offset()) {
                        neverAcked++;
                    }
                    order.add(r.offset());
                    sendAt.put(r.offset(), send);
                    last.put(Integer.parseInt(r.key().substring(4)), r.offset());
                }
            }
        }
        return new Pass(order, offsets, sendAt, last, duplicated, neverAcked);
    }

    /**
     * Prints acknowledged / consumed / lost / duplicated. Lost: a key's latest acknowledged record missing (with
     * {@code tombstonesMayGo}, a missing latest tombstone is not lost). Below {@code cleanedUpTo} (the cleaner's
     * checkpoint) only the latest record of each key among the records below it may remain, as Kafka keeps: a key
     * updated again in the active segment keeps one older record in the cleaned part.
     */
    private void report(String when, Pass pass, long cleanedUpTo, boolean tombstonesMayGo) {
        Map<Integer, Long> latest = latestAcked();
        Map<Integer, Long> latestBelow = new HashMap<>();
        for (int s = 0; s < sends.get(); s++) {
            if (ackedOffset[s] >= 0 && ackedOffset[s] < cleanedUpTo) {
                latestBelow.merge(keyOf[s], ackedOffset[s], Math::max);
            }
        }
        java.util.Set<Long> kept = new java.util.HashSet<>(latest.values());
        kept.addAll(latestBelow.values());
        int lost = 0;
        int tombstonesGone = 0;
        for (long o : kept) {
            if (!pass.offsets.contains(o)) {
                if (tombstonesMayGo && tombstone[sendAtOffset(o)]) {
                    tombstonesGone++;
                } else {
                    lost++;
                }
            }
        }
        int superseded = 0;
        java.util.Set<Long> latestBelowOffsets = new java.util.HashSet<>(latestBelow.values());
        for (long o : pass.offsetsInOrder) {
            if (o < cleanedUpTo && !latestBelowOffsets.contains(o)) {
                superseded++;
            }
        }
        long acknowledged = Arrays.stream(ackedOffset, 0, sends.get()).filter(o -> o >= 0).count();
        System.out.printf("CompactionIT %s: acknowledged %d (latest of %d keys), consumed %d, lost %d, duplicated"
                        + " %d, never acknowledged %d, superseded records in the cleaned part %d, tombstones gone"
                        + " %d%n", when, acknowledged, latest.size(), pass.offsetsInOrder.size(), lost,
                pass.duplicated, pass.neverAcked, superseded, tombstonesGone);
        assertEquals(sends.get(), acknowledged, "every send acknowledged");
        assertEquals(0, lost, "latest records lost");
        assertEquals(0, pass.duplicated, "records read twice");
        assertEquals(0, pass.neverAcked, "records at an offset other than their acknowledged one");
        assertEquals(0, superseded, "only the latest record of a key stays in the cleaned part");
    }

    /** The first dirty offset of the partition in the broker's cleaner-offset-checkpoint, -1 when not there. */
    private static long cleanedUpTo() {
        Path file = container.dataDir().resolve("cleaner-offset-checkpoint");
        try {
            if (!Files.exists(file)) {
                return -1;
            }
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.trim().split(" ");
                if (f.length == 3 && f[0].equals(TOPIC) && f[1].equals("0")) {
                    return Long.parseLong(f[2]);
                }
            }
        } catch (java.io.IOException e) {
            return -1; // being replaced: read again
        }
        return -1;
    }

    private static List<Path> segmentFiles() throws java.io.IOException {
        try (Stream<Path> files = Files.list(container.dataDir().resolve(TOPIC + "-0"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    private static long activeSegmentBase() throws java.io.IOException {
        List<Path> segments = segmentFiles();
        String name = segments.get(segments.size() - 1).getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - ".log".length()));
    }

    private static long logBytes() throws java.io.IOException {
        long total = 0;
        for (Path p : segmentFiles()) {
            total += Files.size(p);
        }
        return total;
    }

    private static boolean hasFile(String suffix) {
        try (Stream<Path> files = Files.list(container.dataDir().resolve(TOPIC + "-0"))) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(suffix));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not within " + seconds + " s: " + what + "\n" + container.logTail(30));
            }
            Thread.sleep(5);
        }
    }
}
