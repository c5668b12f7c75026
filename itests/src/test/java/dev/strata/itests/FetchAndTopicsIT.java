package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Long-poll fetches and topic deletion against one container shared by the class (each test has its own topics).
 * Times are measured only to tell "waited" from "answered at once", never as performance bounds.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FetchAndTopicsIT {

    @RegisterExtension
    static final SharedContainer strata = new SharedContainer("fetch-topics");

    @Test
    void consumerFetchBelowMinBytesWaitsForMaxWaitThenReturnsWhatExists() throws Exception {
        String topic = "long-poll-consumer";
        Clients.createTopic(strata.admin(), topic, 1);
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container())) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, "small-" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        int maxWaitMs = 1500;
        try (KafkaConsumer<String, String> consumer = Clients.consumer(strata.container(), Map.of(
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1024 * 1024,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, maxWaitMs))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            consumer.partitionsFor(topic); // metadata first, so the measure below is mostly the fetch
            long start = System.nanoTime();
            List<ConsumerRecord<String, String>> records = Clients.poll(consumer, 3, Duration.ofSeconds(30));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(List.of("small-0", "small-1", "small-2"),
                    records.stream().map(ConsumerRecord::value).collect(Collectors.toList()),
                    "records below fetch.min.bytes are returned once fetch.max.wait.ms passes");
            assertTrue(elapsedMs >= maxWaitMs / 2, "a fetch below fetch.min.bytes=1 MiB returned after "
                    + elapsedMs + " ms; the broker should hold it for about fetch.max.wait.ms=" + maxWaitMs);
        }
    }

    @Test
    void rawFetchOnEmptyPartitionWaitsForMaxWait() throws Exception {
        String topic = "long-poll-empty";
        Clients.createTopic(strata.admin(), topic, 1);
        int maxWaitMs = 1000;
        try (RawKafkaConnection connection = strata.container().rawConnection(Duration.ofSeconds(30))) {
            connection.apiVersions();
            long start = System.nanoTime();
            FetchResponseData.PartitionData partition = RawRequests.fetch(connection,
                    RawRequests.fetchRequest(topic, 0, 0, maxWaitMs, 1));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(0, partition.errorCode(), "fetch error code");
            assertEquals(0, partition.highWatermark(), "high watermark of an empty partition");
            assertEquals(0, recordsOf(partition).size(), "records in an empty partition");
            assertTrue(elapsedMs >= maxWaitMs / 2, "an empty fetch with min_bytes=1 returned after " + elapsedMs
                    + " ms; the broker should hold it for about max_wait_ms=" + maxWaitMs);
        }
    }

    @Test
    void dataArrivingDuringALongPollIsReturned() throws Exception {
        String topic = "long-poll-wakeup";
        Clients.createTopic(strata.admin(), topic, 1);
        int maxWaitMs = 20_000;
        try (RawKafkaConnection connection = strata.container().rawConnection(Duration.ofSeconds(60));
             KafkaProducer<String, String> producer = Clients.producer(strata.container())) {
            connection.apiVersions();
            producer.partitionsFor(topic); // metadata ready, so the send below is quick
            long start = System.nanoTime();
            CompletableFuture<FetchResponseData.PartitionData> fetch = CompletableFuture.supplyAsync(() -> {
                try {
                    return RawRequests.fetch(connection, RawRequests.fetchRequest(topic, 0, 0, maxWaitMs, 1));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(500); // let the fetch reach the broker and park
            if (fetch.isDone()) {
                fail("an empty fetch with min_bytes=1 and max_wait_ms=20000 answered at once: " + fetch.handle(
                        (r, e) -> e != null ? e.toString() : "error " + r.errorCode() + ", " + recordsOf(r)).get());
            }
            producer.send(new ProducerRecord<>(topic, "wake-up")).get(30, TimeUnit.SECONDS);

            FetchResponseData.PartitionData partition = fetch.get(45, TimeUnit.SECONDS);
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(0, partition.errorCode(), "fetch error code");
            List<String> values = recordsOf(partition);
            assertEquals(List.of("wake-up"), values, "the record produced during the long poll");
            assertTrue(elapsedMs < maxWaitMs, "the parked fetch answered only after max_wait_ms (" + elapsedMs
                    + " ms): new data should complete it as soon as min_bytes is reached");
        }
    }

    private static List<String> recordsOf(FetchResponseData.PartitionData partition) {
        List<String> values = new ArrayList<>();
        if (partition.records() == null) {
            return values;
        }
        MemoryRecords records = (MemoryRecords) partition.records();
        for (Record record : records.records()) {
            byte[] bytes = new byte[record.valueSize()];
            record.value().get(bytes);
            values.add(new String(bytes));
        }
        return values;
    }

    @Test
    void deletingATopicRemovesItsPartitionDirectories() throws Exception {
        String topic = "doomed";
        // A deleted partition's directory is renamed -delete at once and removed file.delete.delay.ms later (60 s
        // by default, so that fetches sending from it complete): 1 s here.
        Clients.createTopic(strata.admin(), topic, 2, Map.of("file.delete.delay.ms", "1000"));
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container())) {
            producer.send(new ProducerRecord<>(topic, 0, null, "p0")).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(topic, 1, null, "p1")).get(30, TimeUnit.SECONDS);
        }
        Path data = strata.container().dataDir();
        List<String> before = partitionDirs(data, topic);
        assertEquals(List.of(topic + "-0", topic + "-1"), before, "partition directories under " + data);
        assertTrue(Files.list(data.resolve(topic + "-0")).anyMatch(p -> p.getFileName().toString().endsWith(".log")),
                "a .log segment file in " + data.resolve(topic + "-0"));

        strata.admin().deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        assertFalse(strata.admin().listTopics().names().get(30, TimeUnit.SECONDS).contains(topic),
                "topic still listed");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> left = partitionDirs(data, topic);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            left = partitionDirs(data, topic);
        }
        if (!left.isEmpty()) {
            fail("partition directories still under " + data + " 30 s after DeleteTopics: " + left);
        }

        // The name is free again, and a new topic under it starts empty.
        Clients.createTopic(strata.admin(), topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(strata.container())) {
            assertEquals(0L, consumer.endOffsets(List.of(tp)).get(tp), "end offset of the re-created topic");
        }
    }

    /** Directories of the topic's partitions, including ones renamed for deletion ({@code topic-0.<id>-delete}). */
    private static List<String> partitionDirs(Path data, String topic) throws IOException {
        Pattern pattern = Pattern.compile(Pattern.quote(topic) + "-\\d+(\\..*)?");
        try (Stream<Path> entries = Files.list(data)) {
            return entries.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> pattern.matcher(n).matches())
                    .sorted()
                    .collect(Collectors.toList());
        }
    }
}
