package dev.strata.storage.segment.internal;

import dev.strata.api.common.TopicPartition;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what left a log {@code file.delete.delay.ms} after it left (Kafka's delayed deletion), on the store's
 * timer: the {@code .deleted} files of removed segments, and the directory of a deleted log, renamed
 * {@code <topic>-<partition>.<id>-delete} first. Fetches that read a removed segment by zero copy finish: a segment's
 * descriptor stays open after its files are deleted until the slices read from it are released ({@link ReadHolds},
 * bounded by its grace period).
 *
 * <p>Thread-safe. Without a timer (a log opened outside a store) or once the store stopped, deletion happens at once.
 */
final class SegmentDeleter {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentDeleter.class);

    private final TopicPartition tp;
    private volatile ScheduledExecutorService timer;

    SegmentDeleter(TopicPartition tp) {
        this.tp = tp;
    }

    void useTimer(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** The store's timer, or null. */
    ScheduledExecutorService timer() {
        return timer;
    }

    /**
     * Takes segments the log already dropped from its map out of service ({@link LogSegment#removeFromLog}: renamed
     * {@code .deleted}), fsyncs {@code dir}, and deletes their files after {@code delayMs}.
     */
    void removeAndDeleteLater(Path dir, List<LogSegment> leaving, long delayMs) throws IOException {
        try {
            for (LogSegment s : leaving) {
                s.removeFromLog();
            }
        } finally {
            DamagedSegment.fsyncDirectory(dir);
            deleteLater(leaving, delayMs);
        }
    }

    /** Closes the files of a closed or deleted log's segments once no slice of {@code holds} reads them. */
    void closeWhenReleased(ReadHolds holds, List<LogSegment> closing) {
        holds.whenReleased(() -> {
            for (LogSegment s : closing) {
                try {
                    s.closeChannel();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Closing a segment file of {} failed: {}", tp, e.toString());
                }
            }
        }, timer);
    }

    /**
     * Deletes the files of segments already {@linkplain LogSegment#removeFromLog removed} after {@code delayMs}, and
     * closes each one's descriptor once its slices are released.
     */
    void deleteLater(List<LogSegment> removed, long delayMs) {
        runAfter(delayMs, () -> {
            for (LogSegment s : removed) {
                try {
                    s.deleteRemoved();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Deleting the files of removed segment {} of {} failed (they go at the next open): {}",
                            s.baseOffset(), tp, e.toString());
                }
                s.holds().whenReleased(() -> {
                    try {
                        s.closeChannel();
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("Closing a removed segment file of {} failed: {}", tp, e.toString());
                    }
                }, timer);
            }
        });
    }

    /**
     * Renames a deleted log's directory as Kafka (and the broker's log manager, which removes such directories
     * left at its next start) does, then removes it after {@code delayMs}. The segments' descriptors must be open
     * and pinned already: the paths change.
     */
    void deleteDirectoryLater(Path dir, long delayMs) throws IOException {
        Path doomed = dir;
        if (delayMs > 0 && Files.exists(dir) && dir.getParent() != null) {
            doomed = dir.resolveSibling(dir.getFileName() + "." + UUID.randomUUID().toString().replace("-", "")
                    + LogFiles.DELETE_DIR_SUFFIX);
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
            DamagedSegment.fsyncDirectory(dir.getParent());
        }
        Path gone = doomed;
        runAfter(delayMs, () -> {
            try {
                deleteDirectory(gone);
            } catch (IOException e) {
                LOG.warn("Could not remove {} of deleted log {} (the broker removes it at its next start)", gone,
                        tp, e);
            }
        });
    }

    private void runAfter(long delayMs, Runnable task) {
        ScheduledExecutorService t = timer;
        if (delayMs > 0 && t != null) {
            try {
                t.schedule(task, delayMs, TimeUnit.MILLISECONDS);
                return;
            } catch (RejectedExecutionException e) {
                LOG.debug("Store stopping: deleting the files of {} now", tp);
            }
        }
        task.run();
    }

    static void deleteDirectory(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (Files.isDirectory(f)) {
                    deleteDirectory(f);
                } else {
                    Files.deleteIfExists(f);
                }
            }
        }
        Files.deleteIfExists(dir);
    }
}
