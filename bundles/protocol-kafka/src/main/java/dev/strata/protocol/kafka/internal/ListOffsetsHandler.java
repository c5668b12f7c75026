package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.ListOffsetResult;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.PartitionState;
import java.util.Optional;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ListOffsets (v1+): the offset for a timestamp, or for the special timestamps latest (-1), earliest (-2) and
 * max-timestamp (-3). Without tiered storage, earliest-local (-4) is the earliest offset and latest-tiered (-5) has
 * no offset (-1). Stateless, thread-safe.
 */
final class ListOffsetsHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ListOffsetsHandler.class);

    static final long EARLIEST_LOCAL_TIMESTAMP = -4L;
    static final long LATEST_TIERED_TIMESTAMP = -5L;

    private final Broker broker;

    ListOffsetsHandler(Broker broker) {
        this.broker = broker;
    }

    ListOffsetsResponseData handle(ListOffsetsRequestData request, short version) {
        IsolationLevel isolation = IsolationLevel.forId(request.isolationLevel());
        ListOffsetsResponseData response = new ListOffsetsResponseData().setThrottleTimeMs(0);
        for (ListOffsetsTopic topic : request.topics()) {
            ListOffsetsTopicResponse topicResponse = new ListOffsetsTopicResponse().setName(topic.name());
            response.topics().add(topicResponse);
            for (ListOffsetsPartition p : topic.partitions()) {
                topicResponse.partitions().add(lookup(topic.name(), p, isolation, version));
            }
        }
        return response;
    }

    private ListOffsetsPartitionResponse lookup(String topic, ListOffsetsPartition p, IsolationLevel isolation,
                                                short version) {
        ListOffsetsPartitionResponse out = new ListOffsetsPartitionResponse().setPartitionIndex(p.partitionIndex())
                .setTimestamp(-1).setOffset(-1).setLeaderEpoch(-1);
        if (p.partitionIndex() < 0 || topic == null) {
            return out.setErrorCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        TopicPartition tp = new TopicPartition(topic, p.partitionIndex());
        long timestamp = p.timestamp();
        if (timestamp == LATEST_TIERED_TIMESTAMP) {
            return out.setErrorCode(ErrorCode.NONE.code());
        }
        if (timestamp == EARLIEST_LOCAL_TIMESTAMP) {
            timestamp = ListOffsetResult.EARLIEST_TIMESTAMP;
        }
        ListOffsetResult result;
        try {
            result = broker.listOffset(tp, timestamp, isolation);
        } catch (StrataException e) {
            return out.setErrorCode(e.error().code());
        } catch (RuntimeException e) {
            LOG.error("ListOffsets for {} at {} failed", tp, timestamp, e);
            return out.setErrorCode(ErrorCode.UNKNOWN_SERVER_ERROR.code());
        }
        out.setErrorCode(result.error().code());
        if (result.error() == ErrorCode.NONE) {
            out.setTimestamp(result.timestamp()).setOffset(result.offset());
            // The leader epoch field exists from v4 on and is not ignorable: writing it to an older version fails.
            if (version >= 4) {
                Optional<PartitionState> state = broker.metadata().partitionState(tp);
                state.ifPresent(s -> out.setLeaderEpoch(s.leaderEpoch()));
            }
        }
        return out;
    }
}
