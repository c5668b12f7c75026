package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.ElectionType;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.TopicMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ElectLeaders (KIP-183, KIP-460): preferred or unclean leader election through the metadata store's controller,
 * answered per partition as Kafka 4.1's controller answers: a request naming no partitions means every partition,
 * and then the ones that needed no election are left out; an unknown topic or partition gets
 * UNKNOWN_TOPIC_OR_PARTITION with Kafka's message; a controller out of reach gets its retriable error on every
 * partition. Runs on a request-handler thread (the election may wait up to the request's timeout). Stateless,
 * thread-safe.
 */
final class ElectLeadersHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ElectLeadersHandler.class);

    private final Broker broker;

    ElectLeadersHandler(Broker broker) {
        this.broker = broker;
    }

    ElectLeadersResponseData handle(ElectLeadersRequestData request) {
        ElectLeadersResponseData response = new ElectLeadersResponseData().setThrottleTimeMs(0);
        ElectionType type;
        switch (request.electionType()) {
            case 0 -> type = ElectionType.PREFERRED;
            case 1 -> type = ElectionType.UNCLEAN;
            default -> {
                // Only v1+ carries the type, and v1+ has the top-level error code.
                return response.setErrorCode(Errors.INVALID_REQUEST.code());
            }
        }
        MetadataStore metadata = broker.metadata();
        boolean all = request.topicPartitions() == null;
        Set<TopicPartition> partitions = new LinkedHashSet<>();
        if (all) {
            for (TopicMetadata t : metadata.topics()) {
                for (int p = 0; p < t.partitionCount(); p++) {
                    partitions.add(new TopicPartition(t.name(), p));
                }
            }
        } else {
            request.topicPartitions().forEach(t -> t.partitions().forEach(p ->
                    partitions.add(new TopicPartition(t.topic(), p))));
        }
        Map<TopicPartition, PartitionResult> results = new LinkedHashMap<>();
        List<TopicPartition> known = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            Optional<TopicMetadata> topic = metadata.topic(tp.topic());
            if (topic.isEmpty()) {
                results.put(tp, result(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION, "No such topic as " + tp.topic()));
            } else if (tp.partition() < 0 || tp.partition() >= topic.get().partitionCount()) {
                results.put(tp, result(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION, "No such partition as " + tp));
            } else {
                results.put(tp, null); // keeps the request's order
                known.add(tp);
            }
        }
        if (!known.isEmpty()) {
            try {
                Map<TopicPartition, ErrorCode> elected = metadata.electLeaders(type, known, request.timeoutMs());
                for (TopicPartition tp : known) {
                    ErrorCode e = elected.getOrDefault(tp, ErrorCode.REQUEST_TIMED_OUT);
                    results.put(tp, result(tp, Errors.forCode(e.code()), null));
                }
                LOG.info("{} leader election for {} partition(s): {}", type, known.size(), summary(elected));
            } catch (StrataException e) {
                LOG.warn("{} leader election for {} partition(s) failed: {} {}", type, known.size(), e.error(),
                        e.getMessage());
                known.forEach(tp -> results.put(tp, result(tp, Errors.forCode(e.error().code()), e.getMessage())));
            }
        }
        Map<String, ReplicaElectionResult> byTopic = new LinkedHashMap<>();
        for (Map.Entry<TopicPartition, PartitionResult> e : results.entrySet()) {
            if (all && e.getValue().errorCode() == Errors.ELECTION_NOT_NEEDED.code()) {
                continue; // as Kafka: an election over all partitions lists only those elected or failed
            }
            byTopic.computeIfAbsent(e.getKey().topic(), t -> new ReplicaElectionResult().setTopic(t))
                    .partitionResult().add(e.getValue());
        }
        response.replicaElectionResults().addAll(byTopic.values());
        return response.setErrorCode(Errors.NONE.code());
    }

    private static PartitionResult result(TopicPartition tp, Errors error, String message) {
        // Kafka's ApiError(error) carries the error's default message; NONE carries none.
        return new PartitionResult().setPartitionId(tp.partition()).setErrorCode(error.code())
                .setErrorMessage(message != null ? message : error == Errors.NONE ? null : error.message());
    }

    private static Map<ErrorCode, Integer> summary(Map<TopicPartition, ErrorCode> elected) {
        Map<ErrorCode, Integer> counts = new LinkedHashMap<>();
        elected.values().forEach(e -> counts.merge(e, 1, Integer::sum));
        return counts;
    }
}
