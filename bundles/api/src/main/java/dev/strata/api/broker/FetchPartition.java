package dev.strata.api.broker;

import dev.strata.api.common.TopicPartition;

/** One partition of a fetch: where to read from and at most how many bytes. */
public record FetchPartition(TopicPartition tp, long fetchOffset, int maxBytes) {
}
