package dev.strata.group.internal;

import dev.strata.api.broker.ProduceResult;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.GroupState;
import dev.strata.api.group.OffsetAndMetadata;
import dev.strata.api.group.OffsetCommitRequest;
import dev.strata.api.group.OffsetCommitResult;
import dev.strata.api.group.OffsetDeleteResult;
import dev.strata.api.group.OffsetFetchResult;
import dev.strata.api.group.OffsetFetchResult.PartitionOffset;
import dev.strata.group.internal.CoordinatorRecords.OffsetValue;
import dev.strata.group.internal.GroupOffsets.Committed;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed offsets: OffsetCommit (with Kafka's generation and member checks), OffsetFetch from memory,
 * OffsetDelete, DeleteGroups, and retention of offsets of empty groups. Writes offset records and tombstones;
 * memory changes only once a write is durable. Thread-safe: per-group locks as in {@link GroupManager}.
 */
final class OffsetManager {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetManager.class);
    static final String CONSUMER_PROTOCOL_TYPE = "consumer";

    private final Groups groups;
    private final GroupManager groupManager;
    private final Predicate<TopicPartition> partitionExists;

    OffsetManager(Groups groups, GroupManager groupManager, Predicate<TopicPartition> partitionExists) {
        this.groups = groups;
        this.groupManager = groupManager;
        this.partitionExists = partitionExists;
    }

    // ------------------------------------------------------------------ OffsetCommit

    CompletableFuture<OffsetCommitResult> commit(OffsetCommitRequest req) {
        ErrorCode invalid = Groups.validateOffsetsGroupId(req.groupId());
        if (invalid != ErrorCode.NONE) {
            return CompletableFuture.completedFuture(allFailed(req.offsets().keySet(), invalid));
        }
        ClassicGroup existing = groups.get(req.groupId());
        if (existing == null && req.generationId() >= 0) {
            // A member of a generation the coordinator does not know (e.g. the group was deleted).
            return CompletableFuture.completedFuture(allFailed(req.offsets().keySet(), ErrorCode.ILLEGAL_GENERATION));
        }
        ClassicGroup g = existing != null ? existing : groups.getOrCreate(req.groupId());
        CompletableFuture<OffsetCommitResult> f = new CompletableFuture<>();
        groups.locked(g, () -> {
            ErrorCode error = validateCommit(g, req);
            if (error != ErrorCode.NONE) {
                g.defer(() -> f.complete(allFailed(req.offsets().keySet(), error)));
                return;
            }
            Map<TopicPartition, ErrorCode> results = new LinkedHashMap<>();
            List<TopicPartition> written = new ArrayList<>();
            List<OffsetValue> values = new ArrayList<>();
            List<OffsetsTopic.Write> writes = new ArrayList<>();
            long now = groups.nowMs();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : new java.util.TreeMap<>(req.offsets()).entrySet()) {
                TopicPartition tp = e.getKey();
                OffsetAndMetadata o = e.getValue();
                if (!partitionExists.test(tp)) {
                    results.put(tp, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
                } else if (o.metadata().getBytes(StandardCharsets.UTF_8).length
                        > groups.settings.offsetMetadataMaxBytes()) {
                    results.put(tp, ErrorCode.OFFSET_METADATA_TOO_LARGE);
                } else {
                    OffsetValue v = new OffsetValue(o.offset(), o.leaderEpoch(), o.metadata(), now);
                    written.add(tp);
                    values.add(v);
                    writes.add(new OffsetsTopic.Write(CoordinatorRecords.offsetKey(g.groupId(), tp),
                            CoordinatorRecords.offsetValue(v)));
                }
            }
            if (writes.isEmpty()) {
                g.defer(() -> f.complete(new OffsetCommitResult(results)));
                return;
            }
            groups.topic.append(g.offsetsPartition(), writes, now).whenComplete((r, t) -> groups.locked(g, () -> {
                ErrorCode appendError = t != null ? ErrorCode.UNKNOWN_SERVER_ERROR
                        : Groups.appendError(r.error(), ErrorCode.INVALID_COMMIT_OFFSET_SIZE);
                for (int i = 0; i < written.size(); i++) {
                    TopicPartition tp = written.get(i);
                    if (appendError == ErrorCode.NONE) {
                        OffsetValue v = values.get(i);
                        g.offsets().put(tp, new Committed(v.offset(), v.leaderEpoch(), v.metadata(),
                                v.commitTimestampMs(), r.baseOffset() + i));
                    }
                    results.put(tp, appendError);
                }
                if (appendError != ErrorCode.NONE) {
                    LOG.warn("Commit of group {} failed: {}", g.groupId(), t != null ? t : r.error());
                }
                OffsetCommitResult result = new OffsetCommitResult(results);
                g.defer(() -> f.complete(result));
            }));
        });
        return f;
    }

    /** Kafka's checks for a commit against the group's state, in Kafka's order. */
    private ErrorCode validateCommit(ClassicGroup g, OffsetCommitRequest req) {
        if (g.is(GroupState.DEAD)) {
            return ErrorCode.COORDINATOR_NOT_AVAILABLE;
        }
        if (g.isStaticMemberFenced(req.memberId(), req.groupInstanceId())) {
            return ErrorCode.FENCED_INSTANCE_ID;
        }
        if (req.generationId() < 0 && g.is(GroupState.EMPTY)) {
            return ErrorCode.NONE; // a simple (admin or standalone consumer) commit
        }
        if (!g.hasMember(req.memberId())) {
            return ErrorCode.UNKNOWN_MEMBER_ID;
        }
        if (req.generationId() != g.generationId()) {
            return ErrorCode.ILLEGAL_GENERATION;
        }
        if (g.is(GroupState.COMPLETING_REBALANCE)) {
            // The member knows the new generation from its JoinGroup but the assignment is not out yet.
            return ErrorCode.REBALANCE_IN_PROGRESS;
        }
        groupManager.touch(g, g.member(req.memberId())); // a commit counts as a heartbeat
        return ErrorCode.NONE;
    }

    private static OffsetCommitResult allFailed(Collection<TopicPartition> partitions, ErrorCode error) {
        Map<TopicPartition, ErrorCode> m = new HashMap<>();
        for (TopicPartition tp : partitions) {
            m.put(tp, error);
        }
        return new OffsetCommitResult(m);
    }

    // ------------------------------------------------------------------ OffsetFetch

    OffsetFetchResult fetch(String groupId, Collection<TopicPartition> partitions) {
        ErrorCode invalid = Groups.validateOffsetsGroupId(groupId);
        if (invalid != ErrorCode.NONE) {
            return OffsetFetchResult.error(invalid);
        }
        ClassicGroup g = groups.get(groupId);
        if (g == null) {
            return new OffsetFetchResult(ErrorCode.NONE, noOffsets(partitions));
        }
        return groups.locked(g, () -> {
            if (g.is(GroupState.DEAD)) {
                return new OffsetFetchResult(ErrorCode.NONE, noOffsets(partitions));
            }
            Map<TopicPartition, PartitionOffset> out = new LinkedHashMap<>();
            if (partitions == null) {
                g.offsets().all().forEach((tp, c) -> out.put(tp, toPartitionOffset(c)));
            } else {
                for (TopicPartition tp : partitions) {
                    Committed c = g.offsets().get(tp);
                    out.put(tp, c == null ? PartitionOffset.NONE : toPartitionOffset(c));
                }
            }
            return new OffsetFetchResult(ErrorCode.NONE, out);
        });
    }

    private static PartitionOffset toPartitionOffset(Committed c) {
        return new PartitionOffset(c.offset(), c.leaderEpoch(), c.metadata(), ErrorCode.NONE);
    }

    private static Map<TopicPartition, PartitionOffset> noOffsets(Collection<TopicPartition> partitions) {
        Map<TopicPartition, PartitionOffset> out = new LinkedHashMap<>();
        if (partitions != null) {
            for (TopicPartition tp : partitions) {
                out.put(tp, PartitionOffset.NONE);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ OffsetDelete

    CompletableFuture<OffsetDeleteResult> deleteOffsets(String groupId, List<TopicPartition> partitions) {
        ErrorCode invalid = Groups.validateGroupId(groupId);
        ClassicGroup g = invalid == ErrorCode.NONE ? groups.get(groupId) : null;
        if (g == null) {
            return CompletableFuture.completedFuture(new OffsetDeleteResult(
                    invalid != ErrorCode.NONE ? invalid : ErrorCode.GROUP_ID_NOT_FOUND, Map.of()));
        }
        CompletableFuture<OffsetDeleteResult> f = new CompletableFuture<>();
        groups.locked(g, () -> {
            if (g.is(GroupState.DEAD)) {
                g.defer(() -> f.complete(new OffsetDeleteResult(ErrorCode.GROUP_ID_NOT_FOUND, Map.of())));
                return;
            }
            boolean empty = g.is(GroupState.EMPTY);
            if (!empty && !CONSUMER_PROTOCOL_TYPE.equals(g.protocolType())) {
                g.defer(() -> f.complete(new OffsetDeleteResult(ErrorCode.NON_EMPTY_GROUP, Map.of())));
                return;
            }
            Set<String> subscribed = empty ? Set.of() : subscribedTopics(g);
            Map<TopicPartition, ErrorCode> results = new LinkedHashMap<>();
            List<TopicPartition> deleted = new ArrayList<>();
            List<OffsetsTopic.Write> writes = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                if (subscribed == null || subscribed.contains(tp.topic())) {
                    results.put(tp, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
                } else if (!partitionExists.test(tp)) {
                    results.put(tp, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
                } else {
                    results.put(tp, ErrorCode.NONE);
                    if (g.offsets().get(tp) != null) {
                        deleted.add(tp);
                        writes.add(new OffsetsTopic.Write(CoordinatorRecords.offsetKey(g.groupId(), tp), null));
                    }
                }
            }
            if (writes.isEmpty()) {
                g.defer(() -> f.complete(new OffsetDeleteResult(ErrorCode.NONE, results)));
                return;
            }
            groups.topic.append(g.offsetsPartition(), writes, groups.nowMs()).whenComplete((r, t) ->
                    groups.locked(g, () -> {
                        ErrorCode e = t != null ? ErrorCode.UNKNOWN_SERVER_ERROR
                                : Groups.appendError(r.error(), ErrorCode.UNKNOWN_SERVER_ERROR);
                        if (e == ErrorCode.NONE) {
                            deleted.forEach(g.offsets()::remove);
                        } else {
                            deleted.forEach(tp -> results.put(tp, e));
                        }
                        OffsetDeleteResult result = new OffsetDeleteResult(ErrorCode.NONE, results);
                        g.defer(() -> f.complete(result));
                    }));
        });
        return f;
    }

    /**
     * Topics the members of a consumer group subscribe to, read from their metadata for the chosen protocol (the
     * consumer protocol's subscription: int16 version, then an array of topic names); null when unknown, meaning
     * "could be any".
     */
    static Set<String> subscribedTopics(ClassicGroup g) {
        if (!CONSUMER_PROTOCOL_TYPE.equals(g.protocolType()) || g.protocolName() == null) {
            return null;
        }
        Set<String> topics = new HashSet<>();
        for (ClassicGroupMember m : g.members()) {
            byte[] metadata = m.metadata(g.protocolName());
            if (metadata == null) {
                return null;
            }
            try {
                ByteBuffer b = ByteBuffer.wrap(metadata);
                b.getShort();
                int count = b.getInt();
                if (count < 0 || count > b.remaining() / 2) {
                    return null;
                }
                for (int i = 0; i < count; i++) {
                    int len = b.getShort();
                    if (len < 0 || len > b.remaining()) {
                        return null;
                    }
                    byte[] name = new byte[len];
                    b.get(name);
                    topics.add(new String(name, StandardCharsets.UTF_8));
                }
            } catch (BufferUnderflowException e) {
                return null;
            }
        }
        return topics;
    }

    // ------------------------------------------------------------------ DeleteGroups

    CompletableFuture<Map<String, ErrorCode>> deleteGroups(List<String> groupIds) {
        Map<String, CompletableFuture<ErrorCode>> pending = new LinkedHashMap<>();
        for (String id : groupIds) {
            pending.put(id, deleteGroup(id));
        }
        return CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, ErrorCode> out = new LinkedHashMap<>();
            pending.forEach((id, f) -> out.put(id, f.join()));
            return out;
        });
    }

    private CompletableFuture<ErrorCode> deleteGroup(String groupId) {
        ErrorCode invalid = Groups.validateOffsetsGroupId(groupId);
        if (invalid != ErrorCode.NONE) {
            return CompletableFuture.completedFuture(invalid);
        }
        ClassicGroup g = groups.get(groupId);
        if (g == null) {
            return CompletableFuture.completedFuture(ErrorCode.GROUP_ID_NOT_FOUND);
        }
        return groups.locked(g, () -> {
            if (g.is(GroupState.DEAD)) {
                return CompletableFuture.completedFuture(ErrorCode.GROUP_ID_NOT_FOUND);
            }
            if (!g.is(GroupState.EMPTY)) {
                return CompletableFuture.completedFuture(ErrorCode.NON_EMPTY_GROUP);
            }
            return removeEmptyGroup(g, "deleted");
        });
    }

    /** Marks an empty group Dead and writes tombstones for its offsets and metadata. Holds the group's lock. */
    private CompletableFuture<ErrorCode> removeEmptyGroup(ClassicGroup g, String why) {
        List<OffsetsTopic.Write> writes = new ArrayList<>();
        for (TopicPartition tp : g.offsets().all().keySet()) {
            writes.add(new OffsetsTopic.Write(CoordinatorRecords.offsetKey(g.groupId(), tp), null));
        }
        writes.add(new OffsetsTopic.Write(CoordinatorRecords.groupKey(g.groupId()), null));
        groupManager.cancelTimers(g);
        g.transitionTo(GroupState.DEAD, groups.nowMs());
        g.offsets().clear();
        groups.remove(g);
        LOG.info("Group {} {}", g.groupId(), why);
        return groups.topic.append(g.offsetsPartition(), writes, groups.nowMs())
                .handle((r, t) -> t != null ? ErrorCode.UNKNOWN_SERVER_ERROR
                        : Groups.appendError(r.error(), ErrorCode.UNKNOWN_SERVER_ERROR));
    }

    // ------------------------------------------------------------------ deleted topics

    /** Forgets (and writes tombstones for) every group's offsets of a deleted topic, as Kafka does. */
    void removeOffsetsOfTopic(String topic) {
        int removed = 0;
        for (ClassicGroup g : new ArrayList<>(groups.all())) {
            removed += groups.locked(g, () -> {
                List<TopicPartition> gone = new ArrayList<>();
                for (TopicPartition tp : g.offsets().all().keySet()) {
                    if (tp.topic().equals(topic)) {
                        gone.add(tp);
                    }
                }
                if (gone.isEmpty() || g.is(GroupState.DEAD)) {
                    return 0;
                }
                List<OffsetsTopic.Write> writes = new ArrayList<>();
                for (TopicPartition tp : gone) {
                    writes.add(new OffsetsTopic.Write(CoordinatorRecords.offsetKey(g.groupId(), tp), null));
                    g.offsets().remove(tp);
                }
                groups.topic.append(g.offsetsPartition(), writes, groups.nowMs()).thenAccept(r -> {
                    if (r.error() != ErrorCode.NONE) {
                        LOG.warn("Writing the removal of offsets of deleted topic {} for group {} failed: {}",
                                topic, g.groupId(), r.error());
                    }
                });
                return gone.size();
            });
        }
        if (removed > 0) {
            LOG.info("Removed {} committed offsets of deleted topic {}", removed, topic);
        }
    }

    // ------------------------------------------------------------------ retention

    /**
     * Expires offsets of empty groups: a group used with a protocol loses all its offsets {@code retention} after
     * it became empty; a group that only ever committed (no protocol) loses each offset {@code retention} after its
     * commit. An empty group left without offsets is removed.
     */
    void expireOffsets() {
        long now = groups.nowMs();
        long retention = groups.settings.offsetsRetentionMs();
        for (ClassicGroup g : new ArrayList<>(groups.all())) {
            groups.locked(g, () -> {
                if (!g.is(GroupState.EMPTY) || g.hasPendingMembers()) {
                    return;
                }
                boolean usedProtocol = g.protocolType() != null && !g.protocolType().isEmpty();
                List<TopicPartition> expired = new ArrayList<>();
                g.offsets().all().forEach((tp, c) -> {
                    long base = usedProtocol ? g.stateTimestampMs() : c.commitTimestampMs();
                    if (base + retention <= now) {
                        expired.add(tp);
                    }
                });
                if (expired.size() == g.offsets().all().size()) {
                    removeEmptyGroup(g, "expired: empty and no offsets left").thenAccept(e -> {
                        if (e != ErrorCode.NONE) {
                            LOG.warn("Writing the expiry of group {} failed: {}", g.groupId(), e);
                        }
                    });
                    return;
                }
                if (expired.isEmpty()) {
                    return;
                }
                List<OffsetsTopic.Write> writes = new ArrayList<>();
                for (TopicPartition tp : expired) {
                    writes.add(new OffsetsTopic.Write(CoordinatorRecords.offsetKey(g.groupId(), tp), null));
                    g.offsets().remove(tp);
                }
                LOG.info("Expired {} offsets of group {}", expired.size(), g.groupId());
                groups.topic.append(g.offsetsPartition(), writes, now);
            });
        }
    }
}
