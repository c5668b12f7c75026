package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.ProduceResult;
import dev.strata.api.broker.ProducerIdResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce and InitProducerId. Each partition is appended through {@link Broker#produce} (on the request-handler
 * thread that runs this), and the response is built once every partition's future completes. With acks=0 the records
 * are still appended but no response is written; if a partition failed, the connection is closed instead (as Kafka
 * does), the only way to tell such a producer to refresh its metadata. Transactional produce is refused. Stateless,
 * thread-safe.
 */
final class ProduceHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ProduceHandler.class);

    /** Extra time past the request timeout before a partition that never answered is reported as timed out. */
    private static final long SAFETY_MARGIN_MS = 30_000;

    private final Broker broker;

    ProduceHandler(Broker broker) {
        this.broker = broker;
    }

    /** Completes with the response (built for acks=0 too, though it is not sent then). */
    CompletableFuture<ProduceResponseData> handle(ProduceRequestData request, short version, RequestContext context) {
        short acks = request.acks();
        boolean byTopicId = version >= 13;
        Map<Uuid, String> namesById = byTopicId ? TopicIds.namesById(broker.metadata()) : Map.of();
        ProduceResponseData response = new ProduceResponseData().setThrottleTimeMs(0);
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (TopicProduceData topic : request.topicData()) {
            String name = byTopicId ? namesById.get(topic.topicId()) : topic.name();
            TopicProduceResponse topicResponse = new TopicProduceResponse().setName(byTopicId ? "" : topic.name())
                    .setTopicId(topic.topicId());
            response.responses().add(topicResponse);
            for (PartitionProduceData data : topic.partitionData()) {
                PartitionProduceResponse out = new PartitionProduceResponse().setIndex(data.index());
                topicResponse.partitionResponses().add(out);
                short error = precheck(request, name, data);
                if (error != Errors.NONE.code()) {
                    out.setErrorCode(error).setBaseOffset(-1);
                    continue;
                }
                TopicPartition tp = new TopicPartition(name, data.index());
                pending.add(produce(tp, (MemoryRecords) data.records(), acks, request.timeoutMs(), context)
                        .thenAccept(result -> fill(out, result)));
            }
        }
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> response);
    }

    /** Whether any partition of a produce response failed. */
    static boolean hasErrors(ProduceResponseData response) {
        return response.responses().stream().flatMap(t -> t.partitionResponses().stream())
                .anyMatch(p -> p.errorCode() != Errors.NONE.code());
    }

    private static short precheck(ProduceRequestData request, String name, PartitionProduceData data) {
        if (request.acks() != 0 && request.acks() != 1 && request.acks() != -1) {
            return ErrorCode.INVALID_REQUIRED_ACKS.code();
        }
        if (request.transactionalId() != null) {
            return ErrorCode.INVALID_TXN_STATE.code();
        }
        if (name == null) {
            return Errors.UNKNOWN_TOPIC_ID.code();
        }
        if (data.index() < 0) {
            return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code();
        }
        BaseRecords records = data.records();
        if (!(records instanceof MemoryRecords) || records.sizeInBytes() == 0) {
            return ErrorCode.CORRUPT_MESSAGE.code();
        }
        return Errors.NONE.code();
    }

    private CompletableFuture<ProduceResult> produce(TopicPartition tp, MemoryRecords records, short acks,
                                                     int timeoutMs, RequestContext context) {
        try {
            return broker.produce(tp, records.buffer(), acks, timeoutMs, context)
                    .completeOnTimeout(ProduceResult.error(ErrorCode.REQUEST_TIMED_OUT, "no answer from the log"),
                            Math.max(timeoutMs, 0) + SAFETY_MARGIN_MS, TimeUnit.MILLISECONDS)
                    .exceptionally(e -> {
                        LOG.error("Produce to {} failed", tp, e);
                        return ProduceResult.error(ErrorCode.UNKNOWN_SERVER_ERROR, e.toString());
                    });
        } catch (StrataException e) {
            return CompletableFuture.completedFuture(ProduceResult.error(e.error(), e.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("Produce to {} failed", tp, e);
            return CompletableFuture.completedFuture(ProduceResult.error(ErrorCode.UNKNOWN_SERVER_ERROR,
                    e.toString()));
        }
    }

    private static void fill(PartitionProduceResponse out, ProduceResult result) {
        out.setErrorCode(result.error().code()).setBaseOffset(result.baseOffset())
                .setLogAppendTimeMs(result.logAppendTime()).setLogStartOffset(result.logStartOffset())
                .setErrorMessage(result.error() == ErrorCode.NONE ? null : result.message());
    }

    InitProducerIdResponseData initProducerId(InitProducerIdRequestData request, RequestContext context) {
        InitProducerIdResponseData response = new InitProducerIdResponseData().setThrottleTimeMs(0);
        try {
            ProducerIdResult result = broker.initProducerId(request.transactionalId(),
                    request.transactionTimeoutMs(), context);
            return response.setErrorCode(result.error().code()).setProducerId(result.producerId())
                    .setProducerEpoch(result.producerEpoch());
        } catch (StrataException e) {
            return response.setErrorCode(e.error().code()).setProducerId(-1).setProducerEpoch((short) -1);
        }
    }
}
