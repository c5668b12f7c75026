package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.ConfigEntry;
import dev.strata.api.broker.ConfigResource;
import dev.strata.api.broker.CreateTopicResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.metadata.TopicMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** CreateTopics and DeleteTopics: topic administration. Stateless, thread-safe. */
final class TopicAdminHandler {
    private static final Logger LOG = LoggerFactory.getLogger(TopicAdminHandler.class);

    /** CreateTopics' config source of a requested setting (Kafka's ConfigSource TOPIC_CONFIG). */
    private static final byte SOURCE_TOPIC = 1;

    private final Broker broker;

    TopicAdminHandler(Broker broker) {
        this.broker = broker;
    }

    CreateTopicsResponseData createTopics(CreateTopicsRequestData request, short version, RequestContext context) {
        CreateTopicsResponseData response = new CreateTopicsResponseData().setThrottleTimeMs(0);
        Map<String, Integer> counts = new HashMap<>();
        request.topics().forEach(t -> counts.merge(t.name(), 1, Integer::sum));
        for (CreatableTopic topic : request.topics()) {
            CreatableTopicResult out = new CreatableTopicResult().setName(topic.name()).setNumPartitions(-1)
                    .setReplicationFactor((short) -1).setTopicId(Uuid.ZERO_UUID);
            response.topics().add(out);
            if (counts.get(topic.name()) > 1) {
                setError(out, ErrorCode.INVALID_REQUEST, "Topic " + topic.name() + " is listed more than once");
                continue;
            }
            Map<String, String> configs = new LinkedHashMap<>();
            for (CreatableTopicConfig c : topic.configs()) {
                configs.put(c.name(), c.value());
            }
            CreateTopicResult result;
            try {
                if (topic.assignments().isEmpty()) {
                    result = broker.createTopic(topic.name(), topic.numPartitions(), topic.replicationFactor(),
                            configs, request.validateOnly(), context);
                } else {
                    result = broker.createTopic(topic.name(), replicaAssignment(topic), configs,
                            request.validateOnly(), context);
                }
            } catch (StrataException e) {
                setError(out, e.error(), e.getMessage());
                continue;
            } catch (RuntimeException e) {
                LOG.error("Creating topic {} failed", topic.name(), e);
                setError(out, ErrorCode.UNKNOWN_SERVER_ERROR, e.toString());
                continue;
            }
            if (result.error() != ErrorCode.NONE) {
                setError(out, result.error(), result.message());
                continue;
            }
            out.setErrorCode(ErrorCode.NONE.code()).setErrorMessage(null);
            TopicMetadata created = result.topic();
            if (created != null) {
                out.setNumPartitions(created.partitionCount()).setReplicationFactor(created.replicationFactor())
                        .setTopicId(request.validateOnly() ? Uuid.ZERO_UUID : TopicIds.toKafka(created.topicId()));
            }
            out.setConfigs(request.validateOnly() ? requestedConfigs(configs) : effectiveConfigs(topic.name()));
        }
        return response;
    }

    /**
     * The manual assignment as one replica list per partition, in partition order, checked as Kafka's controller
     * checks the request's shape: counts left at -1, each partition once, partitions 0..n-1. What the replica lists
     * hold is the broker's to check.
     *
     * @throws StrataException INVALID_REQUEST or INVALID_REPLICA_ASSIGNMENT, with Kafka's messages
     */
    static List<List<Integer>> replicaAssignment(CreatableTopic topic) {
        if (topic.replicationFactor() != -1) {
            throw new StrataException(ErrorCode.INVALID_REQUEST,
                    "A manual partition assignment was specified, but replication factor was not set to -1.");
        }
        if (topic.numPartitions() != -1) {
            throw new StrataException(ErrorCode.INVALID_REQUEST,
                    "A manual partition assignment was specified, but numPartitions was not set to -1.");
        }
        Map<Integer, List<Integer>> byPartition = new HashMap<>();
        for (CreatableReplicaAssignment a : topic.assignments()) {
            if (byPartition.put(a.partitionIndex(), List.copyOf(a.brokerIds())) != null) {
                throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                        "Found multiple manual partition assignments for partition " + a.partitionIndex());
            }
        }
        List<List<Integer>> out = new ArrayList<>(byPartition.size());
        for (int p = 0; p < byPartition.size(); p++) {
            List<Integer> replicas = byPartition.get(p);
            if (replicas == null) {
                throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                        "partitions should be a consecutive 0-based integer sequence");
            }
            out.add(replicas);
        }
        return out;
    }

    private static void setError(CreatableTopicResult out, ErrorCode error, String message) {
        out.setErrorCode(error.code()).setErrorMessage(message).setNumPartitions(-1)
                .setReplicationFactor((short) -1).setConfigs(new ArrayList<>());
    }

    private static List<CreatableTopicConfigs> requestedConfigs(Map<String, String> configs) {
        List<CreatableTopicConfigs> out = new ArrayList<>();
        configs.forEach((name, value) -> out.add(new CreatableTopicConfigs().setName(name).setValue(value)
                .setConfigSource(SOURCE_TOPIC)));
        return out;
    }

    private List<CreatableTopicConfigs> effectiveConfigs(String topic) {
        List<CreatableTopicConfigs> out = new ArrayList<>();
        try {
            for (ConfigEntry e : broker.describeConfigs(new ConfigResource(ConfigResource.Type.TOPIC, topic))) {
                out.add(new CreatableTopicConfigs().setName(e.name()).setValue(e.sensitive() ? null : e.value())
                        .setReadOnly(e.readOnly()).setIsSensitive(e.sensitive()).setConfigSource(source(e)));
            }
        } catch (RuntimeException e) {
            // The topic was created; not being able to list its settings is no reason to report a failure.
            LOG.warn("Could not describe the configs of new topic {}: {}", topic, e.toString());
        }
        return out;
    }

    DeleteTopicsResponseData deleteTopics(DeleteTopicsRequestData request, short version, RequestContext context) {
        DeleteTopicsResponseData response = new DeleteTopicsResponseData().setThrottleTimeMs(0);
        List<DeleteTopicState> targets = new ArrayList<>();
        if (version >= 6) {
            targets.addAll(request.topics());
        } else {
            request.topicNames().forEach(n -> targets.add(new DeleteTopicState().setName(n)));
        }
        Map<Uuid, String> namesById = null;
        Set<String> seen = new HashSet<>();
        for (DeleteTopicState target : targets) {
            String name = target.name();
            DeletableTopicResult out = new DeletableTopicResult().setName(name).setTopicId(target.topicId());
            if (name == null) {
                if (namesById == null) {
                    namesById = TopicIds.namesById(broker.metadata());
                }
                name = namesById.get(target.topicId());
                if (name == null) {
                    response.responses().add(out.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code())
                            .setErrorMessage("No topic with id " + target.topicId()));
                    continue;
                }
                out.setName(name);
            }
            if (!seen.add(name)) {
                continue;
            }
            Optional<TopicMetadata> existing = broker.metadata().topic(name);
            existing.ifPresent(t -> out.setTopicId(TopicIds.toKafka(t.topicId())));
            ErrorCode error;
            String message = null;
            try {
                error = broker.deleteTopic(name, context);
            } catch (StrataException e) {
                error = e.error();
                message = e.getMessage();
            } catch (RuntimeException e) {
                LOG.error("Deleting topic {} failed", name, e);
                error = ErrorCode.UNKNOWN_SERVER_ERROR;
                message = e.toString();
            }
            response.responses().add(out.setErrorCode(error.code()).setErrorMessage(
                    error == ErrorCode.NONE ? null : message));
        }
        return response;
    }

    private static byte source(ConfigEntry e) {
        return ConfigsHandler.source(e.source());
    }
}
