package dev.strata.api.broker;

import dev.strata.api.common.IsolationLevel;
import java.util.List;

/**
 * A fetch across partitions. The broker answers once {@code minBytes} are available across all partitions or
 * {@code maxWaitMs} has passed (long poll), and never later than that.
 *
 * @param replicaId -1 for a consumer, a broker id for a follower
 * @param maxBytes the most bytes for the whole response (the first batch is always returned whole)
 */
public record FetchParams(int replicaId, int maxWaitMs, int minBytes, int maxBytes, IsolationLevel isolation,
                          List<FetchPartition> partitions) {
    public FetchParams {
        partitions = List.copyOf(partitions);
    }
}
