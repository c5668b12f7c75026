package dev.strata.group.internal;

import dev.strata.api.group.GroupProtocol;
import dev.strata.api.group.JoinGroupResult;
import dev.strata.api.group.SyncGroupResult;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One member of a classic group: identity, timeouts, supported protocols, its current assignment, and the join or
 * sync request it is waiting on. Not thread-safe: guarded by its group's lock.
 */
final class ClassicGroupMember {
    private String memberId;
    private final String groupInstanceId;
    private String clientId;
    private String clientHost;
    private int rebalanceTimeoutMs;
    private int sessionTimeoutMs;
    private String protocolType;
    private List<GroupProtocol> protocols;
    private byte[] assignment = new byte[0];

    /** The JoinGroup waiting for the rebalance to complete; null when not (re)joining. */
    CompletableFuture<JoinGroupResult> awaitingJoin;
    /** The SyncGroup waiting for the leader's assignment; null when not syncing. */
    CompletableFuture<SyncGroupResult> awaitingSync;
    /** Joined in the rebalance in progress (it has no assignment from an earlier generation). */
    boolean isNew;
    /** When the session expires unless a heartbeat (or join, sync, commit) arrives first, in nanoTime. */
    long sessionDeadlineNanos;
    /** The pending session check; at most one per member. */
    ScheduledFuture<?> sessionCheck;

    ClassicGroupMember(String memberId, String groupInstanceId, String clientId, String clientHost,
                       int rebalanceTimeoutMs, int sessionTimeoutMs, String protocolType,
                       List<GroupProtocol> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocolType = protocolType;
        this.protocols = List.copyOf(protocols);
    }

    String memberId() {
        return memberId;
    }

    /** A static member rejoining under a new member id (KIP-345). */
    void renameTo(String newMemberId) {
        this.memberId = newMemberId;
    }

    String groupInstanceId() {
        return groupInstanceId;
    }

    boolean isStatic() {
        return groupInstanceId != null;
    }

    String clientId() {
        return clientId;
    }

    String clientHost() {
        return clientHost;
    }

    int rebalanceTimeoutMs() {
        return rebalanceTimeoutMs;
    }

    int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    String protocolType() {
        return protocolType;
    }

    List<GroupProtocol> protocols() {
        return protocols;
    }

    byte[] assignment() {
        return assignment;
    }

    void assignment(byte[] assignment) {
        this.assignment = assignment == null ? new byte[0] : assignment;
    }

    /** Takes the settings of a rejoin: timeouts, client, protocols. */
    void update(String clientId, String clientHost, int rebalanceTimeoutMs, int sessionTimeoutMs,
                List<GroupProtocol> protocols) {
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocols = List.copyOf(protocols);
    }

    /** The metadata this member gave for {@code protocolName}, or null when it does not support it. */
    byte[] metadata(String protocolName) {
        for (GroupProtocol p : protocols) {
            if (p.name().equals(protocolName)) {
                return p.metadata();
            }
        }
        return null;
    }

    boolean supports(String protocolName) {
        return metadata(protocolName) != null;
    }

    /** Whether {@code other} are the same protocols with the same metadata, in the same order. */
    boolean matches(List<GroupProtocol> other) {
        if (other.size() != protocols.size()) {
            return false;
        }
        for (int i = 0; i < other.size(); i++) {
            GroupProtocol a = protocols.get(i);
            GroupProtocol b = other.get(i);
            if (!a.name().equals(b.name()) || !Arrays.equals(a.metadata(), b.metadata())) {
                return false;
            }
        }
        return true;
    }

    boolean isAwaitingJoin() {
        return awaitingJoin != null;
    }

    boolean isAwaitingSync() {
        return awaitingSync != null;
    }
}
