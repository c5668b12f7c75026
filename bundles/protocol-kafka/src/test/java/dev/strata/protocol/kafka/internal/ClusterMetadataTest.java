package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.ElectionType;
import dev.strata.api.metadata.PartitionState;
import dev.strata.protocol.kafka.api.KafkaListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitions;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metadata, DescribeCluster and ElectLeaders in a cluster: remote brokers with racks, the real controller, leaders
 * elsewhere, offline replicas, partitions without a leader, and elections with Kafka's per-partition answers; every
 * answer encodes at every advertised version.
 */
class ClusterMetadataTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");
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
    private static final int ME = TestMetadataStore.BROKER_ID;

    @TempDir
    Path dir;
    private FileBackedTestBroker broker;
    private TestMetadataStore metadata;

    @BeforeEach
    void start() {
        broker = new FileBackedTestBroker(dir);
        metadata = broker.metadata();
        metadata.addRemoteBroker(new BrokerInfo(2, "10.0.0.2", 9093, "rack-b"));
        metadata.addRemoteBroker(new BrokerInfo(3, "10.0.0.3", 9094, null));
        assertEquals(ErrorCode.NONE, broker.createTopic("t", 3, (short) 1, Map.of(), false, CTX).error());
        metadata.setState(new PartitionState(new TopicPartition("t", 0), ME, 4, List.of(ME, 2), List.of(ME, 2)));
        metadata.setState(new PartitionState(new TopicPartition("t", 1), 2, 7, List.of(2, 4), List.of(2)));
        metadata.setState(new PartitionState(new TopicPartition("t", 2), PartitionState.NO_LEADER, 9,
                List.of(4), List.of(4)));
        metadata.controller(3);
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    private MetadataResponseData metadata(short version) {
        MetadataRequestData request = new MetadataRequestData().setTopics(List.of(
                new MetadataRequestData.MetadataRequestTopic().setName("t")));
        return roundTrip(new MetadataHandler(broker, LISTENER).handle(request, version, CTX), version,
                new MetadataResponseData());
    }

    @Test
    void metadataNamesEveryLiveBrokerTheControllerAndEachPartitionsLeadership() {
        for (short v = 0; v <= 13; v++) {
            MetadataResponseData r = metadata(v);
            assertEquals(3, r.brokers().size(), "v" + v);
            assertEquals(9092, r.brokers().find(ME).port(), "the local broker at its bound port");
            assertEquals("10.0.0.2", r.brokers().find(2).host());
            if (v >= 1) {
                assertEquals("rack-b", r.brokers().find(2).rack());
                assertNull(r.brokers().find(3).rack());
                assertEquals(3, r.controllerId(), "v" + v);
            }
            List<MetadataResponsePartition> ps = r.topics().find("t").partitions();
            MetadataResponsePartition led = ps.get(0);
            assertEquals(0, led.errorCode());
            assertEquals(ME, led.leaderId());
            assertEquals(List.of(ME, 2), led.replicaNodes());
            assertEquals(List.of(ME, 2), led.isrNodes());

            MetadataResponsePartition remote = ps.get(1);
            assertEquals(0, remote.errorCode());
            assertEquals(2, remote.leaderId());
            assertEquals(List.of(2, 4), remote.replicaNodes());
            assertEquals(List.of(2), remote.isrNodes());

            MetadataResponsePartition offline = ps.get(2);
            assertEquals(Errors.LEADER_NOT_AVAILABLE.code(), offline.errorCode(), "v" + v);
            assertEquals(-1, offline.leaderId());
            assertEquals(List.of(4), offline.replicaNodes());
            if (v >= 5) {
                assertEquals(List.of(), led.offlineReplicas());
                assertEquals(List.of(4), remote.offlineReplicas(), "broker 4 is not live");
                assertEquals(List.of(4), offline.offlineReplicas());
            }
            if (v >= 7) {
                assertEquals(4, led.leaderEpoch());
                assertEquals(7, remote.leaderEpoch());
                assertEquals(9, offline.leaderEpoch());
            }
        }
    }

    @Test
    void aLeaderWithoutRegistrationAndAnUnknownControllerAreNotReported() {
        metadata.removeRemoteBroker(2);
        MetadataResponseData r = metadata((short) 12);
        MetadataResponsePartition p = r.topics().find("t").partitions().get(1);
        assertEquals(Errors.LEADER_NOT_AVAILABLE.code(), p.errorCode());
        assertEquals(-1, p.leaderId());
        assertEquals(List.of(2, 4), p.offlineReplicas());
        assertEquals(3, r.controllerId());

        metadata.controller(-1);
        assertEquals(-1, metadata((short) 12).controllerId());
        metadata.controller(7); // not live
        assertEquals(-1, metadata((short) 12).controllerId());
        metadata.controller(2); // gone with its registration
        assertEquals(-1, metadata((short) 12).controllerId());
    }

    @Test
    void describeClusterNamesTheRealController() {
        for (short v = 0; v <= 2; v++) {
            DescribeClusterResponseData r = roundTrip(new DescribeClusterHandler(broker, LISTENER)
                    .handle(new DescribeClusterRequestData(), v), v, new DescribeClusterResponseData());
            assertEquals(3, r.controllerId(), "v" + v);
            assertEquals(3, r.brokers().size());
            assertEquals("rack-b", r.brokers().find(2).rack());
        }
    }

    private ElectLeadersResponseData elect(short version, byte type, Map<String, List<Integer>> partitions) {
        ElectLeadersRequestData request = new ElectLeadersRequestData().setElectionType(type).setTimeoutMs(5000);
        if (partitions == null) {
            request.setTopicPartitions(null);
        } else {
            partitions.forEach((t, ps) -> request.topicPartitions().add(new TopicPartitions().setTopic(t)
                    .setPartitions(ps)));
        }
        ApiMessage decoded = roundTrip(request, version, new ElectLeadersRequestData());
        return roundTrip(new ElectLeadersHandler(broker).handle((ElectLeadersRequestData) decoded), version,
                new ElectLeadersResponseData());
    }

    private static PartitionResult result(ElectLeadersResponseData r, String topic, int partition) {
        return r.replicaElectionResults().stream().filter(t -> t.topic().equals(topic)).findFirst().orElseThrow()
                .partitionResult().stream().filter(p -> p.partitionId() == partition).findFirst().orElseThrow();
    }

    @Test
    void electLeadersAnswersPerPartitionAsKafkaDoes() {
        metadata.electionResults.put(new TopicPartition("t", 1), ErrorCode.NONE);
        metadata.electionResults.put(new TopicPartition("t", 2), ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
        for (short v = 0; v <= 2; v++) {
            ElectLeadersResponseData r = elect(v, (byte) 0, Map.of("t", List.of(0, 1, 2, 5), "nope", List.of(0)));
            assertEquals(0, r.errorCode());
            assertEquals(ElectionType.PREFERRED, metadata.lastElectionType);
            assertEquals(Errors.ELECTION_NOT_NEEDED.code(), result(r, "t", 0).errorCode(), "v" + v);
            assertEquals("Leader election not needed for topic partition.", result(r, "t", 0).errorMessage());
            assertEquals(0, result(r, "t", 1).errorCode());
            assertNull(result(r, "t", 1).errorMessage());
            assertEquals(Errors.PREFERRED_LEADER_NOT_AVAILABLE.code(), result(r, "t", 2).errorCode());
            assertEquals("The preferred leader was not available.", result(r, "t", 2).errorMessage());
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), result(r, "t", 5).errorCode());
            assertEquals("No such partition as t-5", result(r, "t", 5).errorMessage());
            assertEquals("No such topic as nope", result(r, "nope", 0).errorMessage());
            assertEquals(List.of(new TopicPartition("t", 0), new TopicPartition("t", 1), new TopicPartition("t", 2)),
                    metadata.lastElection.stream().sorted((a, b) -> a.partition() - b.partition()).toList(),
                    "only known partitions reach the controller");
        }
        ElectLeadersResponseData unclean = elect((short) 1, (byte) 1, Map.of("t", List.of(2)));
        assertEquals(ElectionType.UNCLEAN, metadata.lastElectionType);
        assertEquals(1, unclean.replicaElectionResults().get(0).partitionResult().size());
    }

    @Test
    void electLeadersOfAllPartitionsListsOnlyThoseElectedOrFailed() {
        metadata.electionResults.put(new TopicPartition("t", 1), ErrorCode.NONE);
        ElectLeadersResponseData r = elect((short) 2, (byte) 0, null);
        assertEquals(3, metadata.lastElection.size(), "every partition of every topic");
        assertEquals(1, r.replicaElectionResults().size());
        assertEquals(List.of(1), r.replicaElectionResults().get(0).partitionResult().stream()
                .map(PartitionResult::partitionId).toList());
    }

    @Test
    void electLeadersWithoutTheControllerGetsItsRetriableErrorAndABadTypeIsRefused() {
        metadata.electionFailure = new StrataException(ErrorCode.NOT_CONTROLLER, "No controller is known");
        ElectLeadersResponseData r = elect((short) 2, (byte) 0, Map.of("t", List.of(0, 1)));
        assertEquals(0, r.errorCode());
        for (int p : List.of(0, 1)) {
            assertEquals(Errors.NOT_CONTROLLER.code(), result(r, "t", p).errorCode());
            assertEquals("No controller is known", result(r, "t", p).errorMessage());
        }
        ElectLeadersResponseData bad = new ElectLeadersHandler(broker).handle(new ElectLeadersRequestData()
                .setElectionType((byte) 5));
        assertEquals(Errors.INVALID_REQUEST.code(), bad.errorCode());
    }

    @Test
    void electLeadersIsAdvertised() {
        SupportedApis.Range range = SupportedApis.range(ApiMessageType.ELECT_LEADERS.apiKey(), false);
        assertEquals(0, range.min());
        assertEquals(2, range.max());
    }

    /** Writes {@code message} at {@code version} and reads it back as a client would. */
    @SuppressWarnings("unchecked")
    private static <T extends ApiMessage> T roundTrip(ApiMessage message, short version, T into) {
        into.read(new ByteBufferAccessor(MessageUtil.toByteBufferAccessor(message, version).buffer()), version);
        return into;
    }
}
