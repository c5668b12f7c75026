package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.CreateTopicResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import dev.strata.protocol.kafka.api.KafkaListener;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metadata: the brokers (this one at its advertised host and bound port, plus the other live brokers), the cluster
 * id, the controller, and the requested topics with their partitions. Unknown topics are created only when the broker
 * enables auto-creation and the request allows it. Stateless, thread-safe.
 */
final class MetadataHandler {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataHandler.class);

    private final Broker broker;
    private final KafkaListener listener;

    MetadataHandler(Broker broker, KafkaListener listener) {
        this.broker = broker;
        this.listener = listener;
    }

    MetadataResponseData handle(MetadataRequestData request, short version, RequestContext context) {
        MetadataStore metadata = broker.metadata();
        int localId = metadata.localBrokerId();
        MetadataResponseData response = new MetadataResponseData().setThrottleTimeMs(0)
                .setClusterId(metadata.clusterId()).setControllerId(localId);
        addBrokers(response, metadata, localId);

        // v0: an empty list means all topics; v1+: null means all topics, empty means none.
        boolean allTopics = request.topics() == null || (version == 0 && request.topics().isEmpty());
        if (allTopics) {
            for (TopicMetadata topic : metadata.topics()) {
                response.topics().add(describe(metadata, topic));
            }
            return response;
        }
        boolean mayCreate = broker.autoCreateTopicsEnabled() && (version < 4 || request.allowAutoTopicCreation());
        Map<Uuid, String> namesById = null;
        Set<String> seen = new LinkedHashSet<>();
        for (MetadataRequestData.MetadataRequestTopic requested : request.topics()) {
            String name = requested.name();
            if (name == null) {
                // v10+ may ask by topic id.
                if (namesById == null) {
                    namesById = TopicIds.namesById(metadata);
                }
                name = namesById.get(requested.topicId());
                if (name == null) {
                    response.topics().add(new MetadataResponseTopic().setName(null)
                            .setTopicId(requested.topicId()).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
                    continue;
                }
            }
            if (!seen.add(name)) {
                continue;
            }
            Optional<TopicMetadata> topic = metadata.topic(name);
            if (topic.isPresent()) {
                response.topics().add(describe(metadata, topic.get()));
            } else if (mayCreate) {
                response.topics().add(autoCreate(metadata, name, context));
            } else {
                response.topics().add(errorTopic(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code()));
            }
        }
        return response;
    }

    private void addBrokers(MetadataResponseData response, MetadataStore metadata, int localId) {
        String localRack = null;
        List<MetadataResponseBroker> others = new ArrayList<>();
        for (BrokerInfo info : metadata.liveBrokers()) {
            if (info.id() == localId) {
                localRack = info.rack();
            } else {
                others.add(new MetadataResponseBroker().setNodeId(info.id()).setHost(info.host())
                        .setPort(info.port()).setRack(info.rack()));
            }
        }
        // This broker as clients must reach it: the advertised host and the port actually bound.
        response.brokers().add(new MetadataResponseBroker().setNodeId(localId).setHost(listener.host())
                .setPort(listener.port()).setRack(localRack));
        others.forEach(response.brokers()::add);
    }

    private MetadataResponseTopic autoCreate(MetadataStore metadata, String name, RequestContext context) {
        CreateTopicResult result;
        try {
            result = broker.createTopic(name, -1, (short) -1, Map.of(), false, context);
        } catch (StrataException e) {
            return errorTopic(name, e.error().code());
        } catch (RuntimeException e) {
            LOG.warn("Auto-creating topic {} failed", name, e);
            return errorTopic(name, ErrorCode.UNKNOWN_SERVER_ERROR.code());
        }
        if (result.error() != ErrorCode.NONE && result.error() != ErrorCode.TOPIC_ALREADY_EXISTS) {
            return errorTopic(name, result.error().code());
        }
        LOG.info("Auto-created topic {} for client {}", name, context.clientId());
        return metadata.topic(name).map(t -> describe(metadata, t))
                .orElseGet(() -> errorTopic(name, ErrorCode.LEADER_NOT_AVAILABLE.code()));
    }

    private static MetadataResponseTopic errorTopic(String name, short error) {
        return new MetadataResponseTopic().setName(name).setErrorCode(error).setTopicId(Uuid.ZERO_UUID);
    }

    private static MetadataResponseTopic describe(MetadataStore metadata, TopicMetadata topic) {
        MetadataResponseTopic out = new MetadataResponseTopic().setName(topic.name())
                .setTopicId(TopicIds.toKafka(topic.topicId()))
                .setIsInternal(GroupCoordinator.OFFSETS_TOPIC.equals(topic.name()))
                .setErrorCode(ErrorCode.NONE.code());
        for (int p = 0; p < topic.partitionCount(); p++) {
            Optional<PartitionState> state = metadata.partitionState(new TopicPartition(topic.name(), p));
            MetadataResponsePartition partition = new MetadataResponsePartition().setPartitionIndex(p);
            if (state.isEmpty() || state.get().leader() < 0) {
                partition.setErrorCode(ErrorCode.LEADER_NOT_AVAILABLE.code()).setLeaderId(-1).setLeaderEpoch(-1);
                state.ifPresent(s -> partition.setReplicaNodes(new ArrayList<>(s.replicas()))
                        .setIsrNodes(new ArrayList<>(s.isr())));
            } else {
                PartitionState s = state.get();
                partition.setErrorCode(ErrorCode.NONE.code()).setLeaderId(s.leader())
                        .setLeaderEpoch(s.leaderEpoch()).setReplicaNodes(new ArrayList<>(s.replicas()))
                        .setIsrNodes(new ArrayList<>(s.isr())).setOfflineReplicas(new ArrayList<>());
            }
            out.partitions().add(partition);
        }
        return out;
    }
}
