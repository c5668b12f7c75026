package dev.strata.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.log.SegmentInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {
    private static final long NOW = 1_000_000;
    private static final BrokerSettings BROKER = BrokerSettings.of(Map.of());

    /** Three segments of 100 bytes, 10 offsets each, written at 100, 200, 300 ms; the last is active. */
    private static final List<SegmentInfo> SEGMENTS = List.of(
            new SegmentInfo(0, 10, 100, 100, 150),
            new SegmentInfo(10, 20, 100, 200, 250),
            new SegmentInfo(20, 30, 100, 300, 350));

    @Test
    void readsTheTopicsPolicy() {
        RetentionPolicy p = RetentionPolicy.of(Map.of("retention.ms", "5000", "retention.bytes", "1024",
                "cleanup.policy", "compact,delete"), BROKER);
        assertEquals(new RetentionPolicy(true, 5000, 1024), p);
        assertFalse(RetentionPolicy.of(Map.of("cleanup.policy", "compact"), BROKER).delete());
        assertEquals(new RetentionPolicy(true, 604800000L, -1), RetentionPolicy.of(Map.of(), BROKER));
    }

    @Test
    void deletesExpiredSegmentsFromTheStartButNeverTheActiveOne() {
        RetentionPolicy.Decision d = new RetentionPolicy(true, 10, -1).due(SEGMENTS, 30, NOW);
        assertEquals(new RetentionPolicy.Decision(20, 2, 200, "retention time 10 ms breach"), d);
        // Only the first is older than the limit: deletion stops at the first segment that is young enough.
        d = new RetentionPolicy(true, NOW - 150, -1).due(SEGMENTS, 30, NOW);
        assertEquals(10, d.newLogStartOffset());
        assertNull(new RetentionPolicy(true, -1, -1).due(SEGMENTS, 30, NOW));
    }

    @Test
    void deletesBySizeWhileTheRestStaysAtLeastTheLimit() {
        // 300 bytes, limit 150: dropping the first leaves 200 >= 150, dropping the second would leave 100 < 150.
        RetentionPolicy.Decision d = new RetentionPolicy(true, -1, 150).due(SEGMENTS, 30, NOW);
        assertEquals(new RetentionPolicy.Decision(10, 1, 100, "retention size 150 bytes breach"), d);
        assertEquals(20, new RetentionPolicy(true, -1, 0).due(SEGMENTS, 30, NOW).newLogStartOffset());
    }

    @Test
    void keepsWhatTheHighWatermarkHasNotPassedAndCompactedTopics() {
        assertEquals(10, new RetentionPolicy(true, 10, -1).due(SEGMENTS, 15, NOW).newLogStartOffset());
        assertNull(new RetentionPolicy(true, 10, -1).due(SEGMENTS, 5, NOW));
        assertNull(new RetentionPolicy(false, 10, 0).due(SEGMENTS, 30, NOW));
        assertNull(new RetentionPolicy(true, 10, 0).due(List.of(SEGMENTS.get(0)), 30, NOW));
    }

    @Test
    void anEmptySegmentIsJudgedByItsFileTime() {
        SegmentInfo empty = new SegmentInfo(0, 0, 0, -1, 150);
        assertEquals(150, empty.retentionTimestamp());
        assertTrue(new RetentionPolicy(true, 10, -1).due(List.of(empty, SEGMENTS.get(2)), 30, NOW) != null);
    }
}
