package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.api.logging.LoggerLevels;
import dev.strata.api.quota.QuotaManager;
import dev.strata.protocol.kafka.api.KafkaListener;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes a decoded request to the handler of its API and encodes the answer for the wire (response header version
 * per API and version). Runs on request-handler threads; the handlers are stateless, so this class is thread-safe.
 */
final class KafkaApis {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaApis.class);

    private final ApiVersionsHandler apiVersions;
    private final MetadataHandler metadata;
    private final ProduceHandler produce;
    private final FetchHandler fetch;
    private final ListOffsetsHandler listOffsets;
    private final TopicAdminHandler topicAdmin;
    private final PartitionAdminHandler partitionAdmin;
    private final ConfigsHandler configs;
    private final GroupHandler groups;
    private final OffsetFetchHandler offsetFetch;
    private final DescribeClusterHandler describeCluster;
    private final ElectLeadersHandler electLeaders;
    private final RequestQuotas quotas;

    /** @param groupCoordinator the current group coordinator service, or null while there is none */
    KafkaApis(Broker broker, KafkaListener listener, Supplier<GroupCoordinator> groupCoordinator) {
        this(broker, listener, groupCoordinator, () -> null);
    }

    /** @param quotaManager the current quota manager service, or null while there is none (nobody is throttled) */
    KafkaApis(Broker broker, KafkaListener listener, Supplier<GroupCoordinator> groupCoordinator,
              Supplier<QuotaManager> quotaManager) {
        this(broker, listener, groupCoordinator, quotaManager, () -> null);
    }

    /** @param loggerLevels the logging backend's loggers while there is one, else null (BROKER_LOGGER refused) */
    KafkaApis(Broker broker, KafkaListener listener, Supplier<GroupCoordinator> groupCoordinator,
              Supplier<QuotaManager> quotaManager, Supplier<LoggerLevels> loggerLevels) {
        this.quotas = new RequestQuotas(quotaManager);
        this.apiVersions = new ApiVersionsHandler(() -> groupCoordinator.get() != null);
        this.metadata = new MetadataHandler(broker, listener);
        this.produce = new ProduceHandler(broker);
        this.fetch = new FetchHandler(broker);
        this.listOffsets = new ListOffsetsHandler(broker);
        this.topicAdmin = new TopicAdminHandler(broker);
        this.partitionAdmin = new PartitionAdminHandler(broker);
        this.configs = new ConfigsHandler(broker, loggerLevels);
        this.groups = new GroupHandler(groupCoordinator, listener, () -> broker.metadata().localBrokerId());
        this.offsetFetch = new OffsetFetchHandler(groups);
        this.describeCluster = new DescribeClusterHandler(broker, listener);
        this.electLeaders = new ElectLeadersHandler(broker);
    }

    /**
     * Completes with the encoded response, with {@code null} when the request gets none (acks=0), or with
     * {@link KafkaResponse#CLOSE_CONNECTION}.
     */
    CompletableFuture<KafkaResponse> handle(KafkaRequest request, RequestContext context) {
        if (request.versionUnsupported()) {
            return CompletableFuture.completedFuture(encode(request, apiVersions.unsupportedVersion(), (short) 0));
        }
        long start = System.nanoTime();
        short version = request.version();
        ApiMessage body = request.body();
        if (body instanceof ProduceRequestData produceRequest && produceRequest.acks() == 0) {
            return produce.handle(produceRequest, version, context).thenApply(response -> {
                if (!ProduceHandler.hasErrors(response)) {
                    return null;
                }
                LOG.info("Closing connection from {}: an acks=0 produce failed ({}), so the client must refresh "
                        + "its metadata", context.clientAddress(), request);
                return KafkaResponse.CLOSE_CONNECTION;
            });
        }
        CompletableFuture<? extends ApiMessage> response = switch (request.api()) {
            case API_VERSIONS -> done(apiVersions.handle((ApiVersionsRequestData) body, version));
            case METADATA -> done(metadata.handle((MetadataRequestData) body, version, context));
            case PRODUCE -> produce.handle((ProduceRequestData) body, version, context);
            case FETCH -> fetch.handle((FetchRequestData) body, version, context);
            case LIST_OFFSETS -> done(listOffsets.handle((ListOffsetsRequestData) body, version));
            case CREATE_TOPICS -> done(topicAdmin.createTopics((CreateTopicsRequestData) body, version, context));
            case DELETE_TOPICS -> done(topicAdmin.deleteTopics((DeleteTopicsRequestData) body, version, context));
            case DESCRIBE_CONFIGS -> done(configs.describeConfigs((DescribeConfigsRequestData) body, version));
            case INCREMENTAL_ALTER_CONFIGS -> done(configs.incrementalAlterConfigs(
                    (IncrementalAlterConfigsRequestData) body, context));
            case ALTER_CONFIGS -> done(configs.alterConfigs((AlterConfigsRequestData) body, context));
            case INIT_PRODUCER_ID -> done(produce.initProducerId((InitProducerIdRequestData) body, context));
            case DESCRIBE_CLUSTER -> done(describeCluster.handle((DescribeClusterRequestData) body, version));
            case CREATE_PARTITIONS -> done(partitionAdmin.createPartitions((CreatePartitionsRequestData) body,
                    context));
            case DELETE_RECORDS -> partitionAdmin.deleteRecords((DeleteRecordsRequestData) body, context);
            case DESCRIBE_LOG_DIRS -> done(partitionAdmin.describeLogDirs((DescribeLogDirsRequestData) body,
                    version));
            case DESCRIBE_PRODUCERS -> done(partitionAdmin.describeProducers((DescribeProducersRequestData) body));
            case ELECT_LEADERS -> done(electLeaders.handle((ElectLeadersRequestData) body));
            case FIND_COORDINATOR -> done(groups.findCoordinator((FindCoordinatorRequestData) body, version));
            case JOIN_GROUP -> groups.joinGroup((JoinGroupRequestData) body, version, context);
            case SYNC_GROUP -> groups.syncGroup((SyncGroupRequestData) body, version);
            case HEARTBEAT -> done(groups.heartbeat((HeartbeatRequestData) body));
            case LEAVE_GROUP -> done(groups.leaveGroup((LeaveGroupRequestData) body, version));
            case OFFSET_COMMIT -> groups.commitOffsets((OffsetCommitRequestData) body);
            case OFFSET_FETCH -> done(offsetFetch.handle((OffsetFetchRequestData) body, version));
            case DESCRIBE_GROUPS -> done(groups.describeGroups((DescribeGroupsRequestData) body, version));
            case LIST_GROUPS -> done(groups.listGroups((ListGroupsRequestData) body, version));
            case DELETE_GROUPS -> groups.deleteGroups((DeleteGroupsRequestData) body);
            case OFFSET_DELETE -> groups.deleteOffsets((OffsetDeleteRequestData) body);
            default -> throw new IllegalStateException("no handler for " + request.api());
        };
        long handlerNanos = System.nanoTime() - start; // the handler's own work; waits for data are not counted
        return response.thenApply(message -> {
            if (message == null) {
                return null;
            }
            int throttleMs = quotas.record(request, message, version, context, handlerNanos);
            return encode(request, message, version).throttled(throttleMs);
        });
    }

    private static <T extends ApiMessage> CompletableFuture<T> done(T message) {
        return CompletableFuture.completedFuture(message);
    }

    private static KafkaResponse encode(KafkaRequest request, ApiMessage body, short version) {
        ApiMessageType api = request.api();
        return ZeroCopyResponseWriter.encode(request.correlationId(), body, version,
                api.responseHeaderVersion(version));
    }
}
