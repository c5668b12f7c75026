package dev.strata.group.internal;

import dev.strata.api.common.TopicPartition;
import java.util.Map;
import java.util.TreeMap;

/**
 * The committed offsets of one group, served from memory. Not thread-safe: guarded by the owning group's monitor.
 */
final class GroupOffsets {
    /**
     * One committed offset.
     *
     * @param commitTimestampMs when it was committed (for retention)
     * @param logOffset where its record sits in {@code __consumer_offsets}; a later write wins over an earlier one
     */
    record Committed(long offset, int leaderEpoch, String metadata, long commitTimestampMs, long logOffset) {
    }

    private final Map<TopicPartition, Committed> offsets = new TreeMap<>();

    Committed get(TopicPartition tp) {
        return offsets.get(tp);
    }

    Map<TopicPartition, Committed> all() {
        return offsets;
    }

    boolean isEmpty() {
        return offsets.isEmpty();
    }

    /** Stores a commit unless a later record already replaced the partition's offset. */
    void put(TopicPartition tp, Committed c) {
        Committed old = offsets.get(tp);
        if (old == null || old.logOffset() <= c.logOffset()) {
            offsets.put(tp, c);
        }
    }

    void remove(TopicPartition tp) {
        offsets.remove(tp);
    }

    void clear() {
        offsets.clear();
    }
}
