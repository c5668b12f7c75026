package dev.strata.api.group;

import java.util.List;

/**
 * A JoinGroup request.
 *
 * @param memberId empty ({@code ""}) on a member's first join; the coordinator then hands out an id
 * @param groupInstanceId the static member id (KIP-345, {@code group.instance.id}), null for a dynamic member
 * @param protocolType for consumers {@code "consumer"}; all members of a group must agree
 * @param protocols the protocols the member supports, in order of preference
 * @param requireKnownMemberId true from JoinGroup v4 on (KIP-394): a dynamic member's first join is answered with
 *     MEMBER_ID_REQUIRED and a member id to join again with, so that the id is known before it counts
 * @param reason why the member (re)joins (JoinGroup v8+), for logs; may be null
 */
public record JoinGroupRequest(String groupId, String memberId, String groupInstanceId, String protocolType,
                               List<GroupProtocol> protocols, int sessionTimeoutMs, int rebalanceTimeoutMs,
                               String clientId, String clientHost, boolean requireKnownMemberId, String reason) {
    public JoinGroupRequest {
        memberId = memberId == null ? "" : memberId;
        protocols = List.copyOf(protocols);
        clientId = clientId == null ? "" : clientId;
        clientHost = clientHost == null ? "" : clientHost;
        if (rebalanceTimeoutMs < 0) {
            rebalanceTimeoutMs = sessionTimeoutMs; // JoinGroup v0 has no rebalance timeout
        }
    }
}
