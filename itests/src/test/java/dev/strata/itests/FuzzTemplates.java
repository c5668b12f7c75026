package dev.strata.itests;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Valid request frames of every API a broker advertises, at every advertised version: the seeds a fuzzer mutates.
 * The common APIs get realistic bodies (topics, groups, records); the rest their default body. Every name used
 * here starts with {@code fuzz-}, so no mutation of one can touch a topic the test's load uses (it would need a
 * different length).
 */
final class FuzzTemplates {
    static final String TARGET_TOPIC = "fuzz-target";

    /** One encoded request frame (size prefix included), and what it is. */
    record Frame(ApiKeys key, short version, byte[] bytes) { }

    private FuzzTemplates() {
    }

    static List<Frame> all(ApiVersionsResponseData advertised) {
        List<Frame> frames = new ArrayList<>();
        for (ApiVersionsResponseData.ApiVersion v : advertised.apiKeys()) {
            if (!ApiKeys.hasId(v.apiKey())) {
                continue;
            }
            ApiKeys key = ApiKeys.forId(v.apiKey());
            for (short version = v.minVersion(); version <= v.maxVersion(); version++) {
                try {
                    frames.add(new Frame(key, version, RawKafkaConnection.encode(key, version, 7, body(key))));
                } catch (RuntimeException unsupportedAtThisVersion) {
                    // A field the template sets does not exist at this version: its default body instead.
                    frames.add(new Frame(key, version, RawKafkaConnection.encode(key, version, 7,
                            ApiMessageType.fromApiKey(key.id).newRequest())));
                }
            }
        }
        return frames;
    }

    private static ApiMessage body(ApiKeys key) {
        return switch (key) {
            case PRODUCE -> RawRequests.produceRequest(TARGET_TOPIC, 0, (short) 1,
                    RawRequests.batch("fuzz-a", "fuzz-b").buffer());
            case FETCH -> RawRequests.fetchRequest(TARGET_TOPIC, 0, 0, 10, 1);
            case METADATA -> new MetadataRequestData().setTopics(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setName(TARGET_TOPIC)));
            case LIST_OFFSETS -> new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(
                    new ListOffsetsRequestData.ListOffsetsTopic().setName(TARGET_TOPIC).setPartitions(List.of(
                            new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                                    .setTimestamp(-2)))));
            case CREATE_TOPICS -> {
                CreateTopicsRequestData d = new CreateTopicsRequestData().setTimeoutMs(5000);
                d.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("fuzz-created")
                        .setNumPartitions(1).setReplicationFactor((short) 1));
                yield d;
            }
            case DELETE_TOPICS -> new DeleteTopicsRequestData().setTimeoutMs(5000)
                    .setTopicNames(List.of("fuzz-doomed"));
            case FIND_COORDINATOR -> new FindCoordinatorRequestData().setKey("fuzz-group")
                    .setCoordinatorKeys(List.of("fuzz-group"));
            case JOIN_GROUP -> {
                JoinGroupRequestData d = new JoinGroupRequestData().setGroupId("fuzz-group")
                        .setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(100).setMemberId("")
                        .setProtocolType("consumer");
                d.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                        .setMetadata(new byte[] {0, 1, 0, 0, 0, 0}));
                yield d;
            }
            case SYNC_GROUP -> new SyncGroupRequestData().setGroupId("fuzz-group").setGenerationId(1)
                    .setMemberId("fuzz-member");
            case HEARTBEAT -> new HeartbeatRequestData().setGroupId("fuzz-group").setGenerationId(1)
                    .setMemberId("fuzz-member");
            case LEAVE_GROUP -> new LeaveGroupRequestData().setGroupId("fuzz-group").setMemberId("fuzz-member");
            case DESCRIBE_GROUPS -> new DescribeGroupsRequestData().setGroups(List.of("fuzz-group"));
            case OFFSET_COMMIT -> {
                OffsetCommitRequestData d = new OffsetCommitRequestData().setGroupId("fuzz-group")
                        .setGenerationIdOrMemberEpoch(-1).setMemberId("");
                d.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(TARGET_TOPIC)
                        .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(0).setCommittedOffset(1))));
                yield d;
            }
            case OFFSET_FETCH -> new OffsetFetchRequestData().setGroupId("fuzz-group").setTopics(List.of(
                    new OffsetFetchRequestData.OffsetFetchRequestTopic().setName(TARGET_TOPIC)
                            .setPartitionIndexes(List.of(0))));
            case DESCRIBE_CONFIGS -> new DescribeConfigsRequestData().setResources(List.of(
                    new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2)
                            .setResourceName(TARGET_TOPIC)));
            case INIT_PRODUCER_ID -> new InitProducerIdRequestData().setTransactionalId(null)
                    .setTransactionTimeoutMs(60_000).setProducerId(-1).setProducerEpoch((short) -1);
            default -> ApiMessageType.fromApiKey(key.id).newRequest();
        };
    }
}
