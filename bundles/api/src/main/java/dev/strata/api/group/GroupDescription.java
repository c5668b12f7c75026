package dev.strata.api.group;

import dev.strata.api.common.ErrorCode;
import java.util.List;

/**
 * A group as DescribeGroups reports it. An unknown group is described as {@link GroupState#DEAD} with no members
 * and error GROUP_ID_NOT_FOUND (DescribeGroups v6+ sends that; older versions send NONE with state "Dead").
 *
 * @param protocolName the chosen protocol (assignor), empty while none is chosen
 */
public record GroupDescription(ErrorCode error, String groupId, GroupState state, String protocolType,
                               String protocolName, int generationId, String leader, List<MemberDescription> members) {
    public GroupDescription {
        members = List.copyOf(members);
    }
}
