package dev.strata.api.group;

/** One group as ListGroups reports it; {@code protocolType} is empty for groups that only hold offsets. */
public record GroupListing(String groupId, String protocolType, GroupState state) {
}
