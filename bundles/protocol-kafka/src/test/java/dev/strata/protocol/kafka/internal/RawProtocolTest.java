package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-made bytes on real sockets: bad frames close only their own connection, and responses keep request order.
 * Every bad-input test checks that a connection opened before it, and a new one, still work afterwards.
 */
class RawProtocolTest {
    private static final int MAX_REQUEST = 64 * 1024;

    @TempDir
    Path dir;

    private FileBackedTestBroker broker;
    private KafkaServer server;
    private RawConnection bystander;

    @BeforeEach
    void start() throws IOException {
        broker = new FileBackedTestBroker(dir);
        broker.createTopic("t", 1, (short) 1, Map.of(), false, null);
        // No group coordinator here, and no start-up grace: the group APIs are not offered at all.
        server = new KafkaServer(broker, ServerSettings.loopbackEphemeral().withMaxRequestBytes(MAX_REQUEST))
                .groupCoordinatorStartGraceMs(0);
        server.start();
        bystander = new RawConnection(server.port());
        assertApiVersionsWorks(bystander, 1);
    }

    @AfterEach
    void stop() throws Exception {
        bystander.close();
        server.close();
        broker.close();
    }

    private static ApiVersionsRequestData apiVersionsRequest() {
        return new ApiVersionsRequestData().setClientSoftwareName("raw-test").setClientSoftwareVersion("1.0");
    }

    private static void assertApiVersionsWorks(RawConnection connection, int correlationId) throws IOException {
        connection.send(apiVersionsRequest(), (short) 3, correlationId);
        ApiVersionsResponseData response = new ApiVersionsResponseData();
        assertEquals(correlationId, connection.readResponse(response, (short) 3));
        assertEquals(Errors.NONE.code(), response.errorCode());
        assertNotNull(response.apiKeys().find(ApiMessageType.FETCH.apiKey()));
    }

    /** The bad connection was closed, the earlier connection still answers, and a new one does too. */
    private void assertOnlyThatConnectionClosed(RawConnection bad) throws IOException {
        assertTrue(bad.closedByPeer(), "the misbehaving connection is closed");
        assertApiVersionsWorks(bystander, 2);
        try (RawConnection fresh = new RawConnection(server.port())) {
            assertApiVersionsWorks(fresh, 7);
        }
    }

    private static byte[] frame(int size, byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(size).put(body).array();
    }

    @Test
    void oversizedFrameIsRefusedOnItsSizePrefixAlone() throws IOException {
        try (RawConnection bad = new RawConnection(server.port())) {
            // Only the 4-byte prefix is sent: the server must decide without waiting for (or buffering) a body.
            bad.sendRaw(ByteBuffer.allocate(4).putInt(MAX_REQUEST + 1).array());
            assertOnlyThatConnectionClosed(bad);
        }
        try (RawConnection bad = new RawConnection(server.port())) {
            bad.sendRaw(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
            assertOnlyThatConnectionClosed(bad);
        }
    }

    @Test
    void negativeSizeIsRefused() throws IOException {
        try (RawConnection bad = new RawConnection(server.port())) {
            bad.sendRaw(ByteBuffer.allocate(4).putInt(-5).array());
            assertOnlyThatConnectionClosed(bad);
        }
    }

    @Test
    void garbageFramesCloseTheConnection() throws IOException {
        byte[] noise = new byte[40];
        Arrays.fill(noise, (byte) 0xA5);
        try (RawConnection bad = new RawConnection(server.port())) {
            bad.sendRaw(frame(noise.length, noise));
            assertOnlyThatConnectionClosed(bad);
        }
        // A known API and version whose body is nonsense: Metadata v12 claiming a huge topic array.
        ByteBuffer body = ByteBuffer.allocate(30).putShort(ApiMessageType.METADATA.apiKey()).putShort((short) 12)
                .putInt(5).putShort((short) -1).put((byte) 0).put((byte) 0x7f).put((byte) 0x7f);
        try (RawConnection bad = new RawConnection(server.port())) {
            bad.sendRaw(frame(body.position(), Arrays.copyOf(body.array(), body.position())));
            assertOnlyThatConnectionClosed(bad);
        }
        // Too short to hold a request header.
        try (RawConnection bad = new RawConnection(server.port())) {
            bad.sendRaw(frame(3, new byte[] {0, 3, 0}));
            assertOnlyThatConnectionClosed(bad);
        }
    }

    @Test
    void truncatedBodyClosesTheConnection() throws IOException {
        byte[] full = RawConnection.request(new MetadataRequestData().setTopics(List.of(
                new MetadataRequestData.MetadataRequestTopic().setName("t"))), (short) 12, 3);
        int cut = full.length - 6;
        byte[] truncated = Arrays.copyOf(full, cut);
        ByteBuffer.wrap(truncated).putInt(cut - 4);
        try (RawConnection bad = new RawConnection(server.port())) {
            bad.sendRaw(truncated);
            assertOnlyThatConnectionClosed(bad);
        }
    }

    /**
     * librdkafka 2.15.1's all-topics Metadata v13 request, captured on the wire (client id "strata-itest-rdkafka",
     * correlation id 3): it reserves 4 bytes for the topic array count, leaves them as a null compact array, and
     * sends its last three fields after them, so 3 bytes follow the parsed body. Kafka ignores them; so do we.
     */
    static final String LIBRDKAFKA_2_15_ALL_TOPICS_METADATA_V13 =
            "0003000d00000003" + "0014" + "7374726174612d69746573742d72646b61666b61" + "00" // header v2
            + "00" + "00" + "00" + "00" // topics null, allow auto-creation false, authorized ops false, no tags
            + "010000"; // what librdkafka meant as allow auto-creation, authorized ops and tags

    @Test
    void bytesAfterACompleteBodyAreIgnoredAsKafkaIgnoresThem() throws IOException {
        byte[] captured = HexFormat.of().parseHex(LIBRDKAFKA_2_15_ALL_TOPICS_METADATA_V13);
        try (RawConnection client = new RawConnection(server.port())) {
            client.sendRaw(frame(captured.length, captured));
            MetadataResponseData response = new MetadataResponseData();
            assertEquals(3, client.readResponse(response, (short) 13));
            assertEquals(List.of("t"), response.topics().stream().map(MetadataResponseData.MetadataResponseTopic::name)
                    .toList(), "all topics listed");
            assertEquals(Errors.NONE.code(), response.topics().iterator().next().errorCode());
            // The same connection goes on serving.
            assertApiVersionsWorks(client, 4);
        }
        // Any request: a Metadata v12 for one topic followed by 3 bytes.
        byte[] full = RawConnection.request(new MetadataRequestData().setTopics(List.of(
                new MetadataRequestData.MetadataRequestTopic().setName("t"))), (short) 12, 5);
        byte[] padded = Arrays.copyOf(full, full.length + 3);
        ByteBuffer.wrap(padded).putInt(padded.length - 4);
        try (RawConnection client = new RawConnection(server.port())) {
            client.sendRaw(padded);
            MetadataResponseData response = new MetadataResponseData();
            assertEquals(5, client.readResponse(response, (short) 12));
            assertEquals("t", response.topics().iterator().next().name());
        }
    }

    @Test
    void clusterOperationsInMetadataV8ToV10AsLibrdkafkaAsksForThem() throws IOException {
        for (short version = 8; version <= 10; version++) {
            MetadataRequestData request = new MetadataRequestData().setTopics(List.of())
                    .setIncludeClusterAuthorizedOperations(true);
            bystander.send(request, version, 20 + version);
            MetadataResponseData response = new MetadataResponseData();
            assertEquals(20 + version, bystander.readResponse(response, version));
            assertEquals(AuthorizedOperations.CLUSTER, response.clusterAuthorizedOperations(), "v" + version);
        }
    }

    /** As Kafka: a topic by id (null name) is INVALID_REQUEST below v12, where the response has no null name. */
    @Test
    void metadataByTopicIdBelowV12IsInvalidAndFromV12UnknownTopicId() throws IOException {
        for (short version = 10; version <= 11; version++) {
            try (RawConnection bad = new RawConnection(server.port())) {
                bad.send(new MetadataRequestData().setTopics(List.of(new MetadataRequestData.MetadataRequestTopic()
                        .setName(null).setTopicId(org.apache.kafka.common.Uuid.randomUuid()))), version, 3);
                assertOnlyThatConnectionClosed(bad);
            }
        }
        bystander.send(new MetadataRequestData().setTopics(List.of(new MetadataRequestData.MetadataRequestTopic()
                .setName(null).setTopicId(org.apache.kafka.common.Uuid.randomUuid()))), (short) 12, 4);
        MetadataResponseData response = new MetadataResponseData();
        assertEquals(4, bystander.readResponse(response, (short) 12));
        assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), response.topics().iterator().next().errorCode());
    }

    @Test
    void unknownTaggedFieldsAreSkipped() throws IOException {
        MetadataRequestData request = new MetadataRequestData().setTopics(List.of(
                new MetadataRequestData.MetadataRequestTopic().setName("t")));
        request.unknownTaggedFields().add(new RawTaggedField(99, new byte[] {1, 2, 3}));
        request.topics().get(0).unknownTaggedFields().add(new RawTaggedField(7, new byte[] {4}));
        try (RawConnection client = new RawConnection(server.port())) {
            client.send(request, (short) 13, 6);
            MetadataResponseData response = new MetadataResponseData();
            assertEquals(6, client.readResponse(response, (short) 13));
            assertEquals("t", response.topics().iterator().next().name());
            assertEquals(Errors.NONE.code(), response.topics().iterator().next().errorCode());
        }
    }

    @Test
    void unknownOrUnimplementedApiKeyClosesTheConnection() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(12).putShort((short) 999).putShort((short) 0).putInt(1)
                .putShort((short) -1).putShort((short) 0);
        try (RawConnection bad = new RawConnection(server.port())) {
            bad.sendRaw(frame(header.capacity(), header.array()));
            assertOnlyThatConnectionClosed(bad);
        }
        try (RawConnection bad = new RawConnection(server.port())) {
            bad.send(new FindCoordinatorRequestData().setCoordinatorKeys(List.of("group")), (short) 4, 1);
            assertOnlyThatConnectionClosed(bad);
        }
    }

    @Test
    void whileTheContainerStartsFindCoordinatorIsOfferedAndAnswersCoordinatorNotAvailable() throws IOException {
        KafkaServer starting = new KafkaServer(broker, ServerSettings.loopbackEphemeral());
        starting.start();
        try (RawConnection client = new RawConnection(starting.listener().port())) {
            client.send(new FindCoordinatorRequestData().setCoordinatorKeys(List.of("group")), (short) 4, 1);
            FindCoordinatorResponseData response = new FindCoordinatorResponseData();
            assertEquals(1, client.readResponse(response, (short) 4));
            assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), response.coordinators().get(0).errorCode(),
                    "retriable: the client looks again until the coordinator is up");
        } finally {
            starting.close();
        }
    }

    @Test
    void unsupportedVersionClosesTheConnection() throws IOException {
        ByteBuffer body = ByteBuffer.allocate(12).putShort(ApiMessageType.METADATA.apiKey()).putShort((short) 99)
                .putInt(1).putShort((short) -1).putShort((short) 0);
        try (RawConnection bad = new RawConnection(server.port())) {
            bad.sendRaw(frame(body.capacity(), body.array()));
            assertOnlyThatConnectionClosed(bad);
        }
    }

    @Test
    void produceBelowV3IsRefusedThoughAdvertisedFromV0() throws IOException {
        // v2 header: api key, version, correlation id, null client id; the v0-v2 body cannot be decoded any more.
        ByteBuffer body = ByteBuffer.allocate(10).putShort(ApiMessageType.PRODUCE.apiKey()).putShort((short) 2)
                .putInt(1).putShort((short) -1);
        try (RawConnection bad = new RawConnection(server.port())) {
            bad.sendRaw(frame(body.capacity(), body.array()));
            assertOnlyThatConnectionClosed(bad);
        }
    }

    @Test
    void unsupportedApiVersionsVersionGetsTheListInVersionZero() throws IOException {
        try (RawConnection client = new RawConnection(server.port())) {
            ByteBuffer request = ByteBuffer.allocate(13).putShort(ApiMessageType.API_VERSIONS.apiKey())
                    .putShort((short) 42).putInt(77).putShort((short) 3).put("abc".getBytes(StandardCharsets.UTF_8));
            // v42 would use header v2 (tagged fields after the client id): an empty tag section.
            ByteBuffer withTags = ByteBuffer.allocate(14).put(request.array()).put((byte) 0);
            client.sendRaw(frame(withTags.capacity(), withTags.array()));
            ApiVersionsResponseData response = new ApiVersionsResponseData();
            assertEquals(77, client.readResponse(response, (short) 0));
            assertEquals(ErrorCode.UNSUPPORTED_VERSION.code(), response.errorCode());
            ApiVersionsResponseData.ApiVersion versions = response.apiKeys()
                    .find(ApiMessageType.API_VERSIONS.apiKey());
            assertEquals(0, versions.minVersion());
            assertEquals(4, versions.maxVersion());
            // The connection stays usable: the client retries with a version from the list.
            assertApiVersionsWorks(client, 78);
        }
    }

    @Test
    void apiVersionsAdvertisesExactlyTheImplementedApis() throws IOException {
        bystander.send(apiVersionsRequest(), (short) 4, 9);
        ApiVersionsResponseData response = new ApiVersionsResponseData();
        assertEquals(9, bystander.readResponse(response, (short) 4));
        List<Short> keys = response.apiKeys().stream().map(ApiVersionsResponseData.ApiVersion::apiKey).sorted()
                .toList();
        assertEquals(List.of((short) 0, (short) 1, (short) 2, (short) 3, (short) 18, (short) 19, (short) 20,
                (short) 21, (short) 22, (short) 32, (short) 33, (short) 35, (short) 37, (short) 43, (short) 44,
                (short) 60, (short) 61), keys);
        for (ApiVersionsResponseData.ApiVersion v : response.apiKeys()) {
            ApiMessageType api = ApiMessageType.fromApiKey(v.apiKey());
            assertTrue(v.maxVersion() <= api.highestSupportedVersion(false), api + " max within what we encode");
            if (api == ApiMessageType.PRODUCE) {
                assertEquals(0, v.minVersion(), "Produce is advertised from v0, as Kafka 4 does, for librdkafka");
            } else {
                assertTrue(v.minVersion() >= api.lowestSupportedVersion(), api.name());
            }
        }
    }

    @Test
    void responsesFollowRequestOrderEvenWhenAnEarlierRequestFinishesLast() throws IOException {
        // A long-poll fetch on an empty partition completes after ~1 s; the requests behind it complete at once.
        FetchRequestData fetch = new FetchRequestData().setMaxWaitMs(1000).setMinBytes(1).setMaxBytes(1 << 20)
                .setSessionEpoch(-1).setTopics(List.of(new FetchRequestData.FetchTopic().setTopic("t")
                        .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(0)
                                .setFetchOffset(0).setPartitionMaxBytes(1 << 20)))));
        ApiMessage metadata = new MetadataRequestData().setTopics(null);
        byte[] pipelined = concat(RawConnection.request(fetch, (short) 12, 100),
                RawConnection.request(apiVersionsRequest(), (short) 3, 101),
                RawConnection.request(metadata, (short) 12, 102));
        bystander.sendRaw(pipelined);
        FetchResponseData fetchResponse = new FetchResponseData();
        assertEquals(100, bystander.readResponse(fetchResponse, (short) 12));
        assertEquals(0, fetchResponse.sessionId());
        assertEquals(Errors.NONE.code(), fetchResponse.responses().get(0).partitions().get(0).errorCode());
        assertEquals(101, bystander.readResponse(new ApiVersionsResponseData(), (short) 3));
        MetadataResponseData md = new MetadataResponseData();
        assertEquals(102, bystander.readResponse(md, (short) 12));
        assertEquals(server.port(), md.brokers().find(TestMetadataStore.BROKER_ID).port());
    }

    @Test
    void farMorePipelinedRequestsThanTheInFlightLimitAreAllAnsweredInOrder() throws IOException {
        int count = RequestDispatcher.MAX_IN_FLIGHT * 5;
        byte[][] requests = new byte[count][];
        for (int i = 0; i < count; i++) {
            requests[i] = RawConnection.request(new MetadataRequestData().setTopics(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setName("t"))), (short) 12, 1000 + i);
        }
        bystander.sendRaw(concat(requests));
        for (int i = 0; i < count; i++) {
            MetadataResponseData md = new MetadataResponseData();
            assertEquals(1000 + i, bystander.readResponse(md, (short) 12));
            assertEquals(1, md.topics().find("t").partitions().size());
        }
        assertApiVersionsWorks(bystander, 5);
    }

    @Test
    void pipelinedRequestsBeyondTheByteBudgetAreAllAppendedAndAnswered() throws IOException {
        // 40 produce requests of ~10 KB each: four times the 64 KB budget, so reading pauses and resumes.
        int count = 40;
        byte[][] requests = new byte[count][];
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[10_000];
            Arrays.fill(value, (byte) i);
            ProduceRequestData produce = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
            ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("t");
            topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0)
                    .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value))));
            produce.topicData().add(topic);
            requests[i] = RawConnection.request(produce, (short) 9, 500 + i);
        }
        bystander.sendRaw(concat(requests));
        for (int i = 0; i < count; i++) {
            org.apache.kafka.common.message.ProduceResponseData response =
                    new org.apache.kafka.common.message.ProduceResponseData();
            assertEquals(500 + i, bystander.readResponse(response, (short) 9));
            var partition = response.responses().iterator().next().partitionResponses().get(0);
            assertEquals(Errors.NONE.code(), partition.errorCode());
            assertEquals(i, partition.baseOffset(), "appended in request order");
        }
    }

    @Test
    void acksZeroProduceIsAppendedButNotAnswered() throws IOException {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord("quiet".getBytes(StandardCharsets.UTF_8)));
        ProduceRequestData produce = new ProduceRequestData().setAcks((short) 0).setTimeoutMs(1000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("t");
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        produce.topicData().add(topic);
        bystander.sendRaw(concat(RawConnection.request(produce, (short) 9, 200),
                RawConnection.request(apiVersionsRequest(), (short) 3, 201)));
        assertEquals(201, bystander.readResponse(new ApiVersionsResponseData(), (short) 3),
                "the next response is the ApiVersions one: acks=0 writes nothing");
        assertEquals(1L, broker.listOffset(new dev.strata.api.common.TopicPartition("t", 0), -1L,
                dev.strata.api.common.IsolationLevel.READ_UNCOMMITTED).offset());
    }

    @Test
    void failedAcksZeroProduceClosesTheConnectionSoTheClientRefreshesMetadata() throws IOException {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord("lost".getBytes(StandardCharsets.UTF_8)));
        ProduceRequestData produce = new ProduceRequestData().setAcks((short) 0).setTimeoutMs(1000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("missing");
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        produce.topicData().add(topic);
        try (RawConnection client = new RawConnection(server.port())) {
            client.send(produce, (short) 9, 1);
            assertOnlyThatConnectionClosed(client);
        }
    }

    @Test
    void idleConnectionsAreClosed() throws IOException {
        KafkaServer impatient = new KafkaServer(broker, ServerSettings.loopbackEphemeral().withMaxIdleMs(300));
        impatient.start();
        try (RawConnection idle = new RawConnection(impatient.port())) {
            assertApiVersionsWorks(idle, 1);
            assertTrue(idle.closedByPeer(), "closed after 300 ms without traffic");
        } finally {
            impatient.close();
        }
    }

    @Test
    void fetchSessionsAreRefusedSoClientsFallBackToFullFetches() throws IOException {
        FetchRequestData fetch = new FetchRequestData().setMaxWaitMs(0).setSessionId(1234).setSessionEpoch(3)
                .setMaxBytes(1024);
        bystander.send(fetch, (short) 12, 300);
        FetchResponseData response = new FetchResponseData();
        assertEquals(300, bystander.readResponse(response, (short) 12));
        assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(), response.errorCode());
        assertEquals(0, response.sessionId());
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer out = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            out.put(p);
        }
        return out.array();
    }
}
