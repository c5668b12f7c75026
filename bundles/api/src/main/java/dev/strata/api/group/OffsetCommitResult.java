package dev.strata.api.group;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import java.util.Map;

/** One error per committed partition (NONE when stored); a group-level failure repeats its code per partition. */
public record OffsetCommitResult(Map<TopicPartition, ErrorCode> errors) {
    public OffsetCommitResult {
        errors = Map.copyOf(errors);
    }
}
