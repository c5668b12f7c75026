package dev.strata.broker.internal;

import dev.strata.api.common.StrataException;
import java.io.IOException;
import java.util.Collection;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's retention check: every {@code log.retention.check.interval.ms}, each partition whose topic's
 * {@link RetentionPolicy} says so moves its log start offset past its expired segments; the store then removes
 * them (renamed, deleted after {@code file.delete.delay.ms}). Runs on the broker's scheduler, one partition at a
 * time under that partition's lock, so appends to other partitions go on.
 */
final class LogRetention {
    private static final Logger LOG = LoggerFactory.getLogger(LogRetention.class);

    static final String CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    /** Kafka's default: five minutes. */
    static final long DEFAULT_CHECK_INTERVAL_MS = 300_000;

    private final LongSupplier clock;

    LogRetention(LongSupplier clock) {
        this.clock = clock;
    }

    /** One pass over {@code partitions}; returns the segments removed. Never throws. */
    int run(Collection<Partition> partitions) {
        int removed = 0;
        for (Partition p : partitions) {
            try {
                removed += enforce(p);
            } catch (StrataException e) {
                LOG.debug("Retention skipped {}: {}", p.topicPartition(), e.getMessage()); // detached or deleted
            } catch (IOException | RuntimeException e) {
                LOG.error("Retention of {} failed", p.topicPartition(), e);
            }
        }
        return removed;
    }

    int enforce(Partition p) throws IOException {
        RetentionPolicy policy = p.settings().retention();
        if (!policy.delete() || p.isOffline() || !p.isAttached()) {
            return 0;
        }
        RetentionPolicy.Decision d = policy.due(p.log().segments(), p.highWatermark(), clock.getAsLong());
        if (d == null) {
            return 0;
        }
        long before = p.logStartOffset();
        int removed = p.advanceLogStartOffset(d.newLogStartOffset());
        if (removed > 0) {
            LOG.info("Deleted {} segment(s) of {} ({} bytes) for {}: log start offset {} -> {}", removed,
                    p.topicPartition(), d.bytes(), d.reason(), before, p.logStartOffset());
        }
        return removed;
    }
}
