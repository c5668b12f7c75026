package dev.strata.api.group;

import java.util.Map;

/**
 * A SyncGroup request.
 *
 * @param protocolType null when the request version does not carry it (SyncGroup below v5); checked when set
 * @param protocolName null when the request version does not carry it; checked when set
 * @param assignments the leader's assignment per member id; empty from followers
 */
public record SyncGroupRequest(String groupId, int generationId, String memberId, String groupInstanceId,
                               String protocolType, String protocolName, Map<String, byte[]> assignments) {
    public SyncGroupRequest {
        assignments = Map.copyOf(assignments);
    }
}
