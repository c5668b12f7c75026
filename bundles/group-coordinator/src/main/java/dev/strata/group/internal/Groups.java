package dev.strata.group.internal;

import dev.strata.api.broker.ProduceResult;
import dev.strata.api.common.ErrorCode;
import dev.strata.group.internal.CoordinatorRecords.GroupValue;
import dev.strata.group.internal.CoordinatorRecords.MemberValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the group and offset managers share: the groups by id, settings, the timer executor, and the writer of
 * group records. Thread-safe: the map is concurrent; a group is only touched inside {@link #locked}.
 */
final class Groups {
    private static final Logger LOG = LoggerFactory.getLogger(Groups.class);

    private final Map<String, ClassicGroup> groups = new ConcurrentHashMap<>();
    final CoordinatorSettings settings;
    final ScheduledExecutorService scheduler;
    final OffsetsTopic topic;
    private volatile int partitions;

    Groups(CoordinatorSettings settings, ScheduledExecutorService scheduler, OffsetsTopic topic) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.topic = topic;
        this.partitions = settings.offsetsTopicPartitions();
    }

    /** Set once the topic exists: its real partition count decides where groups live. */
    void partitions(int count) {
        this.partitions = count;
    }

    int partitions() {
        return partitions;
    }

    /** Kafka's placement: {@code abs(groupId.hashCode()) % partitions} (with abs of MIN_VALUE taken as 0). */
    int partitionFor(String groupId) {
        return partitionFor(groupId, partitions);
    }

    static int partitionFor(String groupId, int partitions) {
        int hash = groupId.hashCode();
        return (hash == Integer.MIN_VALUE ? 0 : Math.abs(hash)) % partitions;
    }

    long nowMs() {
        return System.currentTimeMillis();
    }

    /** INVALID_GROUP_ID for a null or empty id, or one too long for a record key; else NONE. */
    static ErrorCode validateGroupId(String groupId) {
        return groupId == null || groupId.isEmpty() ? ErrorCode.INVALID_GROUP_ID : validateOffsetsGroupId(groupId);
    }

    /**
     * Like {@link #validateGroupId} but accepts the empty id, as Kafka does for OffsetCommit, OffsetFetch,
     * DescribeGroups and DeleteGroups (old clients commit offsets under "").
     */
    static ErrorCode validateOffsetsGroupId(String groupId) {
        if (groupId == null || groupId.getBytes(StandardCharsets.UTF_8).length > Short.MAX_VALUE / 2) {
            return ErrorCode.INVALID_GROUP_ID;
        }
        return ErrorCode.NONE;
    }

    ClassicGroup get(String groupId) {
        return groups.get(groupId);
    }

    ClassicGroup getOrCreate(String groupId) {
        return groups.computeIfAbsent(groupId, id -> new ClassicGroup(id, partitionFor(id), nowMs()));
    }

    void put(ClassicGroup group) {
        groups.put(group.groupId(), group);
    }

    void remove(ClassicGroup group) {
        groups.remove(group.groupId(), group);
    }

    Collection<ClassicGroup> all() {
        return groups.values();
    }

    void clear() {
        groups.clear();
    }

    /**
     * Runs {@code action} holding the group's monitor, then (once this thread holds it no more) the completions the
     * action deferred, so that callers' callbacks never run under the lock.
     */
    <T> T locked(ClassicGroup group, Supplier<T> action) {
        T result;
        List<Runnable> completions = List.of();
        synchronized (group) {
            group.lockDepth++;
            try {
                result = action.get();
            } finally {
                group.lockDepth--;
            }
            if (group.lockDepth == 0) { // not inside an outer locked() of this thread (a write completed inline)
                completions = group.drainDeferred();
            }
        }
        for (Runnable r : completions) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("Completion for group {} failed", group.groupId(), e);
            }
        }
        return result;
    }

    void locked(ClassicGroup group, Runnable action) {
        locked(group, () -> {
            action.run();
            return null;
        });
    }

    /** Schedules {@code action} under the group's lock after {@code delayMs}. */
    ScheduledFuture<?> schedule(ClassicGroup group, long delayMs, Runnable action) {
        try {
            return scheduler.schedule(() -> {
                try {
                    locked(group, action);
                } catch (RuntimeException e) {
                    LOG.error("Timer of group {} failed", group.groupId(), e);
                }
            }, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return null; // shutting down
        }
    }

    // ---- group records

    /** Writes the group's metadata record, with {@code assignments} when given (else the members' current ones). */
    CompletableFuture<ProduceResult> writeGroup(ClassicGroup g, Map<String, byte[]> assignments) {
        List<MemberValue> members = new ArrayList<>();
        for (ClassicGroupMember m : g.members()) {
            byte[] subscription = g.protocolName() == null ? null : m.metadata(g.protocolName());
            byte[] assignment = assignments != null ? assignments.get(m.memberId()) : m.assignment();
            members.add(new MemberValue(m.memberId(), m.groupInstanceId(), m.clientId(), m.clientHost(),
                    m.rebalanceTimeoutMs(), m.sessionTimeoutMs(), subscription == null ? new byte[0] : subscription,
                    assignment == null ? new byte[0] : assignment));
        }
        GroupValue value = new GroupValue(g.protocolType() == null ? "" : g.protocolType(), g.generationId(),
                g.protocolName(), g.leaderId(), g.stateTimestampMs(), members);
        byte[] key = CoordinatorRecords.groupKey(g.groupId());
        return topic.append(g.offsetsPartition(), List.of(new OffsetsTopic.Write(key,
                CoordinatorRecords.groupValue(value))), nowMs());
    }

    /**
     * Kafka's mapping of a failed append to the error a group API answers with: the coordinator is unavailable or
     * moved, or (for an oversized write) {@code tooLarge}.
     */
    static ErrorCode appendError(ErrorCode e, ErrorCode tooLarge) {
        switch (e) {
            case NONE:
                return ErrorCode.NONE;
            case UNKNOWN_TOPIC_OR_PARTITION:
            case NOT_ENOUGH_REPLICAS:
            case NOT_ENOUGH_REPLICAS_AFTER_APPEND:
            case REQUEST_TIMED_OUT:
                return ErrorCode.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER:
            case KAFKA_STORAGE_ERROR:
                return ErrorCode.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE:
            case RECORD_LIST_TOO_LARGE:
            case INVALID_FETCH_SIZE:
                return tooLarge;
            default:
                return e.retriable() ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.UNKNOWN_SERVER_ERROR;
        }
    }
}
