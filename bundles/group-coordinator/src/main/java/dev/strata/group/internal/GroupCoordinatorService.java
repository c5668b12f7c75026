package dev.strata.group.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.FindCoordinatorResult;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.api.group.GroupDescription;
import dev.strata.api.group.GroupListing;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator without OSGi: creates {@code __consumer_offsets}, loads the groups of each of its partitions
 * this broker leads, then serves the {@link GroupCoordinator} API for them through {@link GroupManager} and
 * {@link OffsetManager}. As the partitions' leadership moves (the metadata store's partitionStatesChanged) it loads
 * the ones it gains and forgets the groups of the ones it loses; a group whose partition is not led here gets
 * NOT_COORDINATOR, one whose partition is loading COORDINATOR_LOAD_IN_PROGRESS (as Kafka's coordinator). One
 * scheduler thread runs the loads and unloads (so they are ordered), all group timers and the retention check.
 * Thread-safe.
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
    private final GroupLoader loader;
    /** Completes once the topic exists and the partitions led here at start are loaded. */
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();
    /** The offsets partitions led here: loading or loaded; absent ones are not coordinated here. */
    private final Map<Integer, Boolean> owned = new java.util.concurrent.ConcurrentHashMap<>();
    /** Whether the offsets topic exists and the first load ran: until then every group is loading. */
    private volatile boolean topicReady;
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
        this.loader = new GroupLoader(groups, groupManager, settings.offsetsLoadBufferSize());
        this.offsetManager = new OffsetManager(groups, groupManager,
                tp -> broker.metadata().partitionState(tp).isPresent());
    }

    /**
     * Drops offsets of deleted topics and follows the leadership of the offsets partitions; called on the metadata
     * store's thread, so the work goes to the scheduler.
     */
    private final MetadataListener topicListener = new MetadataListener() {
        @Override
        public void partitionStatesChanged(Collection<PartitionState> states) {
            for (PartitionState s : states) {
                if (!closed && OFFSETS_TOPIC.equals(s.tp().topic())) {
                    int p = s.tp().partition();
                    try {
                        scheduler.execute(() -> leadershipChanged(p));
                    } catch (java.util.concurrent.RejectedExecutionException ignored) {
                        // closing
                    }
                }
            }
        }

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

    /** Creates the topic if needed, then loads the partitions this broker leads; retried until it works. */
    private void load() {
        if (closed) {
            return;
        }
        try {
            int partitions = groups.topic.ensureTopic(settings.offsetsTopicPartitions(),
                    settings.offsetsTopicReplicationFactor());
            groups.partitions(partitions);
            long t0 = System.nanoTime();
            int led = 0;
            for (int p = 0; p < partitions; p++) {
                if (closed) {
                    return; // closing: the next activation loads again
                }
                if (leadsHere(p)) {
                    owned.put(p, Boolean.FALSE);
                    led++;
                }
            }
            topicReady = true;
            long records = 0;
            for (int p = 0; p < partitions && !closed; p++) {
                if (owned.containsKey(p)) {
                    records += loadPartition(p);
                }
            }
            LOG.info("Loaded {} records of {} partition(s) of {} led by this broker (of {}) into {} groups in {} ms",
                    records, led, OFFSETS_TOPIC, partitions, groups.all().size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            loaded.complete(null);
            long interval = settings.offsetsRetentionCheckIntervalMs();
            scheduler.scheduleWithFixedDelay(this::expireOffsets, interval, interval, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            if (closed) {
                return;
            }
            LOG.warn("Creating {} failed; retrying in {} ms", OFFSETS_TOPIC, LOAD_RETRY_MS, e);
            retry(this::load);
        }
    }

    private boolean leadsHere(int partition) {
        return broker.metadata().partitionState(new TopicPartition(OFFSETS_TOPIC, partition))
                .map(s -> s.leader() == broker.metadata().localBrokerId()).orElse(false);
    }

    /** On the scheduler: the leadership of an offsets partition changed; load or unload it accordingly. */
    private void leadershipChanged(int partition) {
        if (closed || !topicReady) {
            return; // the first load reads the leadership as it is then
        }
        boolean leads = leadsHere(partition);
        if (leads && !owned.containsKey(partition)) {
            owned.put(partition, Boolean.FALSE);
            long t0 = System.nanoTime();
            long records = loadPartition(partition);
            if (owned.get(partition) == Boolean.TRUE) {
                LOG.info("Became coordinator of {}-{}: loaded {} records in {} ms", OFFSETS_TOPIC, partition,
                        records, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            }
        } else if (!leads && owned.containsKey(partition)) {
            unloadPartition(partition);
        }
    }

    /**
     * On the scheduler: reads one offsets partition and installs its groups, then serves them. A failure is retried
     * while this broker still leads the partition (it stays loading meanwhile).
     *
     * @return the records read
     */
    private long loadPartition(int partition) {
        long records;
        try {
            records = loader.load(partition);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return 0;
            }
            if (closed) {
                return 0;
            }
            LOG.warn("Loading {}-{} failed; retrying in {} ms while this broker leads it", OFFSETS_TOPIC, partition,
                    LOAD_RETRY_MS, e);
            retry(() -> {
                if (!closed && owned.get(partition) == Boolean.FALSE && leadsHere(partition)) {
                    loadPartition(partition);
                } else if (!closed && owned.get(partition) == Boolean.FALSE) {
                    owned.remove(partition);
                }
            });
            return 0;
        }
        owned.put(partition, Boolean.TRUE);
        return records;
    }

    /**
     * On the scheduler: this broker no longer leads the offsets partition: its groups are forgotten (their members'
     * pending joins and syncs answered NOT_COORDINATOR, timers cancelled); the new leader loads them from the log.
     */
    private void unloadPartition(int partition) {
        owned.remove(partition);
        int removed = 0;
        for (ClassicGroup g : List.copyOf(groups.all())) {
            if (g.offsetsPartition() == partition) {
                groups.locked(g, () -> evict(g));
                groups.remove(g);
                removed++;
            }
        }
        LOG.info("No longer coordinator of {}-{}: unloaded {} group(s)", OFFSETS_TOPIC, partition, removed);
    }

    /** Cancels the group's timers and answers its members' pending joins and syncs. Call under the group's lock. */
    private void evict(ClassicGroup g) {
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
    }

    private void retry(Runnable task) {
        try {
            scheduler.schedule(task, LOAD_RETRY_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // closed meanwhile
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
            groups.locked(g, () -> evict(g));
        }
    }

    // ------------------------------------------------------------------ GroupCoordinator

    /**
     * NONE when this broker coordinates the group now; NOT_COORDINATOR when another broker leads its offsets
     * partition (or this coordinator is stopped); COORDINATOR_LOAD_IN_PROGRESS while that partition is loading. A null
     * id is left to the API's own validation.
     */
    private ErrorCode unavailable(String groupId) {
        if (closed) {
            return ErrorCode.NOT_COORDINATOR;
        }
        if (!topicReady) {
            return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
        }
        if (groupId == null) {
            return ErrorCode.NONE;
        }
        Boolean state = owned.get(groups.partitionFor(groupId));
        return state == null ? ErrorCode.NOT_COORDINATOR
                : state ? ErrorCode.NONE : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    }

    /** Whether this broker coordinates (has loaded) the groups of offsets partition {@code partition} now. */
    boolean coordinates(int partition) {
        return owned.get(partition) == Boolean.TRUE;
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
        ErrorCode e = unavailable(request.groupId());
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
        ErrorCode e = unavailable(request.groupId());
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
        ErrorCode e = unavailable(groupId);
        if (e == ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
            return ErrorCode.NONE; // as Kafka: answer blindly while loading; clients do not expect this error here
        }
        return e != ErrorCode.NONE ? e : guard("Heartbeat",
                () -> groupManager.heartbeat(groupId, generationId, memberId, groupInstanceId),
                () -> ErrorCode.UNKNOWN_SERVER_ERROR);
    }

    @Override
    public LeaveGroupResult leaveGroup(String groupId, List<LeaveGroupMember> members) {
        ErrorCode e = unavailable(groupId);
        return e != ErrorCode.NONE ? new LeaveGroupResult(e, List.of()) : guard("LeaveGroup",
                () -> groupManager.leave(groupId, members),
                () -> new LeaveGroupResult(ErrorCode.UNKNOWN_SERVER_ERROR, List.of()));
    }

    @Override
    public CompletableFuture<OffsetCommitResult> commitOffsets(OffsetCommitRequest request) {
        ErrorCode e = unavailable(request.groupId());
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
        ErrorCode e = unavailable(groupId);
        return e != ErrorCode.NONE ? OffsetFetchResult.error(e) : guard("OffsetFetch",
                () -> offsetManager.fetch(groupId, partitions),
                () -> OffsetFetchResult.error(ErrorCode.UNKNOWN_SERVER_ERROR));
    }

    @Override
    public List<GroupDescription> describeGroups(List<String> groupIds) {
        List<GroupDescription> out = new ArrayList<>();
        for (String id : groupIds) {
            ErrorCode unavailable = unavailable(id);
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
        // As Kafka: the groups of the offsets partitions led here, or COORDINATOR_LOAD_IN_PROGRESS while one loads.
        ErrorCode e = closed ? ErrorCode.NOT_COORDINATOR : !topicReady || owned.containsValue(Boolean.FALSE)
                ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE;
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
        // Each group is answered by its own coordinator's state; the ones coordinated here are deleted together.
        Map<String, ErrorCode> refused = new LinkedHashMap<>();
        List<String> here = new ArrayList<>();
        for (String id : groupIds) {
            ErrorCode e = unavailable(id);
            if (e != ErrorCode.NONE) {
                refused.put(id, e);
            } else {
                here.add(id);
            }
        }
        if (here.isEmpty()) {
            return CompletableFuture.completedFuture(refused);
        }
        CompletableFuture<Map<String, ErrorCode>> deleted = guard("DeleteGroups",
                () -> offsetManager.deleteGroups(here), () -> {
                    Map<String, ErrorCode> out = new LinkedHashMap<>();
                    here.forEach(id -> out.put(id, ErrorCode.UNKNOWN_SERVER_ERROR));
                    return CompletableFuture.completedFuture(out);
                });
        return refused.isEmpty() ? deleted : deleted.thenApply(results -> {
            Map<String, ErrorCode> out = new LinkedHashMap<>();
            for (String id : groupIds) {
                out.put(id, refused.containsKey(id) ? refused.get(id) : results.get(id));
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<OffsetDeleteResult> deleteOffsets(String groupId, List<TopicPartition> partitions) {
        ErrorCode e = unavailable(groupId);
        if (e != ErrorCode.NONE) {
            return CompletableFuture.completedFuture(new OffsetDeleteResult(e, Map.of()));
        }
        return guard("OffsetDelete", () -> offsetManager.deleteOffsets(groupId, partitions),
                () -> CompletableFuture.completedFuture(new OffsetDeleteResult(ErrorCode.UNKNOWN_SERVER_ERROR,
                        Map.of())));
    }
}
