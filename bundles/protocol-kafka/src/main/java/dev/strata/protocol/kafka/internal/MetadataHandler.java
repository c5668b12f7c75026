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
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
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
 * id, the controller, and the requested topics with their partitions: each partition's leader and leader epoch, its
 * replicas, ISR and offline replicas (those not among the live brokers), or LEADER_NOT_AVAILABLE while it has no
 * live leader, as Kafka's ZooKeeper-mode metadata cache answers. Unknown topics are created only when the broker
 * enables auto-creation and the request allows it. Authorized operations are filled in when asked for. Stateless,
 * thread-safe.
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
        MetadataResponseData response = new MetadataResponseData().setThrottleTimeMs(0)
                .setClusterId(metadata.clusterId());
        Set<Integer> live = new HashSet<>();
        for (BrokerInfo b : BrokerEndpoints.live(metadata, listener)) {
            live.add(b.id());
            response.brokers().add(new MetadataResponseBroker().setNodeId(b.id()).setHost(b.host())
                    .setPort(b.port()).setRack(b.rack()));
        }
        int controller = metadata.controllerId();
        response.setControllerId(live.contains(controller) ? controller : -1);
        // v8-v10 may ask for the cluster's operations (KIP-430; moved to DescribeCluster in v11, KIP-700).
        if (version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(AuthorizedOperations.CLUSTER);
        }
        boolean withOperations = version >= 8 && request.includeTopicAuthorizedOperations();

        // v0: an empty list means all topics; v1+: null means all topics, empty means none.
        boolean allTopics = request.topics() == null || (version == 0 && request.topics().isEmpty());
        if (allTopics) {
            for (TopicMetadata topic : metadata.topics()) {
                response.topics().add(describe(metadata, topic, live));
            }
            return withOperations ? withTopicOperations(response) : response;
        }
        boolean mayCreate = broker.autoCreateTopicsEnabled() && (version < 4 || request.allowAutoTopicCreation());
        Map<Uuid, String> namesById = null;
        Set<String> seen = new LinkedHashSet<>();
        for (MetadataRequestData.MetadataRequestTopic requested : request.topics()) {
            String name = requested.name();
            if (name == null && version < 12) {
                // Kafka's check: v10 and v11 carry a topic id field but cannot answer a null name.
                throw new InvalidRequestException("Topic name can not be null for version " + version);
            }
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
                response.topics().add(describe(metadata, topic.get(), live));
            } else if (mayCreate) {
                response.topics().add(autoCreate(metadata, name, context, live));
            } else {
                response.topics().add(errorTopic(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code()));
            }
        }
        return withOperations ? withTopicOperations(response) : response;
    }

    /** Every named topic gets its operations, errors included, as Kafka sets them (not for unknown topic ids). */
    private static MetadataResponseData withTopicOperations(MetadataResponseData response) {
        for (MetadataResponseTopic topic : response.topics()) {
            if (topic.name() != null) {
                topic.setTopicAuthorizedOperations(AuthorizedOperations.TOPIC);
            }
        }
        return response;
    }

    private MetadataResponseTopic autoCreate(MetadataStore metadata, String name, RequestContext context,
                                             Set<Integer> live) {
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
        return metadata.topic(name).map(t -> describe(metadata, t, live))
                .orElseGet(() -> errorTopic(name, ErrorCode.LEADER_NOT_AVAILABLE.code()));
    }

    private static MetadataResponseTopic errorTopic(String name, short error) {
        return new MetadataResponseTopic().setName(name).setErrorCode(error).setTopicId(Uuid.ZERO_UUID);
    }

    private static MetadataResponseTopic describe(MetadataStore metadata, TopicMetadata topic, Set<Integer> live) {
        MetadataResponseTopic out = new MetadataResponseTopic().setName(topic.name())
                .setTopicId(TopicIds.toKafka(topic.topicId()))
                .setIsInternal(GroupCoordinator.OFFSETS_TOPIC.equals(topic.name()))
                .setErrorCode(ErrorCode.NONE.code());
        for (int p = 0; p < topic.partitionCount(); p++) {
            Optional<PartitionState> state = metadata.partitionState(new TopicPartition(topic.name(), p));
            MetadataResponsePartition partition = new MetadataResponsePartition().setPartitionIndex(p);
            if (state.isEmpty()) { // the topic's partitions are being written: clients retry
                partition.setErrorCode(ErrorCode.LEADER_NOT_AVAILABLE.code()).setLeaderId(-1).setLeaderEpoch(-1);
                out.partitions().add(partition);
                continue;
            }
            PartitionState s = state.get();
            List<Integer> offline = new ArrayList<>();
            for (int r : s.replicas()) {
                if (!live.contains(r)) {
                    offline.add(r);
                }
            }
            partition.setLeaderEpoch(s.leaderEpoch()).setReplicaNodes(new ArrayList<>(s.replicas()))
                    .setIsrNodes(new ArrayList<>(s.isr())).setOfflineReplicas(offline);
            if (s.online() && live.contains(s.leader())) {
                partition.setErrorCode(ErrorCode.NONE.code()).setLeaderId(s.leader());
            } else { // no leader, or one whose registration is gone: clients wait for the next election
                partition.setErrorCode(ErrorCode.LEADER_NOT_AVAILABLE.code()).setLeaderId(-1);
            }
            out.partitions().add(partition);
        }
        return out;
    }
}
