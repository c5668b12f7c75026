package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.FindCoordinatorResult;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.api.group.GroupDescription;
import dev.strata.api.group.GroupListing;
import dev.strata.api.group.GroupProtocol;
import dev.strata.api.group.GroupState;
import dev.strata.api.group.JoinGroupMember;
import dev.strata.api.group.JoinGroupRequest;
import dev.strata.api.group.LeaveGroupMember;
import dev.strata.api.group.LeaveGroupResult;
import dev.strata.api.group.MemberDescription;
import dev.strata.api.group.OffsetAndMetadata;
import dev.strata.api.group.OffsetCommitRequest;
import dev.strata.api.group.SyncGroupRequest;
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.protocol.kafka.api.KafkaListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * The classic consumer-group APIs, each mapped onto one {@link GroupCoordinator} method: FindCoordinator, JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, DescribeGroups, ListGroups, DeleteGroups, OffsetDelete (OffsetFetch
 * is in {@link OffsetFetchHandler}). The coordinator is looked up per request; the decoder only lets these APIs in
 * while one is present, and a coordinator that left in between fails the request (closing the connection).
 * Stateless, thread-safe.
 */
final class GroupHandler {
    /** FindCoordinator key types. */
    private static final byte KEY_TYPE_GROUP = 0;
    private static final byte KEY_TYPE_TRANSACTION = 1;

    private final Supplier<GroupCoordinator> coordinators;
    private final KafkaListener listener;
    private final Supplier<Integer> localBrokerId;

    GroupHandler(Supplier<GroupCoordinator> coordinators, KafkaListener listener, Supplier<Integer> localBrokerId) {
        this.coordinators = coordinators;
        this.listener = listener;
        this.localBrokerId = localBrokerId;
    }

    GroupCoordinator coordinator() {
        GroupCoordinator c = coordinators.get();
        if (c == null) {
            // Not up yet (container starting) or gone (its bundle stopped): the dispatcher closes the connection, and
            // the client looks for its coordinator again (FindCoordinator answers COORDINATOR_NOT_AVAILABLE).
            throw new org.apache.kafka.common.errors.CoordinatorNotAvailableException(
                    "The group coordinator is not available");
        }
        return c;
    }

    FindCoordinatorResponseData findCoordinator(FindCoordinatorRequestData request, short version) {
        FindCoordinatorResponseData response = new FindCoordinatorResponseData().setThrottleTimeMs(0);
        if (version < 4) {
            FindCoordinatorResponseData.Coordinator c = find(request.key(), request.keyType(), version);
            return response.setErrorCode(c.errorCode()).setErrorMessage(c.errorMessage()).setNodeId(c.nodeId())
                    .setHost(c.host()).setPort(c.port());
        }
        for (String key : request.coordinatorKeys()) {
            response.coordinators().add(find(key, request.keyType(), version));
        }
        return response;
    }

    private FindCoordinatorResponseData.Coordinator find(String key, byte keyType, short version) {
        FindCoordinatorResponseData.Coordinator out = new FindCoordinatorResponseData.Coordinator().setKey(key)
                .setNodeId(-1).setHost("").setPort(-1);
        if (keyType == KEY_TYPE_TRANSACTION) {
            return out.setErrorCode(transactionsRefused(version).code()).setErrorMessage(
                    "Transactions are not supported by this broker yet (no transaction coordinator for '" + key
                            + "')");
        }
        if (keyType != KEY_TYPE_GROUP) {
            return out.setErrorCode(ErrorCode.INVALID_REQUEST.code())
                    .setErrorMessage("Unknown coordinator key type " + keyType);
        }
        GroupCoordinator current = coordinators.get();
        if (current == null) {
            // Advertised while the container starts, before the coordinator is up: retriable, so clients look again.
            return out.setErrorCode(ErrorCode.COORDINATOR_NOT_AVAILABLE.code())
                    .setErrorMessage("The group coordinator is not available yet");
        }
        FindCoordinatorResult result = current.findCoordinator(key);
        BrokerInfo node = result.coordinator();
        if (result.error() != ErrorCode.NONE || node == null) {
            ErrorCode error = result.error() == ErrorCode.NONE ? ErrorCode.COORDINATOR_NOT_AVAILABLE : result.error();
            return out.setErrorCode(error.code()).setErrorMessage(error.name());
        }
        // This broker is reached at its advertised listener, whatever the metadata store recorded for it.
        boolean local = node.id() == localBrokerId.get();
        return out.setErrorCode(ErrorCode.NONE.code()).setErrorMessage(null).setNodeId(node.id())
                .setHost(local ? listener.host() : node.host()).setPort(local ? listener.port() : node.port());
    }

    /**
     * How a transaction coordinator lookup is refused so that the client gives up at once, with our message, rather
     * than retry until its timeout. Batched lookups (v4+, KIP-699: kafka-clients 3.0 and later) get INVALID_REQUEST,
     * which kafka-clients reports with the broker's message. Single lookups (v0-v3: librdkafka, KafkaJS, older Java
     * clients) get TRANSACTIONAL_ID_AUTHORIZATION_FAILED: the only code librdkafka treats as final there (it appends
     * the broker's message), and final in KafkaJS and kafka-clients too.
     */
    static ErrorCode transactionsRefused(short findCoordinatorVersion) {
        return findCoordinatorVersion >= 4 ? ErrorCode.INVALID_REQUEST
                : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    }

    CompletableFuture<JoinGroupResponseData> joinGroup(JoinGroupRequestData request, short version,
                                                       RequestContext context) {
        List<GroupProtocol> protocols = new ArrayList<>();
        request.protocols().forEach(p -> protocols.add(new GroupProtocol(p.name(), p.metadata())));
        JoinGroupRequest join = new JoinGroupRequest(request.groupId(), request.memberId(),
                request.groupInstanceId(), request.protocolType(), protocols, request.sessionTimeoutMs(),
                version >= 1 ? request.rebalanceTimeoutMs() : -1, context.clientId(), clientHost(context),
                version >= 4, request.reason());
        return coordinator().joinGroup(join).thenApply(r -> {
            JoinGroupResponseData out = new JoinGroupResponseData().setThrottleTimeMs(0)
                    .setErrorCode(r.error().code()).setGenerationId(r.generationId())
                    .setProtocolType(r.protocolType())
                    // Non-nullable before v7.
                    .setProtocolName(r.protocolName() == null && version < 7 ? "" : r.protocolName())
                    .setLeader(r.leader() == null ? "" : r.leader()).setSkipAssignment(r.skipAssignment())
                    .setMemberId(r.memberId() == null ? "" : r.memberId());
            for (JoinGroupMember m : r.members()) {
                out.members().add(new JoinGroupResponseData.JoinGroupResponseMember().setMemberId(m.memberId())
                        .setGroupInstanceId(m.groupInstanceId()).setMetadata(m.metadata()));
            }
            return out;
        });
    }

    CompletableFuture<SyncGroupResponseData> syncGroup(SyncGroupRequestData request, short version) {
        Map<String, byte[]> assignments = new HashMap<>();
        request.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
        SyncGroupRequest sync = new SyncGroupRequest(request.groupId(), request.generationId(), request.memberId(),
                request.groupInstanceId(), version >= 5 ? request.protocolType() : null,
                version >= 5 ? request.protocolName() : null, assignments);
        return coordinator().syncGroup(sync).thenApply(r -> new SyncGroupResponseData().setThrottleTimeMs(0)
                .setErrorCode(r.error().code()).setProtocolType(r.protocolType()).setProtocolName(r.protocolName())
                .setAssignment(r.assignment() == null ? new byte[0] : r.assignment()));
    }

    HeartbeatResponseData heartbeat(HeartbeatRequestData request) {
        ErrorCode error = coordinator().heartbeat(request.groupId(), request.generationId(), request.memberId(),
                request.groupInstanceId());
        return new HeartbeatResponseData().setThrottleTimeMs(0).setErrorCode(error.code());
    }

    LeaveGroupResponseData leaveGroup(LeaveGroupRequestData request, short version) {
        List<LeaveGroupMember> members = new ArrayList<>();
        if (version < 3) {
            members.add(new LeaveGroupMember(request.memberId(), null, null));
        } else {
            request.members().forEach(m -> members.add(new LeaveGroupMember(m.memberId(), m.groupInstanceId(),
                    m.reason())));
        }
        LeaveGroupResult result = coordinator().leaveGroup(request.groupId(), members);
        LeaveGroupResponseData out = new LeaveGroupResponseData().setThrottleTimeMs(0)
                .setErrorCode(result.error().code());
        if (version < 3) {
            // Old versions carry one error: the group's, else the single member's.
            if (result.error() == ErrorCode.NONE && !result.members().isEmpty()) {
                out.setErrorCode(result.members().get(0).error().code());
            }
            return out;
        }
        for (LeaveGroupResult.MemberResult m : result.members()) {
            out.members().add(new LeaveGroupResponseData.MemberResponse().setMemberId(m.memberId())
                    .setGroupInstanceId(m.groupInstanceId()).setErrorCode(m.error().code()));
        }
        return out;
    }

    CompletableFuture<OffsetCommitResponseData> commitOffsets(OffsetCommitRequestData request) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        // Partitions that cannot even be named (negative index) are answered without asking the coordinator.
        Map<String, Map<Integer, ErrorCode>> invalid = new HashMap<>();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : request.topics()) {
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                if (p.partitionIndex() < 0 || t.name() == null) {
                    invalid.computeIfAbsent(t.name(), k -> new HashMap<>())
                            .put(p.partitionIndex(), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
                } else {
                    offsets.put(new TopicPartition(t.name(), p.partitionIndex()), new OffsetAndMetadata(
                            p.committedOffset(), p.committedLeaderEpoch(), p.committedMetadata()));
                }
            }
        }
        OffsetCommitRequest commit = new OffsetCommitRequest(request.groupId(), request.generationIdOrMemberEpoch(),
                request.memberId(), request.groupInstanceId(), offsets);
        return coordinator().commitOffsets(commit).thenApply(result -> {
            OffsetCommitResponseData out = new OffsetCommitResponseData().setThrottleTimeMs(0);
            for (OffsetCommitRequestData.OffsetCommitRequestTopic t : request.topics()) {
                OffsetCommitResponseData.OffsetCommitResponseTopic topic =
                        new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(t.name());
                out.topics().add(topic);
                for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                    ErrorCode error = invalid.getOrDefault(t.name(), Map.of()).get(p.partitionIndex());
                    if (error == null) {
                        error = result.errors().getOrDefault(new TopicPartition(t.name(), p.partitionIndex()),
                                ErrorCode.UNKNOWN_SERVER_ERROR);
                    }
                    topic.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                            .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
                }
            }
            return out;
        });
    }

    DescribeGroupsResponseData describeGroups(DescribeGroupsRequestData request, short version) {
        DescribeGroupsResponseData out = new DescribeGroupsResponseData().setThrottleTimeMs(0);
        for (GroupDescription g : coordinator().describeGroups(request.groups())) {
            ErrorCode error = g.error();
            if (error == ErrorCode.GROUP_ID_NOT_FOUND && version < 6) {
                // Before v6 (KIP-1043) an unknown group is answered NONE with state Dead; older admin clients
                // would fail on the code.
                error = ErrorCode.NONE;
            }
            DescribeGroupsResponseData.DescribedGroup group = new DescribeGroupsResponseData.DescribedGroup()
                    .setErrorCode(error.code()).setGroupId(g.groupId())
                    .setGroupState(g.state() == null ? GroupState.DEAD.kafkaName() : g.state().kafkaName())
                    .setProtocolType(nonNull(g.protocolType())).setProtocolData(nonNull(g.protocolName()));
            if (error == ErrorCode.GROUP_ID_NOT_FOUND) {
                group.setErrorMessage("Group " + g.groupId() + " not found."); // v6+, Kafka's words
            } else if (error == ErrorCode.NONE && version >= 3 && request.includeAuthorizedOperations()) {
                group.setAuthorizedOperations(AuthorizedOperations.GROUP);
            }
            for (MemberDescription m : g.members()) {
                group.members().add(new DescribeGroupsResponseData.DescribedGroupMember().setMemberId(m.memberId())
                        .setGroupInstanceId(m.groupInstanceId()).setClientId(nonNull(m.clientId()))
                        .setClientHost(nonNull(m.clientHost()))
                        .setMemberMetadata(m.metadata() == null ? new byte[0] : m.metadata())
                        .setMemberAssignment(m.assignment() == null ? new byte[0] : m.assignment()));
            }
            out.groups().add(group);
        }
        return out;
    }

    ListGroupsResponseData listGroups(ListGroupsRequestData request, short version) {
        ListGroupsResponseData out = new ListGroupsResponseData().setThrottleTimeMs(0)
                .setErrorCode(ErrorCode.NONE.code());
        if (version >= 5 && !request.typesFilter().isEmpty()
                && request.typesFilter().stream().noneMatch("classic"::equalsIgnoreCase)) {
            return out; // Only classic groups exist here.
        }
        Set<GroupState> states = new HashSet<>();
        if (version >= 4) {
            for (String name : request.statesFilter()) {
                GroupState s = GroupState.forKafkaName(name);
                if (s == null) {
                    return out; // A state no classic group can be in matches nothing.
                }
                states.add(s);
            }
        }
        List<GroupListing> listings;
        try {
            listings = coordinator().listGroups(states);
        } catch (StrataException e) {
            return out.setErrorCode(e.error().code()); // COORDINATOR_LOAD_IN_PROGRESS while loading (retriable)
        }
        for (GroupListing g : listings) {
            out.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId(g.groupId())
                    .setProtocolType(nonNull(g.protocolType())).setGroupState(g.state().kafkaName())
                    .setGroupType("classic"));
        }
        return out;
    }

    CompletableFuture<DeleteGroupsResponseData> deleteGroups(DeleteGroupsRequestData request) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(request.groupsNames()));
        return coordinator().deleteGroups(ids).thenApply(errors -> {
            DeleteGroupsResponseData out = new DeleteGroupsResponseData().setThrottleTimeMs(0);
            for (String id : ids) {
                out.results().add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(id)
                        .setErrorCode(errors.getOrDefault(id, ErrorCode.UNKNOWN_SERVER_ERROR).code()));
            }
            return out;
        });
    }

    CompletableFuture<OffsetDeleteResponseData> deleteOffsets(OffsetDeleteRequestData request) {
        List<TopicPartition> partitions = new ArrayList<>();
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        for (OffsetDeleteRequestData.OffsetDeleteRequestTopic t : request.topics()) {
            for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : t.partitions()) {
                byTopic.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(p.partitionIndex());
                if (p.partitionIndex() >= 0) {
                    partitions.add(new TopicPartition(t.name(), p.partitionIndex()));
                }
            }
        }
        return coordinator().deleteOffsets(request.groupId(), partitions).thenApply(result -> {
            OffsetDeleteResponseData out = new OffsetDeleteResponseData().setThrottleTimeMs(0)
                    .setErrorCode(result.error().code());
            if (result.error() != ErrorCode.NONE) {
                return out;
            }
            byTopic.forEach((name, indexes) -> {
                OffsetDeleteResponseData.OffsetDeleteResponseTopic topic =
                        new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(name);
                for (int index : indexes) {
                    ErrorCode error = index < 0 ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
                            : result.partitions().getOrDefault(new TopicPartition(name, index), ErrorCode.NONE);
                    topic.partitions().add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                            .setPartitionIndex(index).setErrorCode(error.code()));
                }
                out.topics().add(topic);
            });
            return out;
        });
    }

    /** Kafka reports a member's host as {@code /address} (the socket address without its port). */
    private static String clientHost(RequestContext context) {
        String address = context.clientAddress();
        int colon = address == null ? -1 : address.lastIndexOf(':');
        return colon > 0 ? address.substring(0, colon) : address;
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
