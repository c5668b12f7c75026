package dev.strata.group.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.group.GroupProtocol;
import dev.strata.api.group.GroupState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * The state of one classic group: its state machine (Empty, PreparingRebalance, CompletingRebalance, Stable, Dead),
 * generation, chosen protocol, leader, members (dynamic and static) and its committed offsets. It checks transitions
 * and answers questions; it does no I/O and starts no timers: {@link GroupManager} drives it and writes the records.
 *
 * <p>Not thread-safe: every access holds the group's monitor ({@code synchronized (group)}). Futures to complete are
 * queued with {@link #defer} and run by the caller after it releases the monitor, so that client callbacks never
 * run under a group lock.
 */
final class ClassicGroup {
    private static final Map<GroupState, Set<GroupState>> VALID_PREVIOUS = Map.of(
            GroupState.PREPARING_REBALANCE,
            EnumSet.of(GroupState.STABLE, GroupState.COMPLETING_REBALANCE, GroupState.EMPTY),
            GroupState.COMPLETING_REBALANCE, EnumSet.of(GroupState.PREPARING_REBALANCE),
            GroupState.STABLE, EnumSet.of(GroupState.COMPLETING_REBALANCE),
            GroupState.EMPTY, EnumSet.of(GroupState.PREPARING_REBALANCE),
            GroupState.DEAD, EnumSet.allOf(GroupState.class));

    private final String groupId;
    private final int offsetsPartition;
    private GroupState state = GroupState.EMPTY;
    private long stateTimestampMs;
    private int generationId;
    private String protocolType;
    private String protocolName;
    private String leaderId;
    private final Map<String, ClassicGroupMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet, with their expiry. */
    private final Map<String, ScheduledFuture<?>> pendingMembers = new HashMap<>();
    private final GroupOffsets offsets = new GroupOffsets();
    private final List<Runnable> deferred = new ArrayList<>();

    /** Rebalance timers: the initial delay or the join deadline; at most one at a time. */
    ScheduledFuture<?> joinTimer;
    /** Bumped whenever the join timer changes, so a timer that fires late can tell it is stale. */
    int joinTimerToken;
    /** How often the holding thread entered {@link Groups#locked}; completions run when it leaves the outermost. */
    int lockDepth;
    boolean initialDelayActive;
    boolean newMemberAddedDuringDelay;
    long initialDelayRemainingMs;

    ClassicGroup(String groupId, int offsetsPartition, long nowMs) {
        this.groupId = groupId;
        this.offsetsPartition = offsetsPartition;
        this.stateTimestampMs = nowMs;
    }

    String groupId() {
        return groupId;
    }

    int offsetsPartition() {
        return offsetsPartition;
    }

    GroupState state() {
        return state;
    }

    boolean is(GroupState s) {
        return state == s;
    }

    long stateTimestampMs() {
        return stateTimestampMs;
    }

    int generationId() {
        return generationId;
    }

    String protocolType() {
        return protocolType;
    }

    String protocolName() {
        return protocolName;
    }

    String leaderId() {
        return leaderId;
    }

    boolean isLeader(String memberId) {
        return memberId != null && memberId.equals(leaderId);
    }

    GroupOffsets offsets() {
        return offsets;
    }

    /** @throws IllegalStateException when Kafka's state machine does not allow the move */
    void transitionTo(GroupState target, long nowMs) {
        if (!VALID_PREVIOUS.get(target).contains(state)) {
            throw new IllegalStateException("Group " + groupId + " cannot move from " + state + " to " + target);
        }
        state = target;
        stateTimestampMs = nowMs;
    }

    /** Restores what a group metadata record says (load after restart): Stable with members, else Empty. */
    void restore(int generationId, String protocolType, String protocolName, String leaderId, long stateTimestampMs,
                 Collection<ClassicGroupMember> loaded) {
        this.generationId = generationId;
        this.protocolType = protocolType;
        this.protocolName = protocolName;
        this.leaderId = leaderId;
        this.stateTimestampMs = stateTimestampMs;
        members.clear();
        staticMembers.clear();
        for (ClassicGroupMember m : loaded) {
            members.put(m.memberId(), m);
            if (m.isStatic()) {
                staticMembers.put(m.groupInstanceId(), m.memberId());
            }
        }
        state = members.isEmpty() ? GroupState.EMPTY : GroupState.STABLE;
    }

    // ---- members

    Collection<ClassicGroupMember> members() {
        return members.values();
    }

    int size() {
        return members.size();
    }

    boolean hasMember(String memberId) {
        return members.containsKey(memberId);
    }

    ClassicGroupMember member(String memberId) {
        return members.get(memberId);
    }

    /** The member id currently holding {@code groupInstanceId}, or null. */
    String staticMemberId(String groupInstanceId) {
        return groupInstanceId == null ? null : staticMembers.get(groupInstanceId);
    }

    void add(ClassicGroupMember member) {
        if (members.isEmpty()) {
            protocolType = member.protocolType();
        }
        members.put(member.memberId(), member);
        if (member.isStatic()) {
            staticMembers.put(member.groupInstanceId(), member.memberId());
        }
        if (leaderId == null) {
            leaderId = member.memberId();
        }
    }

    /** Removes a member; a new leader is picked among the rest when it led. */
    ClassicGroupMember remove(String memberId) {
        ClassicGroupMember m = members.remove(memberId);
        if (m == null) {
            return null;
        }
        if (m.isStatic() && memberId.equals(staticMembers.get(m.groupInstanceId()))) {
            staticMembers.remove(m.groupInstanceId());
        }
        if (memberId.equals(leaderId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
        return m;
    }

    /** Static membership: the member holding an instance id gets a new member id; the old id is fenced. */
    void replaceStaticMemberId(String oldMemberId, String newMemberId) {
        ClassicGroupMember m = members.remove(oldMemberId);
        m.renameTo(newMemberId);
        members.put(newMemberId, m);
        staticMembers.put(m.groupInstanceId(), newMemberId);
        if (oldMemberId.equals(leaderId)) {
            leaderId = newMemberId;
        }
    }

    boolean isPending(String memberId) {
        return pendingMembers.containsKey(memberId);
    }

    void addPending(String memberId, ScheduledFuture<?> expiry) {
        pendingMembers.put(memberId, expiry);
    }

    /** Forgets a pending member id; returns its expiry timer to cancel, or null. */
    ScheduledFuture<?> removePending(String memberId) {
        return pendingMembers.remove(memberId);
    }

    boolean hasPendingMembers() {
        return !pendingMembers.isEmpty();
    }

    /**
     * Kafka's validateMember for a known member id: FENCED_INSTANCE_ID when a static instance id is now held by
     * another member id, UNKNOWN_MEMBER_ID when the id is not a member, else NONE.
     */
    ErrorCode validateMember(String memberId, String groupInstanceId) {
        if (groupInstanceId != null) {
            String current = staticMembers.get(groupInstanceId);
            if (current == null) {
                return ErrorCode.UNKNOWN_MEMBER_ID;
            }
            if (!current.equals(memberId)) {
                return ErrorCode.FENCED_INSTANCE_ID;
            }
            return ErrorCode.NONE;
        }
        return members.containsKey(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
    }

    /** True when a static instance id is held by a different member id than the one given. */
    boolean isStaticMemberFenced(String memberId, String groupInstanceId) {
        if (groupInstanceId == null) {
            return false;
        }
        String current = staticMembers.get(groupInstanceId);
        return current != null && !current.equals(memberId);
    }

    int rebalanceTimeoutMs() {
        int max = 0;
        for (ClassicGroupMember m : members.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs());
        }
        return max;
    }

    /**
     * Makes sure the leader is a member that joined this rebalance: keeps the current one if it did, else picks the
     * first that did. False when no member joined.
     */
    boolean electJoinedLeader() {
        ClassicGroupMember leader = leaderId == null ? null : members.get(leaderId);
        if (leader != null && leader.isAwaitingJoin()) {
            return true;
        }
        for (ClassicGroupMember m : members.values()) {
            if (m.isAwaitingJoin()) {
                leaderId = m.memberId();
                return true;
            }
        }
        return false;
    }

    /** Every member has sent its JoinGroup for this rebalance and no handed-out member id is still to join. */
    boolean allMembersJoined() {
        for (ClassicGroupMember m : members.values()) {
            if (!m.isAwaitingJoin()) {
                return false;
            }
        }
        return pendingMembers.isEmpty();
    }

    // ---- protocols

    /**
     * Whether a member with these protocols may join: the first member needs a type and at least one protocol;
     * later ones need the group's type and a protocol every current member supports.
     */
    boolean supportsProtocols(String memberProtocolType, List<GroupProtocol> memberProtocols) {
        if (members.isEmpty()) {
            return memberProtocolType != null && !memberProtocolType.isEmpty() && !memberProtocols.isEmpty();
        }
        if (memberProtocolType == null || !memberProtocolType.equals(protocolType)) {
            return false;
        }
        Set<String> candidates = candidateProtocols();
        for (GroupProtocol p : memberProtocols) {
            if (candidates.contains(p.name())) {
                return true;
            }
        }
        return false;
    }

    /** Protocols every member supports. */
    Set<String> candidateProtocols() {
        Set<String> candidates = null;
        for (ClassicGroupMember m : members.values()) {
            Set<String> names = new HashSet<>();
            for (GroupProtocol p : m.protocols()) {
                names.add(p.name());
            }
            if (candidates == null) {
                candidates = names;
            } else {
                candidates.retainAll(names);
            }
        }
        return candidates == null ? Set.of() : candidates;
    }

    /**
     * The protocol for the next generation: each member votes for its most preferred candidate, the most votes win
     * (ties go to the protocol the leader prefers most, then the first member's order).
     */
    String selectProtocol() {
        Set<String> candidates = candidateProtocols();
        Map<String, Integer> votes = new LinkedHashMap<>();
        ClassicGroupMember leader = leaderId == null ? null : members.get(leaderId);
        if (leader != null) {
            for (GroupProtocol p : leader.protocols()) {
                if (candidates.contains(p.name())) {
                    votes.put(p.name(), 0);
                }
            }
        }
        for (ClassicGroupMember m : members.values()) {
            for (GroupProtocol p : m.protocols()) {
                if (candidates.contains(p.name())) {
                    votes.merge(p.name(), 1, Integer::sum);
                    break;
                }
            }
        }
        String best = null;
        int bestVotes = -1;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best;
    }

    /**
     * Starts the next generation once the join phase is over: CompletingRebalance with a chosen protocol, or Empty
     * when no member is left.
     */
    void initNextGeneration(long nowMs) {
        generationId++;
        if (members.isEmpty()) {
            protocolName = null;
            transitionTo(GroupState.EMPTY, nowMs);
        } else {
            protocolName = selectProtocol();
            transitionTo(GroupState.COMPLETING_REBALANCE, nowMs);
        }
    }

    // ---- deferred completions

    void defer(Runnable completion) {
        deferred.add(completion);
    }

    /** Takes the queued completions; the caller runs them after releasing the monitor. */
    List<Runnable> drainDeferred() {
        if (deferred.isEmpty()) {
            return List.of();
        }
        List<Runnable> out = new ArrayList<>(deferred);
        deferred.clear();
        return out;
    }

    @Override
    public String toString() {
        return "ClassicGroup(" + groupId + ", " + state + ", generation " + generationId + ", " + members.size()
                + " members)";
    }
}
