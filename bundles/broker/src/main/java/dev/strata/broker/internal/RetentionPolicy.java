package dev.strata.broker.internal;

import dev.strata.api.log.SegmentInfo;
import java.util.List;
import java.util.Map;

/**
 * Which old segments of a topic's partitions retention deletes, as Kafka decides it: only with
 * {@code cleanup.policy} containing {@code delete}; whole segments from the start of the log while the oldest one
 * is older than {@code retention.ms} (by its largest timestamp) or the log without it would still be at least
 * {@code retention.bytes}; never the active segment and never a segment with offsets at or above the high
 * watermark. Immutable: thread-safe.
 *
 * @param retentionMs -1 keeps data forever by age
 * @param retentionBytes -1 (any negative) keeps data forever by size
 */
record RetentionPolicy(boolean delete, long retentionMs, long retentionBytes) {

    static final String RETENTION_MS = "retention.ms";
    static final String RETENTION_BYTES = "retention.bytes";

    static RetentionPolicy of(Map<String, String> overrides, BrokerSettings broker) {
        return new RetentionPolicy(TopicConfigs.cleanupPolicyIncludes("delete", overrides, broker),
                Long.parseLong(TopicConfigs.effective(RETENTION_MS, overrides, broker)),
                Long.parseLong(TopicConfigs.effective(RETENTION_BYTES, overrides, broker)));
    }

    /** The new log start offset and why, or null when nothing is due. */
    record Decision(long newLogStartOffset, int segments, long bytes, String reason) {
    }

    /**
     * @param segments the log's segments, oldest first, the active one last
     * @param highWatermark segments reaching it or beyond stay
     */
    Decision due(List<SegmentInfo> segments, long highWatermark, long nowMs) {
        if (!delete || segments.size() < 2) {
            return null;
        }
        long excess = -1;
        if (retentionBytes >= 0) {
            long size = 0;
            for (SegmentInfo s : segments) {
                size += s.sizeInBytes();
            }
            excess = size - retentionBytes;
        }
        int count = 0;
        long bytes = 0;
        boolean byTime = false;
        boolean bySize = false;
        for (int i = 0; i < segments.size() - 1; i++) { // the last one is active
            SegmentInfo s = segments.get(i);
            if (s.nextOffset() > highWatermark) {
                break;
            }
            boolean old = retentionMs >= 0 && nowMs - s.retentionTimestamp() > retentionMs;
            boolean large = excess >= 0 && excess - s.sizeInBytes() >= 0;
            if (!old && !large) {
                break;
            }
            byTime |= old;
            bySize |= large && !old;
            excess -= s.sizeInBytes();
            bytes += s.sizeInBytes();
            count++;
        }
        if (count == 0) {
            return null;
        }
        String reason = byTime && bySize ? "retention time " + retentionMs + " ms and size " + retentionBytes
                + " bytes breach" : byTime ? "retention time " + retentionMs + " ms breach"
                : "retention size " + retentionBytes + " bytes breach";
        return new Decision(segments.get(count).baseOffset(), count, bytes, reason);
    }
}
