package dev.strata.api.group;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import java.util.Map;

/**
 * Committed offsets of a group. For a requested partition with no commit the offset is -1 (Kafka's answer, so the
 * consumer falls back to {@code auto.offset.reset}).
 *
 * @param error group-level error (COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR, INVALID_GROUP_ID...)
 */
public record OffsetFetchResult(ErrorCode error, Map<TopicPartition, PartitionOffset> offsets) {
    /** The committed offset of one partition, or -1 with an empty metadata string when nothing is committed. */
    public record PartitionOffset(long offset, int leaderEpoch, String metadata, ErrorCode error) {
        public static final PartitionOffset NONE = new PartitionOffset(-1, -1, "", ErrorCode.NONE);
    }

    public OffsetFetchResult {
        offsets = Map.copyOf(offsets);
    }

    public static OffsetFetchResult error(ErrorCode error) {
        return new OffsetFetchResult(error, Map.of());
    }
}
