package dev.strata.api.group;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import java.util.Map;

/**
 * The answer to an OffsetDelete: a group-level error (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP...) or one error per
 * partition (GROUP_SUBSCRIBED_TO_TOPIC while members consume the topic).
 */
public record OffsetDeleteResult(ErrorCode error, Map<TopicPartition, ErrorCode> partitions) {
    public OffsetDeleteResult {
        partitions = Map.copyOf(partitions);
    }
}
