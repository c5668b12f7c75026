package dev.strata.group.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.group.GroupState;
import dev.strata.api.group.JoinGroupMember;
import dev.strata.api.group.JoinGroupRequest;
import dev.strata.api.group.JoinGroupResult;
import dev.strata.api.group.LeaveGroupMember;
import dev.strata.api.group.LeaveGroupResult;
import dev.strata.api.group.SyncGroupRequest;
import dev.strata.api.group.SyncGroupResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership of classic groups: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, and the timers that drive rebalances
 * (initial delay, rebalance timeout) and expire members (session timeout). It moves {@link ClassicGroup}s through
 * their states and writes group metadata records when a generation's assignment is stored or a group becomes empty.
 * Thread-safe: every group is changed under its own lock; timers run on the shared scheduler.
 */
final class GroupManager {
    private static final Logger LOG = LoggerFactory.getLogger(GroupManager.class);

    private final Groups groups;
    private final CoordinatorSettings settings;

    GroupManager(Groups groups) {
        this.groups = groups;
        this.settings = groups.settings;
    }

    // ------------------------------------------------------------------ JoinGroup

    CompletableFuture<JoinGroupResult> join(JoinGroupRequest req) {
        CompletableFuture<JoinGroupResult> f = new CompletableFuture<>();
        ErrorCode invalid = Groups.validateGroupId(req.groupId());
        if (invalid != ErrorCode.NONE) {
            return CompletableFuture.completedFuture(JoinGroupResult.error(invalid, req.memberId()));
        }
        if (req.sessionTimeoutMs() < settings.minSessionTimeoutMs()
                || req.sessionTimeoutMs() > settings.maxSessionTimeoutMs()) {
            return CompletableFuture.completedFuture(JoinGroupResult.error(ErrorCode.INVALID_SESSION_TIMEOUT,
                    req.memberId()));
        }
        boolean newMember = req.memberId().isEmpty();
        ClassicGroup g = newMember ? groups.getOrCreate(req.groupId()) : groups.get(req.groupId());
        if (g == null) {
            return CompletableFuture.completedFuture(JoinGroupResult.error(ErrorCode.UNKNOWN_MEMBER_ID,
                    req.memberId()));
        }
        groups.locked(g, () -> {
            if (g.is(GroupState.DEAD)) {
                complete(g, f, JoinGroupResult.error(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId()));
            } else if (newMember) {
                joinNewMember(g, req, f);
            } else {
                joinKnownMember(g, req, f);
            }
        });
        return f;
    }

    private void joinNewMember(ClassicGroup g, JoinGroupRequest req, CompletableFuture<JoinGroupResult> f) {
        if (!g.supportsProtocols(req.protocolType(), req.protocols())) {
            complete(g, f, JoinGroupResult.error(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, ""));
            return;
        }
        String newId = (req.clientId().isEmpty() ? "member" : req.clientId()) + "-" + UUID.randomUUID();
        if (req.groupInstanceId() != null) {
            String oldId = g.staticMemberId(req.groupInstanceId());
            if (oldId != null) {
                replaceStaticMember(g, oldId, newId, req, f);
                return;
            }
        }
        if (g.size() >= settings.maxGroupSize()) {
            complete(g, f, JoinGroupResult.error(ErrorCode.GROUP_MAX_SIZE_REACHED, ""));
            return;
        }
        if (req.groupInstanceId() == null && req.requireKnownMemberId()) {
            // KIP-394: hand out the id first; the member counts only once it joins with it.
            ScheduledFuture<?> expiry = groups.schedule(g, req.sessionTimeoutMs(), () -> {
                if (g.removePending(newId) != null) {
                    LOG.debug("Pending member {} of group {} did not join in time", newId, g.groupId());
                    if (g.is(GroupState.PREPARING_REBALANCE)) {
                        tryCompleteJoin(g);
                    }
                }
            });
            g.addPending(newId, expiry);
            complete(g, f, JoinGroupResult.error(ErrorCode.MEMBER_ID_REQUIRED, newId));
            return;
        }
        addMemberAndRebalance(g, newId, req, f);
    }

    private void joinKnownMember(ClassicGroup g, JoinGroupRequest req, CompletableFuture<JoinGroupResult> f) {
        String memberId = req.memberId();
        if (g.isPending(memberId)) {
            if (!g.supportsProtocols(req.protocolType(), req.protocols())) {
                complete(g, f, JoinGroupResult.error(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId));
                return;
            }
            cancel(g.removePending(memberId));
            if (g.size() >= settings.maxGroupSize()) {
                complete(g, f, JoinGroupResult.error(ErrorCode.GROUP_MAX_SIZE_REACHED, memberId));
                return;
            }
            addMemberAndRebalance(g, memberId, req, f);
            return;
        }
        ErrorCode error = g.validateMember(memberId, req.groupInstanceId());
        if (error != ErrorCode.NONE) {
            complete(g, f, JoinGroupResult.error(error, memberId));
            return;
        }
        if (!g.supportsProtocols(req.protocolType(), req.protocols())) {
            complete(g, f, JoinGroupResult.error(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId));
            return;
        }
        ClassicGroupMember m = g.member(memberId);
        switch (g.state()) {
            case PREPARING_REBALANCE:
                updateMemberAndRebalance(g, m, req, f);
                break;
            case COMPLETING_REBALANCE:
                if (m.matches(req.protocols())) {
                    // A retried join of this generation: answer it again.
                    touch(g, m);
                    complete(g, f, joinResult(g, m));
                } else {
                    updateMemberAndRebalance(g, m, req, f);
                }
                break;
            case STABLE:
                if (g.isLeader(memberId) || !m.matches(req.protocols())) {
                    // The leader rejoins to force a rebalance (e.g. metadata changed); or a member's subscription did.
                    updateMemberAndRebalance(g, m, req, f);
                } else {
                    touch(g, m);
                    complete(g, f, joinResult(g, m));
                }
                break;
            default:
                complete(g, f, JoinGroupResult.error(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
        }
    }

    private void addMemberAndRebalance(ClassicGroup g, String memberId, JoinGroupRequest req,
                                       CompletableFuture<JoinGroupResult> f) {
        ClassicGroupMember m = new ClassicGroupMember(memberId, req.groupInstanceId(), req.clientId(),
                req.clientHost(), req.rebalanceTimeoutMs(), req.sessionTimeoutMs(), req.protocolType(),
                req.protocols());
        m.isNew = true;
        m.awaitingJoin = f;
        g.add(m);
        touch(g, m);
        if (g.initialDelayActive) {
            g.newMemberAddedDuringDelay = true;
        }
        LOG.debug("Member {} joins group {} ({})", memberId, g.groupId(), g.state());
        maybePrepareRebalance(g, "member " + memberId + " joined");
    }

    private void updateMemberAndRebalance(ClassicGroup g, ClassicGroupMember m, JoinGroupRequest req,
                                          CompletableFuture<JoinGroupResult> f) {
        m.update(req.clientId(), req.clientHost(), req.rebalanceTimeoutMs(), req.sessionTimeoutMs(),
                req.protocols());
        if (m.awaitingJoin != null && m.awaitingJoin != f) {
            complete(g, m.awaitingJoin, JoinGroupResult.error(ErrorCode.REBALANCE_IN_PROGRESS, m.memberId()));
        }
        m.awaitingJoin = f;
        touch(g, m);
        maybePrepareRebalance(g, "member " + m.memberId() + " rejoined");
    }

    /** KIP-345: a static member rejoins without its member id; it gets a new one and the old one is fenced. */
    private void replaceStaticMember(ClassicGroup g, String oldId, String newId, JoinGroupRequest req,
                                     CompletableFuture<JoinGroupResult> f) {
        ClassicGroupMember m = g.member(oldId);
        if (m.awaitingJoin != null) {
            complete(g, m.awaitingJoin, JoinGroupResult.error(ErrorCode.FENCED_INSTANCE_ID, oldId));
            m.awaitingJoin = null;
        }
        if (m.awaitingSync != null) {
            complete(g, m.awaitingSync, SyncGroupResult.error(ErrorCode.FENCED_INSTANCE_ID));
            m.awaitingSync = null;
        }
        boolean sameProtocols = m.matches(req.protocols());
        boolean wasLeader = g.isLeader(oldId);
        g.replaceStaticMemberId(oldId, newId);
        LOG.info("Static member {} of group {} rejoined: member id {} replaces {}", m.groupInstanceId(),
                g.groupId(), newId, oldId);
        switch (g.state()) {
            case STABLE:
                if (sameProtocols) {
                    // No rebalance: keep the assignment, but store the new id so a restart does not revive the old.
                    // A returning leader is told the old leader id, so it does not think it must assign (as Kafka
                    // does for clients without KIP-814's skipAssignment); it syncs and gets its assignment.
                    m.update(req.clientId(), req.clientHost(), req.rebalanceTimeoutMs(), req.sessionTimeoutMs(),
                            req.protocols());
                    touch(g, m);
                    JoinGroupResult current = joinResult(g, m);
                    JoinGroupResult result = new JoinGroupResult(ErrorCode.NONE, current.generationId(),
                            current.protocolType(), current.protocolName(), wasLeader ? oldId : current.leader(),
                            false, newId, List.of());
                    groups.writeGroup(g, null).whenComplete((r, t) -> {
                        ErrorCode e = t != null ? ErrorCode.UNKNOWN_SERVER_ERROR
                                : Groups.appendError(r.error(), ErrorCode.UNKNOWN_SERVER_ERROR);
                        groups.locked(g, () -> complete(g, f, e == ErrorCode.NONE ? result
                                : JoinGroupResult.error(e, newId)));
                    });
                } else {
                    updateMemberAndRebalance(g, m, req, f);
                }
                break;
            case COMPLETING_REBALANCE:
            case PREPARING_REBALANCE:
                updateMemberAndRebalance(g, m, req, f);
                break;
            default:
                complete(g, f, JoinGroupResult.error(ErrorCode.UNKNOWN_MEMBER_ID, newId));
        }
    }

    /** The answer for a member of the current generation; the leader also gets every member's metadata. */
    private JoinGroupResult joinResult(ClassicGroup g, ClassicGroupMember m) {
        List<JoinGroupMember> members = new ArrayList<>();
        if (g.isLeader(m.memberId())) {
            for (ClassicGroupMember other : g.members()) {
                byte[] metadata = other.metadata(g.protocolName());
                members.add(new JoinGroupMember(other.memberId(), other.groupInstanceId(),
                        metadata == null ? new byte[0] : metadata));
            }
        }
        return new JoinGroupResult(ErrorCode.NONE, g.generationId(), g.protocolType(), g.protocolName(),
                g.leaderId() == null ? "" : g.leaderId(), false, m.memberId(), members);
    }

    // ------------------------------------------------------------------ rebalance

    private void maybePrepareRebalance(ClassicGroup g, String reason) {
        switch (g.state()) {
            case STABLE, COMPLETING_REBALANCE, EMPTY -> prepareRebalance(g, reason);
            case PREPARING_REBALANCE -> tryCompleteJoin(g);
            default -> { }
        }
    }

    private void prepareRebalance(ClassicGroup g, String reason) {
        if (g.is(GroupState.COMPLETING_REBALANCE)) {
            resetAndPropagateAssignmentError(g, ErrorCode.REBALANCE_IN_PROGRESS);
        }
        boolean wasEmpty = g.is(GroupState.EMPTY);
        g.transitionTo(GroupState.PREPARING_REBALANCE, groups.nowMs());
        cancelJoinTimer(g);
        LOG.info("Preparing to rebalance group {} in generation {}: {}", g.groupId(), g.generationId(), reason);
        int rebalanceTimeout = g.rebalanceTimeoutMs();
        if (wasEmpty && settings.initialRebalanceDelayMs() > 0) {
            int delay = Math.min(settings.initialRebalanceDelayMs(), rebalanceTimeout);
            g.initialDelayActive = true;
            g.newMemberAddedDuringDelay = false;
            g.initialDelayRemainingMs = Math.max(0, rebalanceTimeout - delay);
            scheduleJoinTimer(g, delay, true);
        } else {
            scheduleJoinTimer(g, rebalanceTimeout, false);
            tryCompleteJoin(g);
        }
    }

    private void scheduleJoinTimer(ClassicGroup g, long delayMs, boolean initialDelay) {
        int token = ++g.joinTimerToken;
        g.joinTimer = groups.schedule(g, delayMs, () -> {
            if (token != g.joinTimerToken || !g.is(GroupState.PREPARING_REBALANCE)) {
                return;
            }
            if (initialDelay && g.newMemberAddedDuringDelay && g.initialDelayRemainingMs > 0) {
                // Members keep arriving: wait once more, up to the rebalance timeout in total.
                long next = Math.min(settings.initialRebalanceDelayMs(), g.initialDelayRemainingMs);
                g.initialDelayRemainingMs -= next;
                g.newMemberAddedDuringDelay = false;
                scheduleJoinTimer(g, next, true);
                return;
            }
            completeJoin(g);
        });
    }

    private void cancelJoinTimer(ClassicGroup g) {
        g.joinTimerToken++;
        cancel(g.joinTimer);
        g.joinTimer = null;
        g.initialDelayActive = false;
    }

    private void tryCompleteJoin(ClassicGroup g) {
        if (g.is(GroupState.PREPARING_REBALANCE) && !g.initialDelayActive && g.allMembersJoined()) {
            completeJoin(g);
        }
    }

    /** Ends the join phase: drops members that did not rejoin and starts the next generation. */
    private void completeJoin(ClassicGroup g) {
        cancelJoinTimer(g);
        for (ClassicGroupMember m : new ArrayList<>(g.members())) {
            if (!m.isAwaitingJoin() && !m.isStatic()) {
                LOG.info("Member {} of group {} did not rejoin in time; removing it", m.memberId(), g.groupId());
                removeMember(g, m);
            }
        }
        // Static members that did not rejoin stay (their session timeout decides), but cannot lead.
        if (!g.electJoinedLeader() && g.size() > 0) {
            LOG.warn("No member of group {} rejoined; waiting another rebalance timeout", g.groupId());
            scheduleJoinTimer(g, g.rebalanceTimeoutMs(), false);
            return;
        }
        g.initNextGeneration(groups.nowMs());
        if (g.is(GroupState.EMPTY)) {
            LOG.info("Group {} is empty in generation {}", g.groupId(), g.generationId());
            groups.writeGroup(g, null).whenComplete((r, t) -> {
                if (t != null || r.error() != ErrorCode.NONE) {
                    LOG.warn("Storing empty group {} failed: {}", g.groupId(), t != null ? t : r.error());
                }
            });
            return;
        }
        LOG.info("Group {} starts generation {} with {} members, protocol {}", g.groupId(), g.generationId(),
                g.size(), g.protocolName());
        for (ClassicGroupMember m : g.members()) {
            CompletableFuture<JoinGroupResult> f = m.awaitingJoin;
            m.awaitingJoin = null;
            m.isNew = false;
            touch(g, m);
            complete(g, f, joinResult(g, m));
        }
    }

    private void resetAndPropagateAssignmentError(ClassicGroup g, ErrorCode error) {
        for (ClassicGroupMember m : g.members()) {
            m.assignment(null);
            if (m.awaitingSync != null) {
                complete(g, m.awaitingSync, SyncGroupResult.error(error));
                m.awaitingSync = null;
            }
        }
    }

    // ------------------------------------------------------------------ SyncGroup

    CompletableFuture<SyncGroupResult> sync(SyncGroupRequest req) {
        CompletableFuture<SyncGroupResult> f = new CompletableFuture<>();
        ErrorCode invalid = Groups.validateGroupId(req.groupId());
        ClassicGroup g = invalid == ErrorCode.NONE ? groups.get(req.groupId()) : null;
        if (g == null) {
            return CompletableFuture.completedFuture(SyncGroupResult.error(invalid != ErrorCode.NONE ? invalid
                    : ErrorCode.UNKNOWN_MEMBER_ID));
        }
        groups.locked(g, () -> {
            if (g.is(GroupState.DEAD)) {
                complete(g, f, SyncGroupResult.error(ErrorCode.COORDINATOR_NOT_AVAILABLE));
                return;
            }
            ErrorCode error = g.validateMember(req.memberId(), req.groupInstanceId());
            if (error == ErrorCode.NONE && req.generationId() != g.generationId()) {
                error = ErrorCode.ILLEGAL_GENERATION;
            }
            if (error == ErrorCode.NONE && ((req.protocolType() != null
                    && !req.protocolType().equals(g.protocolType())) || (req.protocolName() != null
                    && !req.protocolName().equals(g.protocolName())))) {
                error = ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
            }
            if (error != ErrorCode.NONE) {
                complete(g, f, SyncGroupResult.error(error));
                return;
            }
            ClassicGroupMember m = g.member(req.memberId());
            switch (g.state()) {
                case PREPARING_REBALANCE -> complete(g, f, SyncGroupResult.error(ErrorCode.REBALANCE_IN_PROGRESS));
                case COMPLETING_REBALANCE -> {
                    if (m.awaitingSync != null) {
                        complete(g, m.awaitingSync, SyncGroupResult.error(ErrorCode.REBALANCE_IN_PROGRESS));
                    }
                    m.awaitingSync = f;
                    touch(g, m);
                    if (g.isLeader(m.memberId())) {
                        storeAssignment(g, req.assignments());
                    }
                }
                case STABLE -> {
                    touch(g, m);
                    complete(g, f, new SyncGroupResult(ErrorCode.NONE, g.protocolType(), g.protocolName(),
                            m.assignment()));
                }
                default -> complete(g, f, SyncGroupResult.error(ErrorCode.UNKNOWN_MEMBER_ID));
            }
        });
        return f;
    }

    /** Writes the leader's assignment; once durable, hands every member its part and the group becomes Stable. */
    private void storeAssignment(ClassicGroup g, Map<String, byte[]> fromLeader) {
        Map<String, byte[]> assignments = new HashMap<>();
        for (ClassicGroupMember m : g.members()) {
            byte[] a = fromLeader.get(m.memberId());
            assignments.put(m.memberId(), a == null ? new byte[0] : a);
        }
        int generation = g.generationId();
        groups.writeGroup(g, assignments).whenComplete((r, t) -> groups.locked(g, () -> {
            if (!g.is(GroupState.COMPLETING_REBALANCE) || g.generationId() != generation) {
                return; // a newer rebalance already answered the waiting members
            }
            ErrorCode error = t != null ? ErrorCode.UNKNOWN_SERVER_ERROR
                    : Groups.appendError(r.error(), ErrorCode.UNKNOWN_SERVER_ERROR);
            if (error != ErrorCode.NONE) {
                LOG.warn("Storing the assignment of group {} generation {} failed: {}", g.groupId(), generation,
                        t != null ? t : r.error());
                resetAndPropagateAssignmentError(g, error);
                prepareRebalance(g, "storing the assignment failed");
                return;
            }
            for (ClassicGroupMember m : g.members()) {
                m.assignment(assignments.get(m.memberId()));
                if (m.awaitingSync != null) {
                    complete(g, m.awaitingSync, new SyncGroupResult(ErrorCode.NONE, g.protocolType(),
                            g.protocolName(), m.assignment()));
                    m.awaitingSync = null;
                    touch(g, m);
                }
            }
            g.transitionTo(GroupState.STABLE, groups.nowMs());
            LOG.info("Stabilized group {} generation {} with {} members", g.groupId(), generation, g.size());
        }));
    }

    // ------------------------------------------------------------------ Heartbeat, LeaveGroup, expiry

    ErrorCode heartbeat(String groupId, int generationId, String memberId, String groupInstanceId) {
        ErrorCode invalid = Groups.validateGroupId(groupId);
        if (invalid != ErrorCode.NONE) {
            return invalid;
        }
        ClassicGroup g = groups.get(groupId);
        if (g == null) {
            return ErrorCode.UNKNOWN_MEMBER_ID;
        }
        return groups.locked(g, () -> {
            if (g.is(GroupState.DEAD)) {
                return ErrorCode.COORDINATOR_NOT_AVAILABLE;
            }
            ErrorCode error = g.validateMember(memberId, groupInstanceId);
            if (error != ErrorCode.NONE) {
                return error;
            }
            if (generationId != g.generationId()) {
                return ErrorCode.ILLEGAL_GENERATION;
            }
            touch(g, g.member(memberId));
            return g.is(GroupState.PREPARING_REBALANCE) ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
        });
    }

    LeaveGroupResult leave(String groupId, List<LeaveGroupMember> leaving) {
        ErrorCode invalid = Groups.validateGroupId(groupId);
        ClassicGroup g = invalid == ErrorCode.NONE ? groups.get(groupId) : null;
        if (g == null) {
            ErrorCode e = invalid != ErrorCode.NONE ? invalid : ErrorCode.UNKNOWN_MEMBER_ID;
            return new LeaveGroupResult(e, leaving.stream()
                    .map(l -> new LeaveGroupResult.MemberResult(l.memberId(), l.groupInstanceId(), e)).toList());
        }
        return groups.locked(g, () -> {
            if (g.is(GroupState.DEAD)) {
                return new LeaveGroupResult(ErrorCode.COORDINATOR_NOT_AVAILABLE, List.of());
            }
            List<LeaveGroupResult.MemberResult> results = new ArrayList<>();
            boolean changed = false;
            for (LeaveGroupMember l : leaving) {
                ErrorCode error;
                String memberId = l.memberId();
                if (memberId.isEmpty()) {
                    memberId = g.staticMemberId(l.groupInstanceId());
                    error = memberId == null ? ErrorCode.UNKNOWN_MEMBER_ID : ErrorCode.NONE;
                } else if (l.groupInstanceId() == null && g.isPending(memberId)) {
                    cancel(g.removePending(memberId));
                    changed = true;
                    error = ErrorCode.NONE;
                    memberId = null;
                } else {
                    error = g.validateMember(memberId, l.groupInstanceId());
                }
                if (error == ErrorCode.NONE && memberId != null) {
                    LOG.info("Member {} leaves group {}{}", memberId, g.groupId(),
                            l.reason() == null ? "" : ": " + l.reason());
                    removeMember(g, g.member(memberId));
                    changed = true;
                }
                results.add(new LeaveGroupResult.MemberResult(l.memberId(), l.groupInstanceId(), error));
            }
            if (changed) {
                membersChanged(g, "members left");
            }
            return new LeaveGroupResult(ErrorCode.NONE, results);
        });
    }

    /** Drops a member, answering its waiting requests with UNKNOWN_MEMBER_ID. Does not rebalance. */
    private void removeMember(ClassicGroup g, ClassicGroupMember m) {
        if (m.awaitingJoin != null) {
            complete(g, m.awaitingJoin, JoinGroupResult.error(ErrorCode.UNKNOWN_MEMBER_ID, m.memberId()));
            m.awaitingJoin = null;
        }
        if (m.awaitingSync != null) {
            complete(g, m.awaitingSync, SyncGroupResult.error(ErrorCode.UNKNOWN_MEMBER_ID));
            m.awaitingSync = null;
        }
        cancel(m.sessionCheck);
        m.sessionCheck = null;
        g.remove(m.memberId());
    }

    private void membersChanged(ClassicGroup g, String reason) {
        switch (g.state()) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(g, reason);
            case PREPARING_REBALANCE -> tryCompleteJoin(g);
            default -> { }
        }
    }

    /** Pushes the member's session deadline out by its session timeout; arms its session check if none is. */
    void touch(ClassicGroup g, ClassicGroupMember m) {
        m.sessionDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(m.sessionTimeoutMs());
        if (m.sessionCheck == null) {
            scheduleSessionCheck(g, m, m.sessionTimeoutMs());
        }
    }

    /** One pending check per member; a check that finds the deadline moved re-arms for the new deadline. */
    private void scheduleSessionCheck(ClassicGroup g, ClassicGroupMember m, long delayMs) {
        m.sessionCheck = groups.schedule(g, delayMs, () -> {
            if (g.member(m.memberId()) != m) {
                return;
            }
            m.sessionCheck = null;
            long remainingNanos = m.sessionDeadlineNanos - System.nanoTime();
            if (remainingNanos > 0 || m.isAwaitingJoin() || m.isAwaitingSync()) {
                // Alive, or waiting on the group (the rebalance timeout bounds that wait).
                scheduleSessionCheck(g, m, remainingNanos > 0 ? TimeUnit.NANOSECONDS.toMillis(remainingNanos) + 1
                        : m.sessionTimeoutMs());
                return;
            }
            LOG.info("Member {} of group {} missed its session timeout of {} ms; removing it", m.memberId(),
                    g.groupId(), m.sessionTimeoutMs());
            removeMember(g, m);
            membersChanged(g, "member " + m.memberId() + " expired");
        });
    }

    /** Starts session checks for members restored from the log. */
    void restored(ClassicGroup g) {
        groups.locked(g, () -> {
            for (ClassicGroupMember m : g.members()) {
                touch(g, m);
            }
        });
    }

    /** Cancels the group's timers (shutdown or deletion). */
    void cancelTimers(ClassicGroup g) {
        cancelJoinTimer(g);
        for (ClassicGroupMember m : g.members()) {
            cancel(m.sessionCheck);
            m.sessionCheck = null;
        }
    }

    // ------------------------------------------------------------------ helpers

    private static <T> void complete(ClassicGroup g, CompletableFuture<T> f, T value) {
        if (f != null) {
            g.defer(() -> f.complete(value));
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
