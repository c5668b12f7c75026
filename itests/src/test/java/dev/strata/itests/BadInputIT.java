package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input on raw sockets next to a working kafka-clients producer and consumer. Each bad request must get a clear
 * answer (a Kafka error code, or the connection closed) and, after each, the well-behaved clients still work.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BadInputIT {

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(15);
    private static final String WORKING = "working";

    @RegisterExtension
    static final SharedContainer strata = new SharedContainer("bad-input");
    private static KafkaProducer<String, String> producer;
    private static KafkaConsumer<String, String> consumer;
    private static int alive;

    @BeforeAll
    static void startContainer() throws Exception {
        Clients.createTopic(strata.admin(), WORKING, 1);
        producer = Clients.producer(strata.container());
        consumer = Clients.consumer(strata.container());
        TopicPartition tp = new TopicPartition(WORKING, 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        workingClientsStillWork();
    }

    @AfterAll
    static void closeClients() {
        if (consumer != null) {
            consumer.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** The long-lived, well-behaved clients produce one record and consume it. */
    @AfterEach
    void workingClientsStillWorkAfterEachTest() throws Exception {
        workingClientsStillWork();
    }

    private static void workingClientsStillWork() throws Exception {
        assertTrue(strata.container().isRunning(), "container died: " + strata.container().logTail(40));
        String value = "alive-" + alive++;
        RecordMetadata metadata = producer.send(new ProducerRecord<>(WORKING, value)).get(30, TimeUnit.SECONDS);
        List<ConsumerRecord<String, String>> records = Clients.poll(consumer, 1, Duration.ofSeconds(30));
        assertEquals(1, records.size(), "the working consumer should read " + value);
        assertEquals(value, records.get(0).value());
        assertEquals(metadata.offset(), records.get(0).offset());
    }

    private static RawKafkaConnection connect() throws IOException {
        return strata.container().rawConnection(Duration.ofSeconds(30));
    }

    private static void assertClosed(RawKafkaConnection connection, String what) throws IOException {
        assertTrue(connection.awaitClosedByBroker(CLOSE_WAIT), "the broker kept the connection open for "
                + CLOSE_WAIT + " after " + what);
    }

    /** {@code socket.request.max.bytes} as the container is configured (Kafka's default if not set). */
    private static int maxRequestBytes() throws IOException {
        String value = strata.container().readProperties("etc/" + StrataContainer.PROTOCOL_PID + ".cfg")
                .getProperty("socket.request.max.bytes", "104857600");
        return Integer.parseInt(value.trim());
    }

    @Test
    void frameLargerThanSocketRequestMaxBytesClosesTheConnection() throws Exception {
        try (RawKafkaConnection connection = connect()) {
            ByteBuffer frame = ByteBuffer.allocate(4 + 16);
            frame.putInt(maxRequestBytes() + 1);
            frame.putShort(ApiKeys.METADATA.id).putShort((short) 12).putInt(1).putShort((short) -1);
            connection.sendBytes(frame.array());
            assertClosed(connection, "a frame size of socket.request.max.bytes + 1");
        }
    }

    @Test
    void negativeFrameSizeClosesTheConnection() throws Exception {
        try (RawKafkaConnection connection = connect()) {
            connection.sendBytes(ByteBuffer.allocate(12).putInt(-5).putLong(0).array());
            assertClosed(connection, "a negative frame size");
        }
    }

    @Test
    void garbageRequestClosesTheConnection() throws Exception {
        try (RawKafkaConnection connection = connect()) {
            // A Metadata v12 header whose client id claims 32767 bytes in a 30-byte frame.
            ByteBuffer frame = ByteBuffer.allocate(4 + 30);
            frame.putInt(30).putShort(ApiKeys.METADATA.id).putShort((short) 12).putInt(7).putShort((short) 0x7fff);
            byte[] rest = new byte[20];
            Arrays.fill(rest, (byte) 'g');
            frame.put(rest);
            connection.sendBytes(frame.array());
            assertClosed(connection, "a request whose client id length runs past the frame");
        }
        try (RawKafkaConnection connection = connect()) {
            // A valid header (null client id), then an endless varint where the tagged fields should be.
            ByteBuffer frame = ByteBuffer.allocate(4 + 40);
            frame.putInt(40).putShort(ApiKeys.METADATA.id).putShort((short) 12).putInt(8).putShort((short) -1);
            byte[] rest = new byte[30];
            Arrays.fill(rest, (byte) 0xff);
            frame.put(rest);
            connection.sendBytes(frame.array());
            assertClosed(connection, "a request body of 0xff bytes");
        }
    }

    @Test
    void truncatedRequestClosesTheConnection() throws Exception {
        try (RawKafkaConnection connection = connect()) {
            // A whole frame whose request body stops in the middle (the size prefix matches what is sent).
            short version = connection.version(ApiKeys.PRODUCE, RawRequests.MAX_BY_NAME_VERSION);
            byte[] whole = RawKafkaConnection.encode(ApiKeys.PRODUCE, version, 1,
                    RawRequests.produceRequest(WORKING, 0, (short) -1, RawRequests.batch("cut short").buffer()));
            int keep = whole.length - 20;
            ByteBuffer frame = ByteBuffer.allocate(keep);
            frame.putInt(keep - 4).put(whole, 4, keep - 4);
            connection.sendBytes(frame.array());
            assertClosed(connection, "a Produce request truncated inside its record batch");
        }
        try (RawKafkaConnection connection = connect()) {
            // A frame that promises 200 bytes; 10 arrive, then the client stops sending.
            connection.sendBytes(ByteBuffer.allocate(14).putInt(200).putShort(ApiKeys.METADATA.id).array());
            connection.shutdownOutput();
            assertClosed(connection, "a frame cut off by end of input");
        }
        assertEquals(0, Clients.readAll(strata.container(), List.of(new TopicPartition(WORKING, 0)),
                Duration.ofSeconds(30))
                .stream().filter(r -> "cut short".equals(r.value())).count(), "the truncated batch was not written");
    }

    @Test
    void unknownApiKeyClosesTheConnection() throws Exception {
        try (RawKafkaConnection connection = connect()) {
            ByteBuffer frame = ByteBuffer.allocate(4 + 10);
            frame.putInt(10).putShort((short) 30_000).putShort((short) 0).putInt(3).putShort((short) -1);
            connection.sendBytes(frame.array());
            assertClosed(connection, "a request with API key 30000");
        }
    }

    @Test
    void unsupportedApiVersionsVersionGetsUnsupportedVersion() throws Exception {
        // Kafka's rule: ApiVersions of an unknown (newer) version is answered with UNSUPPORTED_VERSION in v0 format
        // and the versions the broker supports, so a newer client can fall back.
        try (RawKafkaConnection connection = connect()) {
            short tooNew = (short) 127;
            int correlationId = 77;
            byte[] frame = RawKafkaConnection.encode(ApiKeys.API_VERSIONS, (short) 3, correlationId,
                    new ApiVersionsRequestData().setClientSoftwareName("itests").setClientSoftwareVersion("1"));
            ByteBuffer.wrap(frame).putShort(6, tooNew); // the header's api_version field
            connection.sendBytes(frame);
            ApiVersionsResponseData response = (ApiVersionsResponseData) connection.receive(ApiKeys.API_VERSIONS,
                    (short) 0, correlationId);
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), response.errorCode(), "ApiVersions v127 error code");
            assertTrue(response.apiKeys().find(ApiKeys.API_VERSIONS.id) != null,
                    "the answer lists the supported ApiVersions versions");
        }
    }

    @Test
    void produceToAMissingTopicGetsUnknownTopicOrPartition() throws Exception {
        String missing = "no-such-topic";
        try (RawKafkaConnection connection = connect()) {
            ProduceResponseData.PartitionProduceResponse response = RawRequests.produce(connection, missing, 0,
                    (short) -1, RawRequests.batch("lost").buffer());
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), response.errorCode(),
                    "error code of a Produce to a missing topic (" + Errors.forCode(response.errorCode()) + ")");
        }
        try (RawKafkaConnection connection = connect()) {
            ProduceResponseData.PartitionProduceResponse response = RawRequests.produce(connection, WORKING, 42,
                    (short) -1, RawRequests.batch("lost").buffer());
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), response.errorCode(),
                    "error code of a Produce to partition 42 of a 1-partition topic ("
                            + Errors.forCode(response.errorCode()) + ")");
        }
        assertFalse(strata.admin().listTopics().names().get(30, TimeUnit.SECONDS).contains(missing),
                "a Produce must not create the topic (auto.create.topics.enable=false)");
    }

    @Test
    void batchWithABadCrcGetsCorruptMessageAndNothingIsWritten() throws Exception {
        String topic = "crc";
        Clients.createTopic(strata.admin(), topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (RawKafkaConnection connection = connect()) {
            ProduceResponseData.PartitionProduceResponse good = RawRequests.produce(connection, topic, 0, (short) -1,
                    RawRequests.batch("good-0").buffer());
            assertEquals(0, good.errorCode(), "a valid batch: " + Errors.forCode(good.errorCode()));
            assertEquals(0, good.baseOffset());

            MemoryRecords batch = RawRequests.batch("corrupt-me-please");
            ByteBuffer corrupt = batch.buffer().duplicate();
            int inValue = corrupt.limit() - 5; // the record ends with its value, then a 1-byte header count
            corrupt.put(inValue, (byte) (corrupt.get(inValue) ^ 0x01));
            ProduceResponseData.PartitionProduceResponse bad = RawRequests.produce(connection, topic, 0, (short) -1,
                    corrupt);
            assertEquals(Errors.CORRUPT_MESSAGE.code(), bad.errorCode(),
                    "error code of a batch with a bad CRC (" + Errors.forCode(bad.errorCode()) + ")");
        }
        try (KafkaConsumer<String, String> check = Clients.consumer(strata.container())) {
            assertEquals(1L, check.endOffsets(List.of(tp)).get(tp), "end offset after the corrupt batch");
        }
        try (RawKafkaConnection connection = connect()) {
            ProduceResponseData.PartitionProduceResponse next = RawRequests.produce(connection, topic, 0, (short) -1,
                    RawRequests.batch("good-1").buffer());
            assertEquals(0, next.errorCode());
            assertEquals(1, next.baseOffset(), "the next valid batch lands right after the last good one");
        }
        List<ConsumerRecord<String, String>> records =
                Clients.readAll(strata.container(), List.of(tp), Duration.ofSeconds(30));
        assertEquals(List.of("good-0", "good-1"), records.stream().map(ConsumerRecord::value).toList());
    }

    @Test
    void batchLargerThanMessageMaxBytesGetsMessageTooLarge() throws Exception {
        String topic = "too-large";
        Clients.createTopic(strata.admin(), topic, 1);
        String huge = "z".repeat(1_100_000); // over message.max.bytes=1048588, under socket.request.max.bytes
        try (RawKafkaConnection connection = connect()) {
            ProduceResponseData.PartitionProduceResponse response = RawRequests.produce(connection, topic, 0,
                    (short) -1, RawRequests.batch(huge).buffer());
            assertEquals(Errors.MESSAGE_TOO_LARGE.code(), response.errorCode(),
                    "error code of a batch over message.max.bytes (" + Errors.forCode(response.errorCode()) + ")");
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> check = Clients.consumer(strata.container())) {
            assertEquals(0L, check.endOffsets(List.of(tp)).get(tp), "end offset after the refused batch");
        }
    }

    @Test
    void produceWithAcksZeroGetsNoResponse() throws Exception {
        String topic = "acks-zero-raw";
        Clients.createTopic(strata.admin(), topic, 1);
        try (RawKafkaConnection connection = connect()) {
            short version = connection.version(ApiKeys.PRODUCE, RawRequests.MAX_BY_NAME_VERSION);
            connection.send(ApiKeys.PRODUCE, version,
                    RawRequests.produceRequest(topic, 0, (short) 0, RawRequests.batch("silent").buffer()));
            short metadataVersion = connection.version(ApiKeys.METADATA, 12);
            int correlationId = connection.send(ApiKeys.METADATA, metadataVersion,
                    new MetadataRequestData().setTopics(null));
            // The next frame must answer the Metadata request: an acks=0 Produce has no response.
            connection.receive(ApiKeys.METADATA, metadataVersion, correlationId);
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        List<ConsumerRecord<String, String>> records;
        try (KafkaConsumer<String, String> check = Clients.consumer(strata.container())) {
            check.assign(List.of(tp));
            check.seekToBeginning(List.of(tp));
            records = Clients.poll(check, 1, Duration.ofSeconds(20));
        }
        assertEquals(List.of("silent"), records.stream().map(ConsumerRecord::value).toList(),
                "the acks=0 record was written");
    }
}
