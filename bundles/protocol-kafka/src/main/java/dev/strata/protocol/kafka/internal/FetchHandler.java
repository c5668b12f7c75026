package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetch, without fetch sessions: every request is answered as a full fetch with session id 0, which tells the client
 * to send full fetches again (no incremental sessions to keep). A request that names a session gets
 * FETCH_SESSION_ID_NOT_FOUND, so the client falls back to a full fetch. From v13 topics are named by id. Record data
 * stays in the log file and is sent zero-copy ({@link LogSliceRecords}). Stateless, thread-safe.
 */
final class FetchHandler {
    private static final Logger LOG = LoggerFactory.getLogger(FetchHandler.class);

    private final Broker broker;

    FetchHandler(Broker broker) {
        this.broker = broker;
    }

    /** One requested partition and where its answer goes. */
    private record Slot(PartitionData out, TopicPartition tp) {
    }

    CompletableFuture<FetchResponseData> handle(FetchRequestData request, short version, RequestContext context) {
        FetchResponseData response = new FetchResponseData().setThrottleTimeMs(0).setSessionId(0)
                .setErrorCode(Errors.NONE.code());
        if (request.sessionId() != 0) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()));
        }
        if (request.sessionEpoch() != 0 && request.sessionEpoch() != -1) {
            return CompletableFuture.completedFuture(
                    response.setErrorCode(Errors.INVALID_FETCH_SESSION_EPOCH.code()));
        }
        IsolationLevel isolation = IsolationLevel.forId(request.isolationLevel());
        boolean byTopicId = version >= 13;
        Map<Uuid, String> namesById = byTopicId ? TopicIds.namesById(broker.metadata()) : Map.of();

        List<Slot> slots = new ArrayList<>();
        List<FetchPartition> partitions = new ArrayList<>();
        for (FetchRequestData.FetchTopic topic : request.topics()) {
            String name = byTopicId ? namesById.get(topic.topicId()) : topic.topic();
            FetchableTopicResponse topicResponse = new FetchableTopicResponse()
                    .setTopic(byTopicId ? "" : topic.topic()).setTopicId(topic.topicId());
            response.responses().add(topicResponse);
            for (FetchRequestData.FetchPartition p : topic.partitions()) {
                PartitionData out = new PartitionData().setPartitionIndex(p.partition());
                topicResponse.partitions().add(out);
                if (name == null) {
                    setError(out, Errors.UNKNOWN_TOPIC_ID.code());
                } else if (p.partition() < 0) {
                    setError(out, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else {
                    TopicPartition tp = new TopicPartition(name, p.partition());
                    slots.add(new Slot(out, tp));
                    partitions.add(new FetchPartition(tp, p.fetchOffset(), p.partitionMaxBytes()));
                }
            }
        }
        if (partitions.isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        int replicaId = version >= 15 ? request.replicaState().replicaId() : request.replicaId();
        FetchParams params = new FetchParams(replicaId, request.maxWaitMs(), request.minBytes(), request.maxBytes(),
                isolation, partitions);
        CompletableFuture<List<FetchResult>> results;
        try {
            results = broker.fetch(params, context);
        } catch (StrataException e) {
            slots.forEach(s -> setError(s.out(), e.error().code()));
            return CompletableFuture.completedFuture(response);
        }
        return results.handle((list, error) -> {
            if (error != null || list == null || list.size() != slots.size()) {
                if (list != null) {
                    list.forEach(r -> r.records().release()); // not sent: end the holds on the logs
                }
                LOG.error("Fetch of {} partitions failed{}", slots.size(),
                        error == null ? ": broker returned " + (list == null ? "null" : list.size() + " results")
                                : "", error);
                slots.forEach(s -> setError(s.out(), ErrorCode.UNKNOWN_SERVER_ERROR.code()));
                return response;
            }
            for (int i = 0; i < slots.size(); i++) {
                fill(slots.get(i).out(), list.get(i), isolation);
            }
            return response;
        });
    }

    private static void setError(PartitionData out, short error) {
        out.setErrorCode(error).setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
                .setRecords(MemoryRecords.EMPTY);
    }

    private static void fill(PartitionData out, FetchResult result, IsolationLevel isolation) {
        if (result.error() != ErrorCode.NONE) {
            out.setErrorCode(result.error().code()).setHighWatermark(result.highWatermark())
                    .setLastStableOffset(result.lastStableOffset()).setLogStartOffset(result.logStartOffset())
                    .setRecords(MemoryRecords.EMPTY);
            return;
        }
        out.setErrorCode(Errors.NONE.code()).setHighWatermark(result.highWatermark())
                .setLastStableOffset(result.lastStableOffset()).setLogStartOffset(result.logStartOffset())
                .setPreferredReadReplica(-1)
                // No transactions yet: nothing was aborted; null is the "not applicable" answer.
                .setAbortedTransactions(isolation == IsolationLevel.READ_COMMITTED ? new ArrayList<>() : null)
                .setRecords(result.records().isEmpty() ? MemoryRecords.EMPTY : new LogSliceRecords(result.records()));
    }
}
