package dev.strata.api.group;

/**
 * A member as DescribeGroups reports it.
 *
 * @param metadata the member's metadata for the group's chosen protocol (empty when none was chosen yet)
 * @param assignment what the leader assigned it in the current generation (empty before the first sync)
 */
public record MemberDescription(String memberId, String groupInstanceId, String clientId, String clientHost,
                                byte[] metadata, byte[] assignment) {
}
