package dev.strata.api.group;

import dev.strata.api.common.ErrorCode;
import java.util.List;

/**
 * The answer to a LeaveGroup: a top-level error (e.g. UNKNOWN_MEMBER_ID for an unknown group) and one result per
 * member in request order (LeaveGroup v3+ reports them; older versions answer with the first member error).
 */
public record LeaveGroupResult(ErrorCode error, List<MemberResult> members) {
    /** The outcome for one leaving member. */
    public record MemberResult(String memberId, String groupInstanceId, ErrorCode error) {
    }

    public LeaveGroupResult {
        members = List.copyOf(members);
    }
}
