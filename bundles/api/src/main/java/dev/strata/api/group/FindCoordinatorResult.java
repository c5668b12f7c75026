package dev.strata.api.group;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.metadata.BrokerInfo;

/**
 * Which broker coordinates a group: the leader of the group's {@code __consumer_offsets} partition.
 *
 * @param partition the group's partition of {@code __consumer_offsets}, -1 on error
 * @param coordinator the leader of that partition, null on error (COORDINATOR_NOT_AVAILABLE, INVALID_GROUP_ID)
 */
public record FindCoordinatorResult(ErrorCode error, int partition, BrokerInfo coordinator) {
    public static FindCoordinatorResult error(ErrorCode error) {
        return new FindCoordinatorResult(error, -1, null);
    }
}
