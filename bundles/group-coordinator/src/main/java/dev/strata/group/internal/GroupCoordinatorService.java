package dev.strata.group.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.FindCoordinatorResult;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.api.group.GroupDescription;
import dev.strata.api.group.GroupListing;
import dev.strata.api.group.GroupProtocol;
import dev.strata.api.group.GroupState;
import dev.strata.api.group.JoinGroupRequest;
import dev.strata.api.group.JoinGroupResult;
import dev.strata.api.group.LeaveGroupMember;
import dev.strata.api.group.LeaveGroupResult;
import dev.strata.api.group.MemberDescription;
import dev.strata.api.group.OffsetCommitRequest;
import dev.strata.api.group.OffsetCommitResult;
import dev.strata.api.group.OffsetDeleteResult;
import dev.strata.api.group.OffsetFetchResult;
import dev.strata.api.group.SyncGroupRequest;
import dev.strata.api.group.SyncGroupResult;
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.TopicMetadata;
import dev.strata.api.metadata.PartitionState;
import dev.strata.group.internal.CoordinatorRecords.GroupValue;
import dev.strata.group.internal.CoordinatorRecords.Key;
import dev.strata.group.internal.CoordinatorRecords.MemberValue;
import dev.strata.group.internal.CoordinatorRecords.OffsetValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator without OSGi: creates and loads {@code __consumer_offsets}, then serves the
 * {@link GroupCoordinator} API through {@link GroupManager} and {@link OffsetManager}. One scheduler thread runs
 * the load, all group timers and the retention check. Thread-safe.
 */
public final class GroupCoordinatorService implements GroupCoordinator, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinatorService.class);
    private static final long LOAD_RETRY_MS = 2000;
    private static final long CLOSE_WAIT_MS = 10_000;

    private final Broker broker;
    private final CoordinatorSettings settings;
    private final ScheduledThreadPoolExecutor scheduler;
    private final Groups groups;
    private final GroupManager groupManager;
    private final OffsetManager offsetManager;
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();
    private volatile boolean closed;

    GroupCoordinatorService(Broker broker, CoordinatorSettings settings) {
        this.broker = broker;
        this.settings = settings;
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "strata-group-coordinator");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.groups = new Groups(settings, scheduler, new OffsetsTopic(broker, settings.offsetsCommitTimeoutMs()));
        this.groupManager = new GroupManager(groups);
        this.offsetManager = new OffsetManager(groups, groupManager,
                tp -> broker.metadata().partitionState(tp).isPresent());
    }

    /** Drops offsets of deleted topics; called on the deleting thread, so the work goes to the scheduler. */
    private final MetadataListener topicListener = new MetadataListener() {
        @Override
        public void topicCreated(TopicMetadata topic) {
        }

        @Override
        public void topicDeleted(TopicMetadata topic) {
            if (closed || OFFSETS_TOPIC.equals(topic.name())) {
                return;
            }
            try {
                scheduler.execute(() -> {
                    try {
                        offsetManager.removeOffsetsOfTopic(topic.name());
                    } catch (RuntimeException e) {
                        LOG.error("Removing offsets of deleted topic {} failed", topic.name(), e);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // closing
            }
        }
    };

    /** Creates the offsets topic if needed and loads it in the background; group calls wait for the load. */
    void start() {
        try {
            broker.metadata().addListener(topicListener);
        } catch (RuntimeException e) {
            LOG.warn("Cannot watch topic deletions; offsets of deleted topics stay until they expire", e);
        }
        scheduler.execute(this::load);
    }

    private void load() {
        if (closed) {
            return;
        }
        try {
            int partitions = groups.topic.ensureTopic(settings.offsetsTopicPartitions(),
                    settings.offsetsTopicReplicationFactor());
            groups.partitions(partitions);
            long t0 = System.nanoTime();
            long records = 0;
            Map<String, GroupValue> groupValues = new HashMap<>();
            Map<String, Map<TopicPartition, GroupOffsets.Committed>> offsets = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                if (closed) {
                    return; // closing: the next activation loads again
                }
                records += groups.topic.load(p, settings.offsetsLoadBufferSize(), (offset, key, value) -> {
                    try {
                        Key k = CoordinatorRecords.parseKey(key);
                        if (k.isOffsetKey()) {
                            if (value == null) {
                                Map<TopicPartition, GroupOffsets.Committed> m = offsets.get(k.group());
                                if (m != null) {
                                    m.remove(k.tp());
                                    if (m.isEmpty()) {
                                        offsets.remove(k.group());
                                    }
                                }
                            } else {
                                OffsetValue v = CoordinatorRecords.parseOffsetValue(value);
                                offsets.computeIfAbsent(k.group(), g -> new TreeMap<>()).put(k.tp(),
                                        new GroupOffsets.Committed(v.offset(), v.leaderEpoch(), v.metadata(),
                                                v.commitTimestampMs(), offset));
                            }
                        } else if (value == null) {
                            groupValues.remove(k.group());
                        } else {
                            groupValues.put(k.group(), CoordinatorRecords.parseGroupValue(value));
                        }
                    } catch (IllegalArgumentException e) {
                        LOG.warn("Skipping unreadable record at offset {} of {}: {}", offset, OFFSETS_TOPIC,
                                e.getMessage());
                    }
                });
            }
            installLoaded(groupValues, offsets);
            LOG.info("Loaded {} records of {} ({} partitions) into {} groups in {} ms", records, OFFSETS_TOPIC,
                    partitions, groups.all().size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            loaded.complete(null);
            long interval = settings.offsetsRetentionCheckIntervalMs();
            scheduler.scheduleWithFixedDelay(this::expireOffsets, interval, interval, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            if (closed) {
                return;
            }
            LOG.warn("Loading {} failed; retrying in {} ms", OFFSETS_TOPIC, LOAD_RETRY_MS, e);
            groups.clear();
            try {
                scheduler.schedule(this::load, LOAD_RETRY_MS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // closed meanwhile
            }
        }
    }

    private void installLoaded(Map<String, GroupValue> groupValues,
                               Map<String, Map<TopicPartition, GroupOffsets.Committed>> offsets) {
        groups.clear();
        long now = System.currentTimeMillis();
        java.util.Set<String> ids = new java.util.HashSet<>(groupValues.keySet());
        ids.addAll(offsets.keySet());
        for (String id : ids) {
            ClassicGroup g = new ClassicGroup(id, groups.partitionFor(id), now);
            GroupValue v = groupValues.get(id);
            if (v != null) {
                List<ClassicGroupMember> members = new ArrayList<>();
                if (v.protocolName() != null) {
                    for (MemberValue m : v.members()) {
                        ClassicGroupMember member = new ClassicGroupMember(m.memberId(), m.groupInstanceId(),
                                m.clientId(), m.clientHost(), m.rebalanceTimeoutMs(), m.sessionTimeoutMs(),
                                v.protocolType(), List.of(new GroupProtocol(v.protocolName(), m.subscription())));
                        member.assignment(m.assignment());
                        members.add(member);
                    }
                }
                g.restore(v.generation(), v.protocolType().isEmpty() ? null : v.protocolType(), v.protocolName(),
                        v.leader(), v.currentStateTimestampMs(), members);
            }
            Map<TopicPartition, GroupOffsets.Committed> committed = offsets.get(id);
            if (committed != null) {
                committed.forEach(g.offsets()::put);
            }
            groups.put(g);
            groupManager.restored(g);
        }
    }

    private void expireOffsets() {
        try {
            offsetManager.expireOffsets();
        } catch (RuntimeException e) {
            LOG.error("Offset retention check failed", e);
        }
    }

    /** Waits until the offsets topic is loaded (tests, shell). */
    void awaitLoaded(long timeoutMs) throws TimeoutException, InterruptedException {
        try {
            loaded.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    boolean isLoaded() {
        return loaded.isDone();
    }

    @Override
    public void close() {
        closed = true;
        try {
            broker.metadata().removeListener(topicListener);
        } catch (RuntimeException e) {
            LOG.debug("Removing the topic listener failed", e);
        }
        // shutdown, not shutdownNow: interrupting the scheduler thread in the middle of a log read or append (a load,
        // a retention tombstone, a timer's group record) would close the partition's FileChannel for everyone
        // (ClosedByInterruptException) and leave __consumer_offsets unreadable until the broker restarts. Delayed
        // tasks are dropped; a running one is waited for.
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("A coordinator task is still running {} ms after close; leaving it to finish",
                        CLOSE_WAIT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ClassicGroup g : groups.all()) {
            groups.locked(g, () -> {
                groupManager.cancelTimers(g);
                for (ClassicGroupMember m : g.members()) {
                    if (m.awaitingJoin != null) {
                        CompletableFuture<JoinGroupResult> f = m.awaitingJoin;
                        g.defer(() -> f.complete(JoinGroupResult.error(ErrorCode.NOT_COORDINATOR, m.memberId())));
                        m.awaitingJoin = null;
                    }
                    if (m.awaitingSync != null) {
                        CompletableFuture<SyncGroupResult> f = m.awaitingSync;
                        g.defer(() -> f.complete(SyncGroupResult.error(ErrorCode.NOT_COORDINATOR)));
                        m.awaitingSync = null;
                    }
                }
            });
        }
    }

    // ------------------------------------------------------------------ GroupCoordinator

    private ErrorCode unavailable() {
        if (closed) {
            return ErrorCode.NOT_COORDINATOR;
        }
        return loaded.isDone() ? ErrorCode.NONE : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    }

    @Override
    public FindCoordinatorResult findCoordinator(String groupId) {
        if (groupId == null) {
            return FindCoordinatorResult.error(ErrorCode.INVALID_GROUP_ID);
        }
        if (closed) {
            return FindCoordinatorResult.error(ErrorCode.COORDINATOR_NOT_AVAILABLE);
        }
        int partition = groups.partitionFor(groupId);
        return guard("FindCoordinator", () -> {
            Optional<PartitionState> state = broker.metadata()
                    .partitionState(new TopicPartition(OFFSETS_TOPIC, partition));
            if (state.isEmpty() || state.get().leader() < 0) {
                return FindCoordinatorResult.error(ErrorCode.COORDINATOR_NOT_AVAILABLE);
            }
            for (BrokerInfo b : broker.metadata().liveBrokers()) {
                if (b.id() == state.get().leader()) {
                    return new FindCoordinatorResult(ErrorCode.NONE, partition, b);
                }
            }
            return FindCoordinatorResult.error(ErrorCode.COORDINATOR_NOT_AVAILABLE);
        }, () -> FindCoordinatorResult.error(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    }

    @Override
    public CompletableFuture<JoinGroupResult> joinGroup(JoinGroupRequest request) {
        ErrorCode e = unavailable();
        if (e != ErrorCode.NONE) {
            return CompletableFuture.completedFuture(JoinGroupResult.error(e, request.memberId()));
        }
        return guard("JoinGroup", () -> groupManager.join(request),
                () -> CompletableFuture.completedFuture(JoinGroupResult.error(ErrorCode.UNKNOWN_SERVER_ERROR,
                        request.memberId())));
    }

    /**
     * Runs an API call; an unexpected exception (a bug, or the broker going away mid-call) is logged and answered
     * with {@code fallback} instead of reaching the protocol layer.
     */
    private static <T> T guard(String api, java.util.function.Supplier<T> call,
                               java.util.function.Supplier<T> fallback) {
        try {
            return call.get();
        } catch (RuntimeException ex) {
            LOG.error("{} failed", api, ex);
            return fallback.get();
        }
    }

    @Override
    public CompletableFuture<SyncGroupResult> syncGroup(SyncGroupRequest request) {
        ErrorCode e = unavailable();
        if (e == ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
            // As Kafka: the rebalance state is lost while loading, so the member rejoins (older clients do not
            // expect COORDINATOR_LOAD_IN_PROGRESS from SyncGroup).
            e = ErrorCode.REBALANCE_IN_PROGRESS;
        }
        if (e != ErrorCode.NONE) {
            return CompletableFuture.completedFuture(SyncGroupResult.error(e));
        }
        return guard("SyncGroup", () -> groupManager.sync(request),
                () -> CompletableFuture.completedFuture(SyncGroupResult.error(ErrorCode.UNKNOWN_SERVER_ERROR)));
    }

    @Override
    public ErrorCode heartbeat(String groupId, int generationId, String memberId, String groupInstanceId) {
        ErrorCode e = unavailable();
        if (e == ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
            return ErrorCode.NONE; // as Kafka: answer blindly while loading; clients do not expect this error here
        }
        return e != ErrorCode.NONE ? e : guard("Heartbeat",
                () -> groupManager.heartbeat(groupId, generationId, memberId, groupInstanceId),
                () -> ErrorCode.UNKNOWN_SERVER_ERROR);
    }

    @Override
    public LeaveGroupResult leaveGroup(String groupId, List<LeaveGroupMember> members) {
        ErrorCode e = unavailable();
        return e != ErrorCode.NONE ? new LeaveGroupResult(e, List.of()) : guard("LeaveGroup",
                () -> groupManager.leave(groupId, members),
                () -> new LeaveGroupResult(ErrorCode.UNKNOWN_SERVER_ERROR, List.of()));
    }

    @Override
    public CompletableFuture<OffsetCommitResult> commitOffsets(OffsetCommitRequest request) {
        ErrorCode e = unavailable();
        if (e != ErrorCode.NONE) {
            return CompletableFuture.completedFuture(allFailed(request, e));
        }
        return guard("OffsetCommit", () -> offsetManager.commit(request),
                () -> CompletableFuture.completedFuture(allFailed(request, ErrorCode.UNKNOWN_SERVER_ERROR)));
    }

    private static OffsetCommitResult allFailed(OffsetCommitRequest request, ErrorCode error) {
        Map<TopicPartition, ErrorCode> errors = new HashMap<>();
        request.offsets().keySet().forEach(tp -> errors.put(tp, error));
        return new OffsetCommitResult(errors);
    }

    @Override
    public OffsetFetchResult fetchOffsets(String groupId, Collection<TopicPartition> partitions,
                                          boolean requireStable) {
        ErrorCode e = unavailable();
        return e != ErrorCode.NONE ? OffsetFetchResult.error(e) : guard("OffsetFetch",
                () -> offsetManager.fetch(groupId, partitions),
                () -> OffsetFetchResult.error(ErrorCode.UNKNOWN_SERVER_ERROR));
    }

    @Override
    public List<GroupDescription> describeGroups(List<String> groupIds) {
        ErrorCode unavailable = unavailable();
        List<GroupDescription> out = new ArrayList<>();
        for (String id : groupIds) {
            ErrorCode e = unavailable != ErrorCode.NONE ? unavailable : Groups.validateOffsetsGroupId(id);
            ClassicGroup g = e == ErrorCode.NONE ? groups.get(id) : null;
            if (g == null) {
                out.add(new GroupDescription(e != ErrorCode.NONE ? e : ErrorCode.GROUP_ID_NOT_FOUND, id,
                        GroupState.DEAD, "", "", -1, "", List.of()));
                continue;
            }
            out.add(groups.locked(g, () -> describe(g)));
        }
        return out;
    }

    private static GroupDescription describe(ClassicGroup g) {
        List<MemberDescription> members = new ArrayList<>();
        for (ClassicGroupMember m : g.members()) {
            byte[] metadata = g.protocolName() == null ? null : m.metadata(g.protocolName());
            members.add(new MemberDescription(m.memberId(), m.groupInstanceId(), m.clientId(), m.clientHost(),
                    metadata == null ? new byte[0] : metadata, m.assignment()));
        }
        return new GroupDescription(g.is(GroupState.DEAD) ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.NONE,
                g.groupId(), g.state(), g.protocolType() == null ? "" : g.protocolType(),
                g.protocolName() == null ? "" : g.protocolName(), g.generationId(),
                g.leaderId() == null ? "" : g.leaderId(), members);
    }

    @Override
    public List<GroupListing> listGroups(Set<GroupState> states) {
        ErrorCode e = unavailable();
        if (e != ErrorCode.NONE) {
            throw new StrataException(e, "The group coordinator is " + (closed ? "stopped" : "loading"));
        }
        List<GroupListing> out = new ArrayList<>();
        for (ClassicGroup g : groups.all()) {
            GroupListing l = groups.locked(g, () -> new GroupListing(g.groupId(),
                    g.protocolType() == null ? "" : g.protocolType(), g.state()));
            if (l.state() != GroupState.DEAD && (states == null || states.isEmpty() || states.contains(l.state()))) {
                out.add(l);
            }
        }
        out.sort((a, b) -> a.groupId().compareTo(b.groupId()));
        return out;
    }

    @Override
    public CompletableFuture<Map<String, ErrorCode>> deleteGroups(List<String> groupIds) {
        ErrorCode e = unavailable();
        if (e != ErrorCode.NONE) {
            Map<String, ErrorCode> out = new LinkedHashMap<>();
            groupIds.forEach(id -> out.put(id, e));
            return CompletableFuture.completedFuture(out);
        }
        return guard("DeleteGroups", () -> offsetManager.deleteGroups(groupIds), () -> {
            Map<String, ErrorCode> out = new LinkedHashMap<>();
            groupIds.forEach(id -> out.put(id, ErrorCode.UNKNOWN_SERVER_ERROR));
            return CompletableFuture.completedFuture(out);
        });
    }

    @Override
    public CompletableFuture<OffsetDeleteResult> deleteOffsets(String groupId, List<TopicPartition> partitions) {
        ErrorCode e = unavailable();
        if (e != ErrorCode.NONE) {
            return CompletableFuture.completedFuture(new OffsetDeleteResult(e, Map.of()));
        }
        return guard("OffsetDelete", () -> offsetManager.deleteOffsets(groupId, partitions),
                () -> CompletableFuture.completedFuture(new OffsetDeleteResult(ErrorCode.UNKNOWN_SERVER_ERROR,
                        Map.of())));
    }
}
