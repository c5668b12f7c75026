package dev.strata.api.group;

import dev.strata.api.common.ErrorCode;
import java.util.List;

/**
 * The answer to a JoinGroup, given once the rebalance it joined has completed (or at once on error).
 *
 * @param generationId the new generation, -1 on error
 * @param protocolName the protocol the group chose, null on error
 * @param leader the leader's member id
 * @param skipAssignment always false for now (KIP-814: a static leader rejoining without a rebalance)
 * @param memberId the member's id; also set with MEMBER_ID_REQUIRED (the id to join again with)
 * @param members every member with its metadata when this member is the leader, else empty
 */
public record JoinGroupResult(ErrorCode error, int generationId, String protocolType, String protocolName,
                              String leader, boolean skipAssignment, String memberId, List<JoinGroupMember> members) {
    public JoinGroupResult {
        members = List.copyOf(members);
    }

    public static JoinGroupResult error(ErrorCode error, String memberId) {
        return new JoinGroupResult(error, -1, null, null, "", false, memberId == null ? "" : memberId, List.of());
    }
}
