package dev.strata.api.broker;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.metadata.TopicMetadata;

/** The outcome of creating one topic; {@code topic} is set on success (also for validate-only). */
public record CreateTopicResult(ErrorCode error, String message, TopicMetadata topic) {
}
