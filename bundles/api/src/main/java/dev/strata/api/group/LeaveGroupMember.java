package dev.strata.api.group;

/**
 * One member leaving. A static member may leave by instance id alone (memberId empty), as admin tools do.
 *
 * @param reason why it leaves (LeaveGroup v5+), for logs; may be null
 */
public record LeaveGroupMember(String memberId, String groupInstanceId, String reason) {
    public LeaveGroupMember {
        memberId = memberId == null ? "" : memberId;
    }
}
