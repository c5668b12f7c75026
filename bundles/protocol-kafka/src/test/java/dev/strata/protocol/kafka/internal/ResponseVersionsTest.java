package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.api.group.GroupProtocol;
import dev.strata.api.group.JoinGroupRequest;
import dev.strata.api.group.JoinGroupResult;
import dev.strata.api.group.OffsetAndMetadata;
import dev.strata.api.group.OffsetCommitRequest;
import dev.strata.api.group.SyncGroupRequest;
import dev.strata.protocol.kafka.api.KafkaListener;
import io.netty.buffer.ByteBuf;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every advertised version of every API answers typical requests (successes with data, and errors) with a response
 * that encodes and that kafka-clients parses back. A handler that sets a field the negotiated version lacks (and that
 * is not ignorable) fails here instead of killing a client's connection with "Attempted to write a non-default ...".
 * Runs against the real broker, segment store and group coordinator through {@link KafkaApis}.
 */
class ResponseVersionsTest {
    private static final RequestContext CTX = new RequestContext("versions-test", RequestContext.ANONYMOUS,
            "127.0.0.1:40000", "PLAINTEXT");
    private static final KafkaListener LISTENER = new KafkaListener() {
        @Override
        public String name() {
            return "PLAINTEXT";
        }

        @Override
        public String host() {
            return "127.0.0.1";
        }

        @Override
        public int port() {
            return 9092;
        }
    };

    @TempDir
    Path dir;
    private RealStack stack;
    private KafkaApis apis;
    private GroupCoordinator groups;
    private Uuid topicId;
    private int correlationId;

    @BeforeEach
    void start() throws Exception {
        stack = new RealStack(dir);
        groups = stack.groupCoordinator();
        apis = new KafkaApis(stack.broker(), LISTENER, () -> groups);
        assertEquals(ErrorCode.NONE, stack.broker().createTopic("t", 2, (short) 1, Map.of(), false, CTX).error());
        for (int p = 0; p < 2; p++) {
            assertEquals(ErrorCode.NONE, stack.broker().produce(new TopicPartition("t", p), records("a", "b"),
                    (short) 1, 1000, CTX).get(10, TimeUnit.SECONDS).error());
        }
        topicId = TopicIds.toKafka(stack.broker().metadata().topic("t").orElseThrow().topicId());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (groups.findCoordinator("x").error() != ErrorCode.NONE
                || groups.fetchOffsets("x", null, false).error() != ErrorCode.NONE) {
            assertTrue(System.nanoTime() < deadline, "the group coordinator did not load");
            Thread.sleep(20);
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void everyAdvertisedVersionEncodesTypicalAnswers() throws Exception {
        Set<String> covered = new TreeSet<>();
        for (ApiVersion range : SupportedApis.apiVersions(true)) {
            ApiMessageType api = ApiMessageType.fromApiKey(range.apiKey());
            // Produce is advertised from v0 for librdkafka's sake but served from v3: test what is served.
            for (short v = SupportedApis.range(range.apiKey(), true).min(); v <= range.maxVersion(); v++) {
                List<ApiMessage> requests = requests(api, v);
                assertTrue(!requests.isEmpty(), "no typical request for " + api + " v" + v);
                for (ApiMessage request : requests) {
                    ApiMessage response = roundTrip(api, v, request);
                    check(api, v, response);
                }
            }
            covered.add(api.name());
        }
        assertTrue(covered.contains("OFFSET_FETCH") && covered.contains("PRODUCE"), covered.toString());
    }

    @Test
    void listGroupsReportsAnUnavailableCoordinatorInItsErrorCode() throws Exception {
        // A stopped coordinator throws from listGroups (as a loading one does with COORDINATOR_LOAD_IN_PROGRESS);
        // the handler must answer with the code instead of failing the request (which closes the connection).
        stack.framework().bundle(RealStack.GROUP_COORDINATOR_BUNDLE).stop(); // DS deactivates the coordinator
        for (short v = 0; v <= SupportedApis.range(ApiMessageType.LIST_GROUPS.apiKey(), true).max(); v++) {
            org.apache.kafka.common.message.ListGroupsResponseData response =
                    (org.apache.kafka.common.message.ListGroupsResponseData) roundTrip(ApiMessageType.LIST_GROUPS,
                            v, new ListGroupsRequestData());
            assertEquals(ErrorCode.NOT_COORDINATOR.code(), response.errorCode(), "ListGroups v" + v);
            assertTrue(response.groups().isEmpty());
        }
    }

    /** Sends the request as a client at {@code version} would encode it; returns the response as a client reads it. */
    private ApiMessage roundTrip(ApiMessageType api, short version, ApiMessage request) throws Exception {
        ApiMessage decoded = api.newRequest();
        try {
            decoded.read(new ByteBufferAccessor(MessageUtil.toByteBufferAccessor(request, version).buffer()),
                    version);
        } catch (RuntimeException e) {
            throw new AssertionError("test bug: request not encodable at " + api + " v" + version, e);
        }
        int id = ++correlationId;
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.apiKey())
                .setRequestApiVersion(version).setCorrelationId(id).setClientId("versions-test");
        KafkaResponse response;
        try {
            response = apis.handle(new KafkaRequest(header, api, decoded, 100), CTX).get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(api + " v" + version + " failed for " + decoded, e);
        }
        assertNotNull(response, api + " v" + version);
        assertTrue(response != KafkaResponse.CLOSE_CONNECTION, api + " v" + version + " closed the connection");
        ByteBuffer wire = ByteBuffer.wrap(send(response));
        assertEquals(wire.remaining() - 4, wire.getInt(), "size prefix");
        ResponseHeaderData responseHeader = new ResponseHeaderData(new ByteBufferAccessor(wire),
                api.responseHeaderVersion(version));
        assertEquals(id, responseHeader.correlationId());
        ApiMessage body = api.newResponse();
        body.read(new ByteBufferAccessor(wire), version);
        assertEquals(0, wire.remaining(), api + " v" + version + ": trailing bytes");
        return body;
    }

    /** Version-specific expectations beyond "it encodes". */
    private static void check(ApiMessageType api, short version, ApiMessage response) {
        if (api == ApiMessageType.CREATE_PARTITIONS) {
            for (CreatePartitionsResponseData.CreatePartitionsTopicResult r
                    : ((CreatePartitionsResponseData) response).results()) {
                short expected = switch (r.name()) {
                    case "missing" -> ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code();
                    case "__consumer_offsets" -> ErrorCode.INVALID_TOPIC_EXCEPTION.code();
                    case "t" -> r.errorMessage().equals("Duplicate topic name.") ? ErrorCode.INVALID_REQUEST.code()
                            : r.errorCode() == ErrorCode.INVALID_PARTITIONS.code()
                            ? ErrorCode.INVALID_PARTITIONS.code() : ErrorCode.INVALID_REPLICA_ASSIGNMENT.code();
                    default -> ErrorCode.NONE.code();
                };
                assertEquals(expected, r.errorCode(), "CreatePartitions v" + version + " " + r);
                assertTrue(r.errorCode() == 0 || r.errorMessage() != null, "a refusal says why: " + r);
            }
        }
        if (api == ApiMessageType.DELETE_RECORDS) {
            for (DeleteRecordsResponseData.DeleteRecordsTopicResult t : ((DeleteRecordsResponseData) response).topics()) {
                for (DeleteRecordsResponseData.DeleteRecordsPartitionResult p : t.partitions()) {
                    if (t.name().equals("missing") || p.partitionIndex() != 0 && p.partitionIndex() != 1) {
                        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code(), p.errorCode(), t.name() + p);
                    } else if (t.name().equals("__consumer_offsets")) {
                        assertEquals(ErrorCode.INVALID_TOPIC_EXCEPTION.code(), p.errorCode());
                    } else if (p.errorCode() != ErrorCode.NONE.code()) {
                        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE.code(), p.errorCode(), "beyond the end: " + p);
                    } else {
                        assertTrue(p.lowWatermark() >= 1, "" + p);
                    }
                    assertTrue(p.errorCode() != 0 || p.lowWatermark() >= 0, t.name() + p);
                }
            }
        }
        if (api == ApiMessageType.DESCRIBE_PRODUCERS) {
            for (DescribeProducersResponseData.TopicResponse t : ((DescribeProducersResponseData) response).topics()) {
                for (DescribeProducersResponseData.PartitionResponse p : t.partitions()) {
                    boolean known = t.name().equals("t") && p.partitionIndex() == 0;
                    assertEquals(known ? 0 : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code(), p.errorCode(), t.name() + p);
                }
            }
        }
        if (api == ApiMessageType.ELECT_LEADERS) {
            for (ElectLeadersResponseData.ReplicaElectionResult t
                    : ((ElectLeadersResponseData) response).replicaElectionResults()) {
                for (ElectLeadersResponseData.PartitionResult p : t.partitionResult()) {
                    short expected = t.topic().equals("t") && p.partitionId() == 0
                            ? ErrorCode.ELECTION_NOT_NEEDED.code() : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code();
                    assertEquals(expected, p.errorCode(), "ElectLeaders v" + version + " " + t.topic() + p);
                }
            }
        }
        if (api == ApiMessageType.DESCRIBE_LOG_DIRS) {
            DescribeLogDirsResponseData d = (DescribeLogDirsResponseData) response;
            assertEquals(1, d.results().size());
            assertEquals(0, d.results().get(0).errorCode());
            assertTrue(version < 4 || d.results().get(0).totalBytes() > 0, "DescribeLogDirs v" + version);
        }
        if (api == ApiMessageType.DESCRIBE_GROUPS) {
            DescribeGroupsResponseData d = (DescribeGroupsResponseData) response;
            for (DescribeGroupsResponseData.DescribedGroup g : d.groups()) {
                if (g.groupId().startsWith("unknown")) {
                    assertEquals("Dead", g.groupState());
                    assertEquals(version >= 6 ? ErrorCode.GROUP_ID_NOT_FOUND.code() : 0, g.errorCode(),
                            "DescribeGroups v" + version + " for an unknown group");
                } else {
                    assertEquals(0, g.errorCode());
                }
            }
        }
        if (api == ApiMessageType.OFFSET_FETCH && version < 8) {
            OffsetFetchResponseData d = (OffsetFetchResponseData) response;
            d.topics().forEach(t -> t.partitions().forEach(p -> {
                if (p.errorCode() == 0 && p.committedOffset() == 5) {
                    assertEquals(version >= 5 ? 3 : -1, p.committedLeaderEpoch(), "OffsetFetch v" + version);
                }
            }));
        }
    }

    // ------------------------------------------------------------------ typical requests per API and version

    private List<ApiMessage> requests(ApiMessageType api, short v) throws Exception {
        String g = "g-" + api.name().toLowerCase() + "-" + v;
        return switch (api) {
            case API_VERSIONS -> List.of(v >= 3 ? new ApiVersionsRequestData().setClientSoftwareName("t")
                    .setClientSoftwareVersion("1") : new ApiVersionsRequestData());
            case METADATA -> metadata(v);
            case PRODUCE -> List.of(produce(v, "t", 0), produce(v, "t", 9), produce(v, "__consumer_offsets", 0),
                    produce(v, "missing", 0));
            case FETCH -> List.of(fetch(v, 0), fetch(v, 1000));
            case LIST_OFFSETS -> List.of(listOffsets(0, -1), listOffsets(0, -2), listOffsets(9, -1),
                    listOffsets(0, 0));
            case CREATE_TOPICS -> List.of(createTopic("c-" + v, false), createTopic("t", false),
                    createTopic("v-" + v, true), createTopic("bad name", false), placedTopic("p-" + v, 0),
                    placedTopic("q-" + v, 7));
            case DELETE_TOPICS -> {
                assertEquals(ErrorCode.NONE, stack.broker().createTopic("d-" + v, 1, (short) 1, Map.of(), false,
                        CTX).error());
                yield List.of(deleteTopics(v, "d-" + v, "missing"), deleteTopics(v, "__consumer_offsets"));
            }
            case DESCRIBE_CONFIGS -> List.of(describeConfigs((byte) 2, "t"), describeConfigs((byte) 2, "missing"),
                    describeConfigs((byte) 4, "0"), describeConfigs((byte) 4, ""), describeConfigs((byte) 8, "0"),
                    describeConfigs((byte) 99, "x"));
            case INCREMENTAL_ALTER_CONFIGS -> List.of(incrementalAlterConfigs((byte) 2, "t", "retention.ms", "1000"),
                    incrementalAlterConfigs((byte) 2, "t", "nope", "1"),
                    incrementalAlterConfigs((byte) 4, "0", "log.retention.ms", "1000"),
                    incrementalAlterConfigs((byte) 8, "0", "root", "INFO"));
            case ALTER_CONFIGS -> List.of(alterConfigs((byte) 2, "t", "retention.ms", "2000"),
                    alterConfigs((byte) 4, "", "broker.id", "3"));
            case INIT_PRODUCER_ID -> List.of(new InitProducerIdRequestData().setTransactionalId(null)
                    .setTransactionTimeoutMs(60000), new InitProducerIdRequestData().setTransactionalId("tx")
                    .setTransactionTimeoutMs(60000));
            case FIND_COORDINATOR -> findCoordinator(v, g);
            case JOIN_GROUP -> joinGroup(v, g);
            case SYNC_GROUP -> {
                JoinGroupResult joined = join(g);
                SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId(g)
                        .setGenerationId(joined.generationId()).setMemberId(joined.memberId());
                if (v >= 5) {
                    sync.setProtocolType("consumer").setProtocolName("range");
                }
                sync.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment()
                        .setMemberId(joined.memberId()).setAssignment(new byte[] {1, 2, 3}));
                SyncGroupRequestData stale = new SyncGroupRequestData().setGroupId(g)
                        .setGenerationId(joined.generationId() + 5).setMemberId(joined.memberId());
                yield List.of(sync, stale);
            }
            case HEARTBEAT -> {
                JoinGroupResult m = joinAndSync(g);
                yield List.of(new HeartbeatRequestData().setGroupId(g).setGenerationId(m.generationId())
                        .setMemberId(m.memberId()), new HeartbeatRequestData().setGroupId(g)
                        .setGenerationId(m.generationId()).setMemberId("unknown"));
            }
            case LEAVE_GROUP -> {
                JoinGroupResult m = joinAndSync(g);
                if (v < 3) {
                    yield List.of(new LeaveGroupRequestData().setGroupId(g).setMemberId(m.memberId()),
                            new LeaveGroupRequestData().setGroupId(g).setMemberId("unknown"));
                }
                LeaveGroupRequestData leave = new LeaveGroupRequestData().setGroupId(g);
                leave.members().add(new LeaveGroupRequestData.MemberIdentity().setMemberId(m.memberId()));
                leave.members().add(new LeaveGroupRequestData.MemberIdentity().setMemberId("unknown"));
                yield List.of(leave);
            }
            case OFFSET_COMMIT -> {
                JoinGroupResult m = joinAndSync(g);
                yield List.of(offsetCommit(v, g, m.generationId(), m.memberId()),
                        offsetCommit(v, g, m.generationId() + 1, m.memberId()),
                        offsetCommit(v, "simple-" + g, -1, ""));
            }
            case OFFSET_FETCH -> {
                commitOffsets(g);
                yield List.of(offsetFetch(v, g, false), offsetFetch(v, g, true), offsetFetch(v, "unknown-" + g,
                        false), offsetFetch(v, "", false));
            }
            case DESCRIBE_GROUPS -> {
                joinAndSync(g);
                commitOffsets("offsets-" + g);
                yield List.of(new DescribeGroupsRequestData().setGroups(List.of(g, "offsets-" + g,
                        "unknown-" + g)).setIncludeAuthorizedOperations(v >= 3));
            }
            case DESCRIBE_CLUSTER -> v == 0
                    ? List.of(new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true))
                    : List.of(new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true),
                            new DescribeClusterRequestData().setEndpointType((byte) 2),
                            new DescribeClusterRequestData().setEndpointType((byte) 9));
            case LIST_GROUPS -> {
                joinAndSync(g);
                ListGroupsRequestData filtered = new ListGroupsRequestData();
                if (v >= 4) {
                    filtered.setStatesFilter(List.of("Stable", "Empty"));
                }
                if (v >= 5) {
                    filtered.setTypesFilter(List.of("classic"));
                }
                yield List.of(new ListGroupsRequestData(), filtered);
            }
            case DELETE_GROUPS -> {
                commitOffsets(g);
                joinAndSync("busy-" + g);
                yield List.of(new DeleteGroupsRequestData().setGroupsNames(List.of(g, "busy-" + g, "unknown-" + g)));
            }
            case OFFSET_DELETE -> {
                commitOffsets(g);
                OffsetDeleteRequestData delete = new OffsetDeleteRequestData().setGroupId(g);
                OffsetDeleteRequestData.OffsetDeleteRequestTopic topic =
                        new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("t");
                topic.partitions().add(new OffsetDeleteRequestData.OffsetDeleteRequestPartition()
                        .setPartitionIndex(0));
                delete.topics().add(topic);
                yield List.of(delete, new OffsetDeleteRequestData().setGroupId("unknown-" + g)
                        .setTopics(delete.topics().duplicate()));
            }
            case CREATE_PARTITIONS -> {
                assertEquals(ErrorCode.NONE, stack.broker().createTopic("cp-" + v, 1, (short) 1, Map.of(), false,
                        CTX).error());
                yield List.of(createPartitions(false, "cp-" + v, 2, null, "missing", 3, null, "t", 1, null),
                        createPartitions(true, "cp-" + v, 4, List.of(List.of(0), List.of(0)), "t", 3,
                                List.of(List.of(7)), "__consumer_offsets", 60, null),
                        createPartitions(false, "t", 4, null, "t", 5, null));
            }
            case DELETE_RECORDS -> List.of(deleteRecords("t", 0, 1, "t", 1, -1, "t", 9, 0, "missing", 0, 0),
                    deleteRecords("t", 0, 99, "__consumer_offsets", 0, 0, "t", -1, 0));
            case DESCRIBE_LOG_DIRS -> {
                DescribeLogDirsRequestData some = new DescribeLogDirsRequestData();
                some.topics().add(new DescribeLogDirsRequestData.DescribableLogDirTopic().setTopic("t")
                        .setPartitions(List.of(0, 7)));
                yield List.of(new DescribeLogDirsRequestData().setTopics(null), some);
            }
            case DESCRIBE_PRODUCERS -> List.of(new DescribeProducersRequestData().setTopics(List.of(
                    new DescribeProducersRequestData.TopicRequest().setName("t").setPartitionIndexes(List.of(0, 5)),
                    new DescribeProducersRequestData.TopicRequest().setName("missing")
                            .setPartitionIndexes(List.of(0)))));
            case ELECT_LEADERS -> {
                ElectLeadersRequestData named = new ElectLeadersRequestData().setTimeoutMs(5000);
                named.topicPartitions().add(new ElectLeadersRequestData.TopicPartitions().setTopic("t")
                        .setPartitions(List.of(0, 7)));
                named.topicPartitions().add(new ElectLeadersRequestData.TopicPartitions().setTopic("missing")
                        .setPartitions(List.of(0)));
                yield List.of(named, new ElectLeadersRequestData().setTopicPartitions(null).setTimeoutMs(5000));
            }
            default -> fail("no typical request for advertised API " + api);
        };
    }

    private static MemoryRecords memoryRecords(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, values[i].getBytes());
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    private static ByteBuffer records(String... values) {
        return memoryRecords(values).buffer();
    }

    private List<ApiMessage> metadata(short v) {
        MetadataRequestData some = new MetadataRequestData();
        some.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("t"));
        some.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("missing"));
        some.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("__consumer_offsets"));
        if (v >= 4) {
            some.setAllowAutoTopicCreation(false);
        }
        if (v == 0) {
            return List.of(some);
        }
        MetadataRequestData all = new MetadataRequestData().setTopics(null).setAllowAutoTopicCreation(v < 4);
        if (v < 8) {
            return List.of(some, all);
        }
        // v8+: with the authorized operations (the cluster's only up to v10).
        MetadataRequestData withOperations = some.duplicate().setIncludeTopicAuthorizedOperations(true)
                .setIncludeClusterAuthorizedOperations(v <= 10);
        return List.of(some, all, withOperations);
    }

    private ApiMessage produce(short v, String topic, int partition) {
        ProduceRequestData.TopicProduceData data = new ProduceRequestData.TopicProduceData();
        if (v >= 13) {
            Uuid id = topic.equals("t") ? topicId : topic.equals("__consumer_offsets")
                    ? TopicIds.toKafka(stack.broker().metadata().topic(topic).orElseThrow().topicId())
                    : Uuid.randomUuid();
            data.setTopicId(id);
        } else {
            data.setName(topic);
        }
        data.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(partition)
                .setRecords(memoryRecords("p")));
        ProduceRequestData request = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
        request.topicData().add(data);
        return request;
    }

    private ApiMessage fetch(short v, long offset) {
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic();
        if (v >= 13) {
            topic.setTopicId(topicId);
        } else {
            topic.setTopic("t");
        }
        for (int p = 0; p < 3; p++) {
            topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(p).setFetchOffset(offset)
                    .setPartitionMaxBytes(1 << 20));
        }
        FetchRequestData request = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20);
        if (v <= 14) {
            request.setReplicaId(-1);
        }
        request.topics().add(topic);
        return request;
    }

    private static ApiMessage listOffsets(int partition, long timestamp) {
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(-1);
        request.topics().add(new ListOffsetsRequestData.ListOffsetsTopic().setName("t").setPartitions(List.of(
                new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(partition)
                        .setTimestamp(timestamp))));
        return request;
    }

    private static ApiMessage createTopic(String name, boolean validateOnly) {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(5000)
                .setValidateOnly(validateOnly);
        request.topics().add(new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(1)
                .setReplicationFactor((short) 1));
        return request;
    }

    /** A topic with a manual replica assignment of two partitions on {@code broker}. */
    private static ApiMessage placedTopic(String name, int broker) {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(5000);
        CreateTopicsRequestData.CreatableTopic topic = new CreateTopicsRequestData.CreatableTopic().setName(name)
                .setNumPartitions(-1).setReplicationFactor((short) -1);
        for (int p = 0; p < 2; p++) {
            topic.assignments().add(new CreateTopicsRequestData.CreatableReplicaAssignment().setPartitionIndex(p)
                    .setBrokerIds(List.of(broker)));
        }
        request.topics().add(topic);
        return request;
    }

    private static ApiMessage deleteTopics(short v, String... names) {
        DeleteTopicsRequestData request = new DeleteTopicsRequestData().setTimeoutMs(5000);
        for (String name : names) {
            if (v >= 6) {
                request.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(name));
            } else {
                request.topicNames().add(name);
            }
        }
        return request;
    }

    /** Triples of topic, count and assignments (null: placed by the broker). */
    private static ApiMessage createPartitions(boolean validateOnly, Object... topics) {
        CreatePartitionsRequestData r = new CreatePartitionsRequestData().setTimeoutMs(5000)
                .setValidateOnly(validateOnly);
        for (int i = 0; i < topics.length; i += 3) {
            CreatePartitionsRequestData.CreatePartitionsTopic t = new CreatePartitionsRequestData.CreatePartitionsTopic()
                    .setName((String) topics[i]).setCount((Integer) topics[i + 1]).setAssignments(null);
            if (topics[i + 2] != null) {
                List<CreatePartitionsRequestData.CreatePartitionsAssignment> a = new java.util.ArrayList<>();
                for (Object replicas : (List<?>) topics[i + 2]) {
                    a.add(new CreatePartitionsRequestData.CreatePartitionsAssignment()
                            .setBrokerIds(((List<?>) replicas).stream().map(o -> (Integer) o).toList()));
                }
                t.setAssignments(a);
            }
            r.topics().add(t);
        }
        return r;
    }

    /** Triples of topic, partition and offset. */
    private static ApiMessage deleteRecords(Object... partitions) {
        DeleteRecordsRequestData r = new DeleteRecordsRequestData().setTimeoutMs(5000);
        for (int i = 0; i < partitions.length; i += 3) {
            DeleteRecordsRequestData.DeleteRecordsTopic t = new DeleteRecordsRequestData.DeleteRecordsTopic()
                    .setName((String) partitions[i]);
            t.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition()
                    .setPartitionIndex((Integer) partitions[i + 1]).setOffset(((Integer) partitions[i + 2])));
            r.topics().add(t);
        }
        return r;
    }

    private static ApiMessage incrementalAlterConfigs(byte type, String name, String key, String value) {
        IncrementalAlterConfigsRequestData request = new IncrementalAlterConfigsRequestData();
        IncrementalAlterConfigsRequestData.AlterConfigsResource resource =
                new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType(type)
                        .setResourceName(name);
        resource.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName(key)
                .setConfigOperation((byte) 0).setValue(value));
        request.resources().add(resource);
        return request;
    }

    private static ApiMessage alterConfigs(byte type, String name, String key, String value) {
        AlterConfigsRequestData request = new AlterConfigsRequestData();
        AlterConfigsRequestData.AlterConfigsResource resource = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(type).setResourceName(name);
        resource.configs().add(new AlterConfigsRequestData.AlterableConfig().setName(key).setValue(value));
        request.resources().add(resource);
        return request;
    }

    private static ApiMessage describeConfigs(byte type, String name) {
        DescribeConfigsRequestData request = new DescribeConfigsRequestData();
        request.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(type)
                .setResourceName(name).setConfigurationKeys(null));
        return request;
    }

    private static List<ApiMessage> findCoordinator(short v, String group) {
        if (v >= 4) {
            return List.of(new FindCoordinatorRequestData().setKeyType((byte) 0).setCoordinatorKeys(List.of(group,
                    "other")), new FindCoordinatorRequestData().setKeyType((byte) 1)
                    .setCoordinatorKeys(List.of("txn")));
        }
        List<ApiMessage> out = new ArrayList<>();
        out.add(new FindCoordinatorRequestData().setKey(group));
        if (v >= 1) {
            out.add(new FindCoordinatorRequestData().setKey("txn").setKeyType((byte) 1));
        }
        return out;
    }

    private List<ApiMessage> joinGroup(short v, String group) throws Exception {
        List<ApiMessage> out = new ArrayList<>();
        // A first join (MEMBER_ID_REQUIRED from v4), a join that completes a generation, and a refused one.
        // (A pending member holds up the rebalance until it joins or expires, as in Kafka: hence its own group.)
        out.add(joinRequest(v, v >= 4 ? "pending-" + group : group, "", 30000));
        String memberId;
        if (v >= 4) {
            memberId = ((org.apache.kafka.common.message.JoinGroupResponseData) roundTrip(ApiMessageType.JOIN_GROUP,
                    v, joinRequest(v, group, "", 30000))).memberId();
            out.add(joinRequest(v, group, memberId, 30000));
        }
        out.add(joinRequest(v, "other-" + group, "", 10)); // INVALID_SESSION_TIMEOUT
        return out;
    }

    private static JoinGroupRequestData joinRequest(short v, String group, String memberId, int sessionTimeoutMs) {
        JoinGroupRequestData request = new JoinGroupRequestData().setGroupId(group).setMemberId(memberId)
                .setSessionTimeoutMs(sessionTimeoutMs).setProtocolType("consumer");
        if (v >= 1) {
            request.setRebalanceTimeoutMs(sessionTimeoutMs);
        }
        if (v >= 8) {
            request.setReason("test");
        }
        request.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                .setMetadata(new byte[] {0, 1}));
        return request;
    }

    private JoinGroupResult join(String group) throws Exception {
        JoinGroupResult r = groups.joinGroup(new JoinGroupRequest(group, "", null, "consumer",
                List.of(new GroupProtocol("range", new byte[] {0, 1})), 30000, 30000, "c", "/127.0.0.1", false,
                null)).get(20, TimeUnit.SECONDS);
        assertEquals(ErrorCode.NONE, r.error());
        return r;
    }

    private JoinGroupResult joinAndSync(String group) throws Exception {
        JoinGroupResult r = join(group);
        assertEquals(ErrorCode.NONE, groups.syncGroup(new SyncGroupRequest(group, r.generationId(), r.memberId(),
                null, null, null, Map.of(r.memberId(), new byte[] {9}))).get(20, TimeUnit.SECONDS).error());
        return r;
    }

    /** A simple commit: t-0 at 5 with leader epoch 3 (the epoch exists on the wire only from OffsetFetch v5). */
    private void commitOffsets(String group) throws Exception {
        groups.commitOffsets(new OffsetCommitRequest(group, -1, "", null, Map.of(new TopicPartition("t", 0),
                new OffsetAndMetadata(5, 3, "meta")))).get(20, TimeUnit.SECONDS).errors()
                .values().forEach(e -> assertEquals(ErrorCode.NONE, e));
    }

    private static ApiMessage offsetCommit(short v, String group, int generation, String memberId) {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(group)
                .setGenerationIdOrMemberEpoch(generation).setMemberId(memberId);
        OffsetCommitRequestData.OffsetCommitRequestTopic topic =
                new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t");
        for (int p : new int[] {0, 9}) {
            OffsetCommitRequestData.OffsetCommitRequestPartition partition =
                    new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(p)
                            .setCommittedOffset(1).setCommittedMetadata("m");
            if (v >= 6) {
                partition.setCommittedLeaderEpoch(0);
            }
            topic.partitions().add(partition);
        }
        request.topics().add(topic);
        return request;
    }

    private static ApiMessage offsetFetch(short v, String group, boolean all) {
        List<Integer> partitions = List.of(0, 1, 9);
        if (v < 8) {
            OffsetFetchRequestData request = new OffsetFetchRequestData().setGroupId(group);
            if (all && v >= 2) {
                request.setTopics(null);
            } else {
                request.topics().add(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("t")
                        .setPartitionIndexes(partitions));
            }
            if (v >= 7) {
                request.setRequireStable(true);
            }
            return request;
        }
        OffsetFetchRequestData.OffsetFetchRequestGroup g = new OffsetFetchRequestData.OffsetFetchRequestGroup()
                .setGroupId(group);
        if (all) {
            g.setTopics(null);
        } else {
            g.topics().add(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("t")
                    .setPartitionIndexes(partitions));
        }
        return new OffsetFetchRequestData().setGroups(List.of(g)).setRequireStable(true);
    }

    /** Writes the parts through an embedded channel and collects the bytes, transferring regions like NIO does. */
    private static byte[] send(KafkaResponse response) throws IOException {
        EmbeddedChannel channel = new EmbeddedChannel();
        response.writeTo(channel);
        channel.flush();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WritableByteChannel target = Channels.newChannel(out);
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            if (msg instanceof ByteBuf buf) {
                byte[] bytes = new byte[buf.readableBytes()];
                buf.readBytes(bytes);
                out.write(bytes);
                buf.release();
            } else {
                FileRegion region = (FileRegion) msg;
                while (region.transferred() < region.count()) {
                    region.transferTo(target, region.transferred());
                }
                region.release();
            }
        }
        channel.finishAndReleaseAll();
        return out.toByteArray();
    }
}
