package dev.strata.api.group;

/** A member as the JoinGroup response lists it to the leader: its id and its metadata for the chosen protocol. */
public record JoinGroupMember(String memberId, String groupInstanceId, byte[] metadata) {
}
