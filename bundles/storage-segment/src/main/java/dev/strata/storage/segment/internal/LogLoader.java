package dev.strata.storage.segment.internal;

import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.LogConfig;
import dev.strata.api.log.OffsetIndexFactory;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a partition directory and recovers it (Kafka's LogLoader): removes index files without a segment, opens
 * every segment, checks its indexes and rebuilds the ones that are missing or corrupt, and validates the last
 * segment's batches (every segment's after an unclean shutdown), cutting a torn or corrupt tail. Whatever is found
 * on disk, the log opens: at worst with less data than the files held, and it says so in the log.
 *
 * <p>Every segment but the last was flushed when the next one was created, which is why a clean shutdown only
 * needs the last segment checked. Stateless; one call works on one directory and is not thread-safe for it.
 */
final class LogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

    private LogLoader() {
    }

    static SegmentedLog load(Path dir, TopicPartition tp, LogConfig config, OffsetIndexFactory indexFactory,
                             OpenFileCache files, LongSupplier clock, Consumer<SegmentedLog> onClose)
            throws IOException {
        Files.createDirectories(dir);
        Path marker = dir.resolve(LogFiles.CLEAN_SHUTDOWN);
        boolean clean = Files.exists(marker);
        // From now on a crash must be seen as unclean.
        Files.deleteIfExists(marker);

        TreeSet<Long> bases = scanDirectory(dir, indexFactory);
        String state = bases.isEmpty() ? "new log" : clean ? "clean shutdown" : "unclean shutdown, recovered";
        ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
        long now = clock.getAsLong();
        try {
            for (long base : bases) {
                LogSegment s = openSegment(dir, tp, base, indexFactory, config, files);
                segments.put(base, s);
                s.pin(base == bases.last()); // the others are left to the open-file cache from the start
            }
            if (segments.isEmpty()) {
                LogSegment first = LogSegment.open(dir, 0, indexFactory, config.segmentIndexBytes(), files);
                first.loadState(now);
                segments.put(0L, first);
            } else {
                recover(tp, segments, clean, config, now);
            }
        } catch (IOException | RuntimeException e) {
            for (LogSegment s : segments.values()) {
                try {
                    s.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        SegmentedLog log = new SegmentedLog(dir, tp, config, indexFactory, files, clock, segments, onClose);
        LOG.info("Opened log {} in {}: {} segment(s), offsets [{}, {}), {} bytes, {}", tp, dir,
                segments.size(), log.logStartOffset(), log.logEndOffset(), log.sizeInBytes(), state);
        return log;
    }

    /** The base offsets of the segment files; removes index files whose segment file is gone. */
    private static TreeSet<Long> scanDirectory(Path dir, OffsetIndexFactory indexFactory) throws IOException {
        TreeSet<Long> bases = new TreeSet<>();
        List<Long> timeIndexes = new ArrayList<>();
        List<Long> offsetIndexes = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                OptionalLong log = LogFiles.baseOffsetOf(f, LogFiles.LOG_SUFFIX);
                OptionalLong idx = LogFiles.baseOffsetOf(f, LogFiles.INDEX_SUFFIX);
                OptionalLong tidx = LogFiles.baseOffsetOf(f, LogFiles.TIME_INDEX_SUFFIX);
                if (log.isPresent()) {
                    bases.add(log.getAsLong());
                } else if (idx.isPresent()) {
                    offsetIndexes.add(idx.getAsLong());
                } else if (tidx.isPresent()) {
                    timeIndexes.add(tidx.getAsLong());
                }
            }
        }
        for (long base : offsetIndexes) {
            if (!bases.contains(base)) {
                LOG.info("Deleting offset index of missing segment {} in {}", base, dir);
                indexFactory.delete(dir, base);
            }
        }
        for (long base : timeIndexes) {
            if (!bases.contains(base)) {
                LOG.info("Deleting time index of missing segment {} in {}", base, dir);
                Files.deleteIfExists(LogFiles.timeIndexFile(dir, base));
            }
        }
        return bases;
    }

    /** Opens a segment; an index the factory cannot open at all is deleted and recreated empty. */
    private static LogSegment openSegment(Path dir, TopicPartition tp, long base, OffsetIndexFactory indexFactory,
                                          LogConfig config, OpenFileCache files) throws IOException {
        try {
            return LogSegment.open(dir, base, indexFactory, config.segmentIndexBytes(), files);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot open the indexes of segment {} of {} ({}); deleting them to rebuild", base, tp,
                    e.toString());
            indexFactory.delete(dir, base);
            Files.deleteIfExists(LogFiles.timeIndexFile(dir, base));
            return LogSegment.open(dir, base, indexFactory, config.segmentIndexBytes(), files);
        }
    }

    private static void recover(TopicPartition tp, ConcurrentSkipListMap<Long, LogSegment> segments, boolean clean,
                                LogConfig config, long now) throws IOException {
        int interval = config.indexIntervalBytes();
        long lastBase = segments.lastKey();
        for (Map.Entry<Long, LogSegment> e : new ArrayList<>(segments.entrySet())) {
            LogSegment s = e.getValue();
            boolean isLast = e.getKey() == lastBase;
            s.pin(true);
            try {
                if (!recoverSegment(tp, segments, s, isLast, clean, interval, now)) {
                    return;
                }
            } finally {
                s.pin(s == segments.lastEntry().getValue());
            }
        }
        checkContiguous(tp, segments);
    }

    /** Checks or recovers one segment; false when later segments were dropped (nothing more to check). */
    private static boolean recoverSegment(TopicPartition tp, ConcurrentSkipListMap<Long, LogSegment> segments,
                                          LogSegment s, boolean isLast, boolean clean, int interval, long now)
            throws IOException {
        boolean needsRecovery = isLast || !clean;
        try {
            // Every segment's indexes are checked, also those about to be rebuilt, so damage is reported.
            s.sanityCheckIndexes(interval);
        } catch (IOException corrupt) {
            LOG.warn("Rebuilding the indexes of segment {} of {}: {}", s.baseOffset(), tp, corrupt.getMessage());
            s.deleteIndexes();
            needsRecovery = true;
        }
        if (!needsRecovery && !s.loadState(now)) {
            LOG.warn("Segment {} of {} ends in a torn batch; recovering it", s.baseOffset(), tp);
            needsRecovery = true;
        }
        if (needsRecovery) {
            int before = s.size();
            long cut = s.recover(interval, now);
            if (cut > 0) {
                LOG.warn("Recovery of {} cut {} bytes of torn or corrupt data from segment {} at position {}; "
                        + "the log now ends at offset {}", tp, cut, s.baseOffset(), before - cut, s.nextOffset());
                if (!isLast) {
                    dropSegmentsAfter(tp, segments, s);
                    return false;
                }
            }
            if (!isLast) {
                s.onBecomeInactive();
            }
        }
        return true;
    }

    /** A segment cut short in the middle of the log: what follows it no longer follows on, so it goes. */
    private static void dropSegmentsAfter(TopicPartition tp, ConcurrentSkipListMap<Long, LogSegment> segments,
                                          LogSegment cutSegment) throws IOException {
        for (LogSegment later : new ArrayList<>(segments.tailMap(cutSegment.baseOffset(), false).values())) {
            LOG.warn("Deleting segment {} of {}: it follows a segment that recovery cut short", later.baseOffset(),
                    tp);
            segments.remove(later.baseOffset());
            later.delete();
        }
    }

    /**
     * No segment may hold offsets at or above the next segment's base offset; from the first overlap on the later
     * segments are dropped (the earlier data wins, as it was written first). A gap is harmless: reads skip it.
     */
    private static void checkContiguous(TopicPartition tp, ConcurrentSkipListMap<Long, LogSegment> segments)
            throws IOException {
        LogSegment previous = null;
        for (LogSegment s : new ArrayList<>(segments.values())) {
            if (previous != null && previous.size() > 0 && previous.nextOffset() > s.baseOffset()) {
                LOG.warn("Segment {} of {} overlaps its predecessor (which ends at offset {})", s.baseOffset(), tp,
                        previous.nextOffset());
                dropSegmentsAfter(tp, segments, previous);
                return;
            }
            previous = s;
        }
    }
}
