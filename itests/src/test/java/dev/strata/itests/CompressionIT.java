package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.UnsupportedCompressionTypeException;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.utils.Crc32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compression end to end against the assembled container: stock kafka-clients producers with each codec, the
 * batches as they lie in the partition's {@code .log} files, topic-level recompression, codec bundles installed and
 * removed at run time through {@code deploy/}, and damaged compressed batches on a raw connection.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CompressionIT {
    private static final int RECORDS = 50_000;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(120);

    @RegisterExtension
    static final SharedContainer strata = new SharedContainer("compression");

    /** A JSON-like event: repetitive field names and value vocabularies, as real event streams are. */
    static String event(int i) {
        return "{\"id\":" + i + ",\"ts\":\"2026-11-25T10:" + (i / 60 % 60) + ":" + (i % 60) + "Z\",\"user\":\"user-"
                + (i % 997) + "\",\"action\":\"" + (i % 3 == 0 ? "view" : i % 3 == 1 ? "click" : "purchase")
                + "\",\"page\":\"/catalog/items/" + (i % 1000) + "\",\"amount\":" + (i % 500) + "." + (i % 100)
                + ",\"tags\":[\"web\",\"eu-west\",\"v2\"]}";
    }

    private static Map<String, Object> compression(String codec) {
        return Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 65_536);
    }

    /** Sends {@code count} events (key "k<i>") and waits for every acknowledgement; returns the uncompressed bytes. */
    private static long sendEvents(KafkaProducer<String, String> producer, String topic, int count) throws Exception {
        List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>(count);
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            String key = "k" + i;
            String value = event(i);
            bytes += key.length() + value.length();
            CompletableFuture<RecordMetadata> ack = new CompletableFuture<>();
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
                if (error != null) {
                    ack.completeExceptionally(error);
                } else {
                    ack.complete(metadata);
                }
            });
            acks.add(ack);
        }
        producer.flush();
        for (CompletableFuture<RecordMetadata> ack : acks) {
            ack.get(60, TimeUnit.SECONDS);
        }
        return bytes;
    }

    private static void assertEvents(List<ConsumerRecord<String, String>> records, int count) {
        assertEquals(count, records.size());
        for (int i = 0; i < count; i++) {
            ConsumerRecord<String, String> r = records.get(i);
            assertEquals(i, r.offset());
            assertEquals("k" + i, r.key());
            assertEquals(event(i), r.value(), "record " + i);
        }
    }

    private static void createTopic(String topic, Map<String, String> configs) throws Exception {
        if (configs.isEmpty()) {
            Clients.createTopic(strata.admin(), topic, 1);
            return;
        }
        strata.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs))).all()
                .get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) { // as Clients.createTopic: wait for the partition's leader
            try {
                if (strata.admin().describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                        .partitions().get(0).leader() != null) {
                    return;
                }
            } catch (ExecutionException e) {
                // not known yet
            }
            Thread.sleep(100);
        }
        fail("topic " + topic + " has no leader 30 s after creation");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void producerCompressedBatchesAreStoredCompressedAndReadBackIntact(String codec) throws Exception {
        String topic = "json-" + codec;
        createTopic(topic, Map.of());
        long plainBytes;
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container(), compression(codec))) {
            plainBytes = sendEvents(producer, topic, RECORDS);
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        assertEvents(Clients.readAll(strata.container(), List.of(tp), READ_TIMEOUT), RECORDS);

        StoredBatches stored = StoredBatches.read(strata.container().dataDir().resolve(topic + "-0"));
        assertEquals(RECORDS, stored.records());
        assertEquals(List.of(CompressionType.forName(codec)), stored.compressionTypes());
        double ratio = (double) plainBytes / stored.bytes();
        System.out.printf("CompressionIT: %s stored %,d bytes for %,d bytes of keys and values (ratio %.2f, %d"
                + " batches)%n", codec, stored.bytes(), plainBytes, ratio, stored.batches());
        assertTrue(stored.bytes() < plainBytes / 2, codec + ": " + stored.bytes() + " bytes on disk for "
                + plainBytes + " bytes of records");
    }

    @Test
    void topicCompressionTypeRecompressesGzipToLz4() throws Exception {
        String topic = "recompressed";
        createTopic(topic, Map.of("compression.type", "lz4"));
        int count = 5_000;
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container(), compression("gzip"))) {
            sendEvents(producer, topic, count);
        }
        StoredBatches stored = StoredBatches.read(strata.container().dataDir().resolve(topic + "-0"));
        assertEquals(count, stored.records());
        assertEquals(List.of(CompressionType.LZ4), stored.compressionTypes());
        assertEvents(Clients.readAll(strata.container(), List.of(new TopicPartition(topic, 0)), READ_TIMEOUT), count);
    }

    /** A raw Produce of {@code batch}; returns the partition's error. */
    private static Errors rawProduce(String topic, ByteBuffer batch) throws IOException {
        try (RawKafkaConnection connection = strata.container().rawConnection(Duration.ofSeconds(30))) {
            ProduceResponseData.PartitionProduceResponse response = RawRequests.produce(connection, topic, 0,
                    (short) 1, batch);
            return Errors.forCode(response.errorCode());
        }
    }

    /** Rewrites attributes and/or the records section of a batch and recomputes length and CRC. */
    private static ByteBuffer rewrite(ByteBuffer batch, int compressionId, byte[] payload) {
        int headerSize = DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
        byte[] section = payload;
        if (section == null) {
            section = new byte[batch.remaining() - headerSize];
            batch.duplicate().position(batch.position() + headerSize).get(section);
        }
        ByteBuffer out = ByteBuffer.allocate(headerSize + section.length);
        out.put(batch.duplicate().limit(batch.position() + headerSize)).put(section).flip();
        out.putInt(8, out.remaining() - 12); // batch length: everything after base offset and length
        short attributes = (short) ((out.getShort(21) & ~0x07) | compressionId);
        out.putShort(21, attributes);
        out.putInt(17, (int) Crc32C.compute(out, 21, out.remaining() - 21));
        return out;
    }

    private static ByteBuffer gzipBatch(int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, event(i).getBytes());
        }
        return MemoryRecords.withRecords(Compression.gzip().build(), records).buffer();
    }

    private static void normalClientsStillWork(String topic) throws Exception {
        assertTrue(strata.container().isRunning(), "container died: " + strata.container().logTail(40));
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container(), compression("gzip"))) {
            RecordMetadata m = producer.send(new ProducerRecord<>(topic, "alive")).get(30, TimeUnit.SECONDS);
            List<ConsumerRecord<String, String>> all = Clients.readAll(strata.container(),
                    List.of(new TopicPartition(topic, 0)), READ_TIMEOUT);
            assertEquals("alive", all.get(all.size() - 1).value());
            assertEquals(m.offset(), all.get(all.size() - 1).offset());
        }
    }

    @Test
    void damagedCompressedBatchesAreRefusedAndTheBrokerStaysHealthy() throws Exception {
        String topic = "damaged";
        createTopic(topic, Map.of());
        ByteBuffer good = gzipBatch(200);

        assertEquals(Errors.UNSUPPORTED_COMPRESSION_TYPE, rawProduce(topic, rewrite(good, 7, null)));
        normalClientsStillWork(topic);

        byte[] garbage = new byte[good.remaining() - DefaultRecordBatch.RECORD_BATCH_OVERHEAD];
        new java.util.Random(7).nextBytes(garbage);
        assertEquals(Errors.CORRUPT_MESSAGE, rawProduce(topic, rewrite(good, 1, garbage)));
        normalClientsStillWork(topic);

        byte[] truncated = new byte[(good.remaining() - DefaultRecordBatch.RECORD_BATCH_OVERHEAD) / 2];
        good.duplicate().position(DefaultRecordBatch.RECORD_BATCH_OVERHEAD).get(truncated);
        assertEquals(Errors.CORRUPT_MESSAGE, rawProduce(topic, rewrite(good, 1, truncated)));
        normalClientsStillWork(topic);

        // nothing of the refused batches reached the log: only the three "alive" records
        StoredBatches stored = StoredBatches.read(strata.container().dataDir().resolve(topic + "-0"));
        assertEquals(3, stored.records());
        assertEquals(Errors.NONE, rawProduce(topic, good));
    }

    /** Sends one zstd record with a fresh producer; returns the send's failure, or null when it was stored. */
    private static Throwable sendZstd(StrataContainer target, String topic, String value) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(target, Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000))) {
            AtomicReference<Exception> callbackError = new AtomicReference<>();
            try {
                producer.send(new ProducerRecord<>(topic, value), (m, e) -> callbackError.set(e))
                        .get(60, TimeUnit.SECONDS);
                return null;
            } catch (ExecutionException e) {
                assertEquals(e.getCause().getClass(), callbackError.get().getClass(), "callback saw the same error");
                return e.getCause();
            }
        }
    }

    /** Repeats {@link #sendZstd} until {@code done} says the outcome is the expected one, for up to 60 s. */
    private static Throwable awaitZstd(StrataContainer target, String topic, boolean expectStored) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Throwable last;
        int attempt = 0;
        do {
            last = sendZstd(target, topic, "zstd-" + expectStored + "-" + attempt++);
            if ((last == null) == expectStored) {
                return last;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        fail("zstd sends still " + (expectStored ? "fail" : "succeed") + " after 60 s; last: " + last + "\n"
                + target.logTail(40));
        return last;
    }

    @Test
    void zstdCodecDroppedIntoDeployBecomesUsableAndGoesAwayWhenRemoved() throws Exception {
        try (StrataContainer hot = StrataContainer.create("codec-hot-deploy")) {
            Path features = hot.home().resolve("etc/features.cfg");
            String original = Files.readString(features);
            String withoutZstd = original.replace("strata-compression-zstd,", "").replace(", strata-compression-zstd",
                    "");
            assertFalse(withoutZstd.contains("strata-compression-zstd"), "could not drop zstd from " + original);
            Files.writeString(features, withoutZstd);
            hot.start();
            try (Admin hotAdmin = Clients.admin(hot)) {
                Clients.createTopic(hotAdmin, "hot", 1);
            }

            Throwable before = sendZstd(hot, "hot", "before");
            assertInstanceOf(UnsupportedCompressionTypeException.class, before, String.valueOf(before));

            Path system = hot.home().resolve("system");
            Path deploy = hot.home().resolve("deploy");
            Path jni = onlyJar(system.resolve("com/github/luben/zstd-jni"));
            Path codecJar = onlyJar(system.resolve("dev/strata/strata-compression-zstd"));
            Files.copy(jni, deploy.resolve(jni.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(codecJar, deploy.resolve(codecJar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            assertNull(awaitZstd(hot, "hot", true));
            assertNull(sendZstd(hot, "hot", "installed"));

            Files.delete(deploy.resolve(codecJar.getFileName()));
            Throwable after = awaitZstd(hot, "hot", false);
            assertInstanceOf(UnsupportedCompressionTypeException.class, after, String.valueOf(after));

            // healthy: other codecs work, and what was written with zstd is still readable
            try (KafkaProducer<String, String> producer = Clients.producer(hot, compression("lz4"))) {
                producer.send(new ProducerRecord<>("hot", "lz4-after")).get(30, TimeUnit.SECONDS);
            }
            List<String> values = Clients.readAll(hot, List.of(new TopicPartition("hot", 0)), READ_TIMEOUT).stream()
                    .map(ConsumerRecord::value).toList();
            assertTrue(values.contains("installed"), values.toString());
            assertEquals("lz4-after", values.get(values.size() - 1));
            assertTrue(hot.isRunning());
        }
    }

    private static Path onlyJar(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            List<Path> jars = files.filter(p -> p.toString().endsWith(".jar")).toList();
            assertEquals(1, jars.size(), "jars under " + dir + ": " + jars);
            return jars.get(0);
        }
    }

    /** The batches of a partition directory's {@code .log} files, parsed by kafka-clients' FileRecords. */
    record StoredBatches(long bytes, int batches, long records, List<CompressionType> compressionTypes) {
        static StoredBatches read(Path partitionDir) throws IOException {
            long bytes = 0;
            int batches = 0;
            long records = 0;
            List<CompressionType> types = new ArrayList<>();
            List<Path> logs;
            try (var files = Files.list(partitionDir)) {
                logs = files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
            }
            assertFalse(logs.isEmpty(), "no .log file in " + partitionDir);
            for (Path log : logs) {
                try (org.apache.kafka.common.record.FileRecords file =
                             org.apache.kafka.common.record.FileRecords.open(log.toFile(), false)) {
                    for (RecordBatch batch : file.batches()) {
                        batch.ensureValid();
                        bytes += batch.sizeInBytes();
                        batches++;
                        records += batch.countOrNull();
                        if (!types.contains(batch.compressionType())) {
                            types.add(batch.compressionType());
                        }
                    }
                }
            }
            return new StoredBatches(bytes, batches, records, types);
        }
    }
}
