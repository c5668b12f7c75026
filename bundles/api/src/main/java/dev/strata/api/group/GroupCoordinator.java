package dev.strata.api.group;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Consumer groups with Kafka's classic group protocol, and the offsets groups commit, stored in the internal topic
 * {@code __consumer_offsets}. Registered as an OSGi service by the group-coordinator bundle; the Kafka protocol
 * bundle maps each group API onto one method. Semantics (error codes, states, generations, static membership,
 * member-id-required first join) follow Kafka's classic group coordinator.
 *
 * <p>Until the coordinator has loaded {@code __consumer_offsets} after start, group methods answer
 * COORDINATOR_LOAD_IN_PROGRESS (retriable) — except, as in Kafka, Heartbeat (NONE) and SyncGroup
 * (REBALANCE_IN_PROGRESS), whose clients do not expect that error. Group ids: JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup and OffsetDelete need a non-empty id; OffsetCommit, OffsetFetch, DescribeGroups and DeleteGroups also
 * accept "" (old clients commit under it); null is INVALID_GROUP_ID. Futures never complete exceptionally: errors
 * come back as results.
 * Implementations are thread-safe and never block the caller on other members: waits (a join waiting for the
 * rebalance, a follower's sync waiting for the leader) are futures.
 */
// The group-coordinator bundle implements it; the protocol bundle only calls it.
@ProviderType
public interface GroupCoordinator {

    /** The internal topic holding committed offsets and group metadata. */
    String OFFSETS_TOPIC = "__consumer_offsets";

    /**
     * The broker coordinating {@code groupId}: the leader of partition {@code abs(groupId.hashCode()) % partitions}
     * of {@code __consumer_offsets}.
     */
    FindCoordinatorResult findCoordinator(String groupId);

    /**
     * Joins (or rejoins) a group. Completes when the rebalance completes: with the generation, the chosen protocol,
     * the leader, and for the leader the members' metadata. Errors: INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT,
     * INCONSISTENT_GROUP_PROTOCOL, MEMBER_ID_REQUIRED (with the id to use), UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID,
     * GROUP_MAX_SIZE_REACHED, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE.
     */
    CompletableFuture<JoinGroupResult> joinGroup(JoinGroupRequest request);

    /**
     * Sends the leader's assignment or waits for it. Completes when the leader's assignment is stored. Errors:
     * UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID, INCONSISTENT_GROUP_PROTOCOL.
     */
    CompletableFuture<SyncGroupResult> syncGroup(SyncGroupRequest request);

    /**
     * Keeps a member alive. NONE, or REBALANCE_IN_PROGRESS (rejoin), UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION,
     * FENCED_INSTANCE_ID, COORDINATOR_LOAD_IN_PROGRESS.
     */
    ErrorCode heartbeat(String groupId, int generationId, String memberId, String groupInstanceId);

    /** Removes members (dynamic by member id, static by instance id) and rebalances the rest. */
    LeaveGroupResult leaveGroup(String groupId, List<LeaveGroupMember> members);

    /**
     * Commits offsets. Checks the generation and member first (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
     * REBALANCE_IN_PROGRESS while the group is completing a rebalance, FENCED_INSTANCE_ID), then each partition
     * (UNKNOWN_TOPIC_OR_PARTITION, OFFSET_METADATA_TOO_LARGE). Completes when the commit is durable in the log.
     */
    CompletableFuture<OffsetCommitResult> commitOffsets(OffsetCommitRequest request);

    /**
     * Committed offsets of a group.
     *
     * @param partitions the partitions to look up, or null for every partition the group has committed
     * @param requireStable KIP-447: wait for pending transactional commits; ignored (no transactional commits yet)
     */
    OffsetFetchResult fetchOffsets(String groupId, Collection<TopicPartition> partitions, boolean requireStable);

    /**
     * One description per requested group, in request order. An unknown group is described as Dead with error
     * GROUP_ID_NOT_FOUND: DescribeGroups v6+ sends that code; older versions answer NONE with state "Dead".
     */
    List<GroupDescription> describeGroups(List<String> groupIds);

    /**
     * Every group, or those in one of {@code states} when that is non-empty, sorted by id.
     *
     * @throws dev.strata.api.common.StrataException COORDINATOR_LOAD_IN_PROGRESS while loading, NOT_COORDINATOR
     *     when stopped
     */
    List<GroupListing> listGroups(Set<GroupState> states);

    /**
     * Deletes empty groups with their offsets. Per group: NONE, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP,
     * INVALID_GROUP_ID, COORDINATOR_LOAD_IN_PROGRESS. Completes when the deletions are in the log.
     */
    CompletableFuture<Map<String, ErrorCode>> deleteGroups(List<String> groupIds);

    /**
     * Deletes committed offsets of a group. Group-level GROUP_ID_NOT_FOUND or NON_EMPTY_GROUP (a non-consumer group
     * with members); per partition GROUP_SUBSCRIBED_TO_TOPIC while a member's subscription names the topic.
     */
    CompletableFuture<OffsetDeleteResult> deleteOffsets(String groupId, List<TopicPartition> partitions);
}
