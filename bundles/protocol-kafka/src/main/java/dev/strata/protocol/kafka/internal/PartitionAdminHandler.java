package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.DeleteRecordsResult;
import dev.strata.api.broker.LogDirDescription;
import dev.strata.api.broker.ProducerDescription;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CreatePartitions, DeleteRecords, DescribeLogDirs and DescribeProducers: partition administration, answered as
 * Kafka's request handlers answer them (duplicates, unknown topics and partitions get Kafka's error codes per entry;
 * nothing a client sends fails the whole request). Stateless, thread-safe.
 */
final class PartitionAdminHandler {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionAdminHandler.class);
    /** Kafka's {@code DeleteRecordsResponse.INVALID_LOW_WATERMARK}. */
    static final long INVALID_LOW_WATERMARK = -1L;

    private final Broker broker;

    PartitionAdminHandler(Broker broker) {
        this.broker = broker;
    }

    /** A topic named twice gets INVALID_REQUEST once, as Kafka's controller answers it; the others are applied. */
    CreatePartitionsResponseData createPartitions(CreatePartitionsRequestData request, RequestContext context) {
        CreatePartitionsResponseData response = new CreatePartitionsResponseData().setThrottleTimeMs(0);
        Map<String, Integer> counts = new HashMap<>();
        request.topics().forEach(t -> counts.merge(t.name(), 1, Integer::sum));
        Set<String> answered = new LinkedHashSet<>();
        for (CreatePartitionsTopic topic : request.topics()) {
            if (!answered.add(topic.name())) {
                continue;
            }
            CreatePartitionsTopicResult out = new CreatePartitionsTopicResult().setName(topic.name());
            response.results().add(out);
            if (counts.get(topic.name()) > 1) {
                out.setErrorCode(ErrorCode.INVALID_REQUEST.code()).setErrorMessage("Duplicate topic name.");
                continue;
            }
            try {
                broker.createPartitions(topic.name(), topic.count(), assignments(topic), request.validateOnly(),
                        context);
                out.setErrorCode(ErrorCode.NONE.code()).setErrorMessage(null);
            } catch (StrataException e) {
                LOG.debug("CreatePartitions {} to {} refused: {} {}", topic.name(), topic.count(), e.error(),
                        e.getMessage());
                out.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("Creating partitions of topic {} failed", topic.name(), e);
                out.setErrorCode(ErrorCode.UNKNOWN_SERVER_ERROR.code()).setErrorMessage(e.toString());
            }
        }
        return response;
    }

    private static List<List<Integer>> assignments(CreatePartitionsTopic topic) {
        if (topic.assignments() == null) {
            return null;
        }
        List<List<Integer>> out = new ArrayList<>(topic.assignments().size());
        for (CreatePartitionsAssignment a : topic.assignments()) {
            out.add(a.brokerIds() == null ? List.of() : List.copyOf(a.brokerIds()));
        }
        return out;
    }

    /**
     * Each partition once (a partition named twice takes the last offset, as Kafka's map of them does); unknown
     * topics and partitions get UNKNOWN_TOPIC_OR_PARTITION without reaching the broker's logs.
     */
    CompletableFuture<DeleteRecordsResponseData> deleteRecords(DeleteRecordsRequestData request,
                                                               RequestContext context) {
        Map<String, Map<Integer, Long>> wanted = new LinkedHashMap<>();
        for (DeleteRecordsTopic topic : request.topics()) {
            Map<Integer, Long> partitions = wanted.computeIfAbsent(String.valueOf(topic.name()),
                    k -> new LinkedHashMap<>());
            for (DeleteRecordsPartition p : topic.partitions()) {
                partitions.put(p.partitionIndex(), p.offset());
            }
        }
        DeleteRecordsResponseData response = new DeleteRecordsResponseData().setThrottleTimeMs(0);
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (Map.Entry<String, Map<Integer, Long>> topic : wanted.entrySet()) {
            DeleteRecordsTopicResult topicOut = new DeleteRecordsTopicResult().setName(topic.getKey());
            response.topics().add(topicOut);
            for (Map.Entry<Integer, Long> p : topic.getValue().entrySet()) {
                DeleteRecordsPartitionResult out = new DeleteRecordsPartitionResult().setPartitionIndex(p.getKey())
                        .setLowWatermark(INVALID_LOW_WATERMARK);
                topicOut.partitions().add(out);
                TopicPartition tp = knownPartition(topic.getKey(), p.getKey());
                if (tp == null) {
                    out.setErrorCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                CompletableFuture<DeleteRecordsResult> result;
                try {
                    result = broker.deleteRecords(tp, p.getValue(), request.timeoutMs(), context);
                } catch (RuntimeException e) {
                    LOG.error("Deleting records of {} failed", tp, e);
                    out.setErrorCode(ErrorCode.UNKNOWN_SERVER_ERROR.code());
                    continue;
                }
                pending.add(result.handle((r, e) -> {
                    if (e != null) {
                        LOG.error("Deleting records of {} failed", tp, e);
                        out.setErrorCode(ErrorCode.UNKNOWN_SERVER_ERROR.code());
                    } else {
                        out.setErrorCode(r.error().code()).setLowWatermark(
                                r.error() == ErrorCode.NONE ? r.lowWatermark() : INVALID_LOW_WATERMARK);
                    }
                    return null;
                }));
            }
        }
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).thenApply(done -> response);
    }

    /** The partition if the metadata knows it (Kafka's {@code metadataCache.contains}), else null. */
    private TopicPartition knownPartition(String topic, int partition) {
        if (topic == null || partition < 0) {
            return null;
        }
        TopicPartition tp = new TopicPartition(topic, partition);
        return broker.metadata().partitionState(tp).isPresent() ? tp : null;
    }

    /** All partitions when the request's topics are null (v1+: the "all" form), else the named ones. */
    DescribeLogDirsResponseData describeLogDirs(DescribeLogDirsRequestData request, short version) {
        List<TopicPartition> partitions = null;
        if (request.topics() != null) {
            partitions = new ArrayList<>();
            for (DescribableLogDirTopic t : request.topics()) {
                for (Integer p : t.partitions()) {
                    if (t.topic() != null && p != null && p >= 0) {
                        partitions.add(new TopicPartition(t.topic(), p));
                    }
                }
            }
        }
        DescribeLogDirsResponseData response = new DescribeLogDirsResponseData().setThrottleTimeMs(0)
                .setErrorCode(ErrorCode.NONE.code());
        for (LogDirDescription dir : broker.describeLogDirs(partitions)) {
            DescribeLogDirsResult out = new DescribeLogDirsResult().setLogDir(dir.path())
                    .setErrorCode(dir.error().code());
            if (version >= 4) { // the byte counts exist from v4 on; writing them to an older version fails
                out.setTotalBytes(dir.totalBytes()).setUsableBytes(dir.usableBytes());
            }
            Map<String, DescribeLogDirsTopic> byTopic = new LinkedHashMap<>();
            for (LogDirDescription.Replica r : dir.replicas()) {
                byTopic.computeIfAbsent(r.partition().topic(), name -> {
                    DescribeLogDirsTopic t = new DescribeLogDirsTopic().setName(name);
                    out.topics().add(t);
                    return t;
                }).partitions().add(new DescribeLogDirsPartition().setPartitionIndex(r.partition().partition())
                        .setPartitionSize(r.sizeBytes()).setOffsetLag(r.offsetLag()).setIsFutureKey(r.future()));
            }
            response.results().add(out);
        }
        return response;
    }

    /** Kafka's per-topic checks first (a legal name the metadata knows), then each partition's state. */
    DescribeProducersResponseData describeProducers(DescribeProducersRequestData request) {
        DescribeProducersResponseData response = new DescribeProducersResponseData().setThrottleTimeMs(0);
        for (TopicRequest topic : request.topics()) {
            TopicResponse topicOut = new TopicResponse().setName(topic.name());
            response.topics().add(topicOut);
            boolean known = topic.name() != null && broker.metadata().topic(topic.name()).isPresent();
            for (Integer index : topic.partitionIndexes()) {
                int p = index == null ? -1 : index;
                PartitionResponse out = new PartitionResponse().setPartitionIndex(p);
                topicOut.partitions().add(out);
                if (!known || p < 0) {
                    out.setErrorCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage(
                            "This server does not host this topic-partition.");
                    continue;
                }
                try {
                    for (ProducerDescription d : broker.describeProducers(new TopicPartition(topic.name(), p))) {
                        out.activeProducers().add(new ProducerState().setProducerId(d.producerId())
                                .setProducerEpoch(d.producerEpoch()).setLastSequence(d.lastSequence())
                                .setLastTimestamp(d.lastTimestamp()).setCoordinatorEpoch(d.coordinatorEpoch())
                                .setCurrentTxnStartOffset(d.currentTxnStartOffset()));
                    }
                    out.setErrorCode(ErrorCode.NONE.code());
                } catch (StrataException e) {
                    out.setErrorCode(e.error().code()).setErrorMessage(e.getMessage())
                            .setActiveProducers(new ArrayList<>());
                } catch (RuntimeException e) {
                    LOG.error("Describing the producers of {}-{} failed", topic.name(), p, e);
                    out.setErrorCode(ErrorCode.UNKNOWN_SERVER_ERROR.code()).setErrorMessage(e.toString())
                            .setActiveProducers(new ArrayList<>());
                }
            }
        }
        return response;
    }
}
