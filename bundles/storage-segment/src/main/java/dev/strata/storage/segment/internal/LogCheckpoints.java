package dev.strata.storage.segment.internal;

import dev.strata.api.common.TopicPartition;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What of one {@link SegmentedLog} must survive a crash besides its segments (Kafka's recovery-point and
 * log-start-offset checkpoints): the recovery point, with the directory fsync it depends on once segment files
 * came or went, and a log start offset moved past the first segment's base. Kept apart from the log so that the
 * rules for when each is written, and in which order, sit in one place ({@link RecoveryPointFile} is the format).
 *
 * <p>Thread-safety: changes are made under the log's lock; {@link #recoveryPoint()} and {@link #movedLogStart()}
 * may be read without it.
 */
final class LogCheckpoints {
    private static final Logger LOG = LoggerFactory.getLogger(LogCheckpoints.class);

    private final Path dir;
    private final TopicPartition tp;
    /** A segment file was created or removed since the last flush: the directory needs an fsync too. */
    private boolean dirDirty;
    /** Every offset below it is on disk: after a crash, segments from the one holding it on are checked. */
    private volatile long recoveryPoint;
    /** The recovery point in the checkpoint file, -1 when there is none. */
    private long checkpointedRecoveryPoint;
    /** The log start offset moved past the first segment's base, or -1. */
    private volatile long movedLogStart;

    LogCheckpoints(Path dir, TopicPartition tp, long recoveryPoint, long checkpointedRecoveryPoint,
                   long logStartOffset) {
        this.dir = dir;
        this.tp = tp;
        this.recoveryPoint = recoveryPoint;
        this.checkpointedRecoveryPoint = checkpointedRecoveryPoint;
        this.movedLogStart = logStartOffset;
    }

    long recoveryPoint() {
        return recoveryPoint;
    }

    /** The log start offset moved past the first segment's base, or -1. */
    long movedLogStart() {
        return movedLogStart;
    }

    /**
     * A segment starting at {@code newBase} took over appends: the older ones are on disk (the directory entry of
     * the new one is not yet).
     */
    void rolled(long newBase) {
        dirDirty = true;
        recoveryPoint = Math.max(recoveryPoint, newBase);
    }

    /** The log was cut back to {@code end}: offsets from there on will be written again, so a crash must check them. */
    void truncated(long end) {
        dirDirty = true;
        recoveryPoint = Math.min(recoveryPoint, end);
    }

    /** The active segment was flushed up to {@code end}: fsyncs the directory if segment files came or went. */
    void flushed(long end) {
        if (dirDirty) {
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException e) {
                LOG.debug("Cannot fsync directory {}: {}", dir, e.toString());
            }
            dirDirty = false;
        }
        recoveryPoint = end;
    }

    /** Every segment was flushed and closed at {@code end}. */
    void closed(long end) {
        recoveryPoint = end;
    }

    /**
     * Writes the recovery point to its file if it moved since the last write, held below the first damaged segment
     * of {@code segments} so that the next start checks and repairs it.
     */
    void checkpoint(Collection<LogSegment> segments) throws IOException {
        long point = recoveryPoint;
        for (LogSegment s : segments) {
            if (s.damaged()) {
                point = Math.min(point, s.baseOffset()); // so the next start checks and repairs it
                break;
            }
        }
        if (point != checkpointedRecoveryPoint) {
            RecoveryPointFile.write(dir, tp, point);
            checkpointedRecoveryPoint = point;
        }
    }

    /** Moves the log start offset up to {@code offset}: on disk first, so a crash cannot bring back reads below it. */
    void moveLogStart(long offset) throws IOException {
        RecoveryPointFile.writeLogStart(dir, tp, offset);
        movedLogStart = offset;
    }

    /** The log was emptied and starts over at {@code offset}: a moved log start follows it there. */
    void restartAt(long offset) throws IOException {
        if (movedLogStart >= 0) {
            moveLogStart(offset);
        }
    }
}
