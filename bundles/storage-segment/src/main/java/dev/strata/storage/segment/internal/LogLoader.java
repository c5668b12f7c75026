package dev.strata.storage.segment.internal;

import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.LogConfig;
import dev.strata.api.log.OffsetIndexFactory;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a partition directory and recovers it (Kafka's LogLoader): removes the files of segments that left the log
 * ({@code .deleted}), unfinished rewrites ({@code .cleaned}) and index files without a segment, finishes committed
 * rewrites ({@code .swap}, see {@link SegmentRewrite}), opens every segment, checks its indexes and rebuilds the
 * ones that are missing or corrupt, and checks batches. Whatever is found on disk, the log opens: at worst with less data than the files held, and it
 * says so in the log, naming the file, the position and the offsets lost.
 *
 * <p>What is checked in full (every batch with its CRC): after a clean shutdown the last segment; after a crash
 * every segment from the one holding the {@linkplain RecoveryPointFile recovery point} on (all of them when there is
 * no recovery point). Every other segment gets the cheap checks: its indexes' sanity, that the last index entry
 * points at its batch, and the full check of the batches after the last index entry; a segment failing them is
 * checked in full. A full check cuts damaged batches out and keeps what follows them (see {@link SegmentScan}), so
 * one bad batch costs its own records, not the rest of the log: the log then has a gap in its offsets, which reads
 * skip as Kafka does (a fetch inside the gap returns the next batch).
 *
 * <p>Stateless; one call works on one directory and is not thread-safe for it.
 */
final class LogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

    private LogLoader() {
    }

    static SegmentedLog load(Path dir, TopicPartition tp, LogConfig config, OffsetIndexFactory indexFactory,
                             String indexType, OpenFileCache files, LongSupplier clock,
                             Consumer<SegmentedLog> onClose) throws IOException {
        Files.createDirectories(dir);
        Path marker = dir.resolve(LogFiles.CLEAN_SHUTDOWN);
        boolean clean = Files.exists(marker);
        // From now on a crash must be seen as unclean.
        Files.deleteIfExists(marker);

        TreeSet<Long> rewritten = new TreeSet<>();
        List<Long> bases = new ArrayList<>(scanDirectory(dir, tp, indexFactory, rewritten));
        OptionalLong checkpoint = bases.isEmpty() ? OptionalLong.empty() : RecoveryPointFile.read(dir, tp);
        long fullCheckFrom = fullCheckFrom(bases, clean, checkpoint);
        ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
        long now = clock.getAsLong();
        Outcome outcome = new Outcome();
        try {
            for (int i = 0; i < bases.size(); i++) {
                long base = bases.get(i);
                boolean isLast = i == bases.size() - 1;
                LogSegment s = openSegment(dir, tp, base, indexFactory, config, files);
                segments.put(base, s);
                try {
                    long offsetLimit = isLast ? Long.MAX_VALUE : bases.get(i + 1);
                    check(tp, s, base >= fullCheckFrom, rewritten.contains(base), isLast, offsetLimit,
                            config.indexIntervalBytes(), now, outcome);
                } finally {
                    s.pin(isLast); // the others are left to the open-file cache
                }
            }
            if (segments.isEmpty()) {
                LogSegment first = LogSegment.open(dir, 0, indexFactory, files);
                first.loadState(now);
                segments.put(0L, first);
            } else {
                checkContiguous(tp, segments);
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
        long end = segments.lastEntry().getValue().nextOffset();
        // After a crash what was checked may still be only in the page cache: the recovery point stays.
        long recoveryPoint = clean ? end : Math.min(checkpoint.orElse(0), end);
        SegmentedLog log = new SegmentedLog(dir, tp, config, indexFactory, indexType, files, clock, segments,
                onClose, recoveryPoint, checkpoint.orElse(-1), logStart(dir, tp, bases.isEmpty(), end));
        String state = bases.isEmpty() ? "new log" : (clean ? "clean shutdown" : "unclean shutdown")
                + ", " + outcome.fullyChecked + " segment(s) checked in full"
                + (outcome.bytesLost > 0 ? ", " + outcome.bytesLost + " bytes unreadable" : "");
        LOG.info("Opened log {} in {}: {} segment(s), offsets [{}, {}), {} bytes, {}", tp, dir,
                segments.size(), log.logStartOffset(), log.logEndOffset(), log.sizeInBytes(), state);
        return log;
    }

    /**
     * The checkpointed log start offset, or -1 (the first segment's base); one past the log end (segments lost to a
     * crash) is brought back to the log end.
     */
    private static long logStart(Path dir, TopicPartition tp, boolean newLog, long end) {
        OptionalLong start = newLog ? OptionalLong.empty() : RecoveryPointFile.readLogStart(dir, tp);
        if (start.isEmpty()) {
            return -1;
        }
        if (start.getAsLong() > end) {
            LOG.warn("Log start offset {} of {} is past its log end offset {}; the log starts at {}",
                    start.getAsLong(), tp, end, end);
            return end;
        }
        return start.getAsLong();
    }

    /** The base offset of the first segment to check in full. */
    private static long fullCheckFrom(List<Long> bases, boolean clean, OptionalLong checkpoint) {
        if (bases.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long last = bases.get(bases.size() - 1);
        if (clean && checkpoint.isEmpty()) {
            return last;
        }
        // After a clean shutdown the recovery point is the log end, unless reads found damage below it. Past the
        // last segment's base, nothing needs a full check: as in Kafka, a clean shutdown is trusted, and the cheap
        // checks at open plus the CRC check of each batch at its first read catch damage (rebuilding the last
        // segment's indexes at every start cost a 1,000-partition broker most of its start time).
        long point = checkpoint.orElse(0);
        if (clean && point > last) {
            return Long.MAX_VALUE;
        }
        long from = bases.get(0);
        for (long base : bases) {
            if (base <= point) {
                from = base; // the segment holding the recovery point: written to after the point
            }
        }
        return Math.min(from, last);
    }

    /** What the checks found, for the line that says the log is open. */
    private static final class Outcome {
        int fullyChecked;
        long bytesLost;
    }

    /**
     * Checks one segment, in full or cheaply (and in full when that fails), and reports what was lost. A segment
     * whose rewrite a crash interrupted ({@code rewritten}) has its indexes rebuilt in any case.
     */
    private static void check(TopicPartition tp, LogSegment s, boolean full, boolean rewritten, boolean isLast,
                              long offsetLimit, int interval, long now, Outcome outcome) throws IOException {
        boolean needsFullCheck = full || rewritten;
        try {
            // Every segment's indexes are checked, also those about to be rebuilt, so damage is reported.
            if (!rewritten) {
                s.sanityCheckIndexes(interval);
            }
        } catch (IOException corrupt) {
            LOG.warn("Rebuilding the indexes of segment {} of {}: {}", s.baseOffset(), tp, corrupt.getMessage());
            s.deleteIndexes();
            needsFullCheck = true;
        }
        if (!needsFullCheck && !s.loadState(now)) {
            LOG.warn("Segment {} of {} fails the check of its last batches; checking all of it", s.baseOffset(), tp);
            needsFullCheck = true;
        }
        if (!needsFullCheck) {
            s.checkOnRead();
            return;
        }
        SegmentScan scan = s.recover(interval, now, offsetLimit);
        outcome.fullyChecked++;
        Path file = s.file();
        for (SegmentScan.Damage d : scan.damage()) {
            outcome.bytesLost += d.bytes();
            LOG.error("Recovered log {}: {} bytes of segment {} unreadable at position {}, offsets [{}, {}) lost "
                    + "(the bytes are kept in {})", tp, d.bytes(), file, d.position(), d.fromOffset(), d.toOffset(),
                    file.getFileName() + "." + d.position() + DamagedSegment.CORRUPT_SUFFIX);
        }
        if (scan.tailBytes() > 0) {
            outcome.bytesLost += scan.tailBytes();
            if (isLast) {
                LOG.warn("Recovery of {} cut {} bytes of torn or corrupt data from segment {} at position {}; the "
                        + "log now ends at offset {}", tp, scan.tailBytes(), file, scan.validEnd(), s.nextOffset());
            } else {
                LOG.error("Recovered log {}: {} bytes of segment {} unreadable from position {} to its end, offsets "
                        + "[{}, {}) lost", tp, scan.tailBytes(), file, scan.validEnd(), scan.nextOffset(),
                        offsetLimit);
            }
        }
        if (!isLast) {
            s.onBecomeInactive();
        }
    }

    /**
     * The base offsets of the segment files; removes index files whose segment file is gone (the memory-mapped
     * index's files, whichever index serves now: they may be left from before a swap).
     */
    private static TreeSet<Long> scanDirectory(Path dir, TopicPartition tp, OffsetIndexFactory indexFactory,
                                               TreeSet<Long> rewritten) throws IOException {
        TreeSet<Long> bases = new TreeSet<>();
        List<Long> timeIndexes = new ArrayList<>();
        List<Long> offsetIndexes = new ArrayList<>();
        List<Long> swaps = new ArrayList<>();
        List<Long> swapEnds = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(LogFiles.DELETED_SUFFIX) || name.endsWith(LogFiles.CLEANED_SUFFIX)) {
                    LOG.info("Deleting {}: {}", f, name.endsWith(LogFiles.DELETED_SUFFIX)
                            ? "a segment file that left the log" : "a rewrite that was not committed");
                    Files.delete(f);
                    continue;
                }
                OptionalLong swap = LogFiles.baseOffsetOf(f, LogFiles.LOG_SUFFIX + LogFiles.SWAP_SUFFIX);
                if (swap.isPresent()) {
                    swaps.add(swap.getAsLong());
                    continue;
                }
                OptionalLong swapEnd = LogFiles.baseOffsetOf(f, LogFiles.LOG_SUFFIX + LogFiles.SWAP_END_SUFFIX);
                if (swapEnd.isPresent()) {
                    swapEnds.add(swapEnd.getAsLong());
                    continue;
                }
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
        for (long base : swaps) {
            Path swap = LogFiles.withSuffix(LogFiles.logFile(dir, base), LogFiles.SWAP_SUFFIX);
            OptionalLong end = swapEnds.contains(base) ? readSwapEnd(dir, base) : OptionalLong.empty();
            if (end.isEmpty()) {
                // No end offset: the repair of a damaged segment that did not finish (the segment file is whole).
                LOG.info("Deleting {}: a rewrite that did not finish (the segment file is whole)", swap);
                Files.delete(swap);
                continue;
            }
            finishSwap(dir, tp, indexFactory, bases, base, end.getAsLong());
            rewritten.add(base);
        }
        for (long base : swapEnds) {
            if (!rewritten.contains(base) && bases.contains(base)) {
                // The swap was renamed into place, but the commit did not finish: its indexes may not be written.
                rewritten.add(base);
            }
            Files.deleteIfExists(LogFiles.withSuffix(LogFiles.logFile(dir, base), LogFiles.SWAP_END_SUFFIX));
        }
        for (long base : offsetIndexes) {
            if (!bases.contains(base)) {
                LOG.info("Deleting offset index of missing segment {} in {}", base, dir);
                indexFactory.delete(dir, base);
                Files.deleteIfExists(LogFiles.indexFile(dir, base));
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

    /**
     * Finishes a rewrite committed before a crash: the segments it replaces (base offsets in {@code [base, end)})
     * go, with their indexes, and the {@code .swap} file takes the first one's name. Its indexes are rebuilt by the
     * full check that follows.
     */
    private static void finishSwap(Path dir, TopicPartition tp, OffsetIndexFactory indexFactory, TreeSet<Long> bases,
                                   long base, long end) throws IOException {
        List<Long> replaced = new ArrayList<>(bases.subSet(base, true, end, false));
        for (long old : replaced) {
            indexFactory.delete(dir, old);
            Files.deleteIfExists(LogFiles.indexFile(dir, old));
            Files.deleteIfExists(LogFiles.timeIndexFile(dir, old));
            Files.delete(LogFiles.logFile(dir, old));
            bases.remove(old);
        }
        indexFactory.delete(dir, base);
        Path target = LogFiles.logFile(dir, base);
        Files.move(LogFiles.withSuffix(target, LogFiles.SWAP_SUFFIX), target, StandardCopyOption.ATOMIC_MOVE);
        DamagedSegment.fsyncDirectory(dir);
        bases.add(base);
        LOG.info("Finished the rewrite of segments [{}, {}) of {} that a crash interrupted: {} old segment(s) "
                + "deleted, the rewritten one in place", base, end, tp, replaced.size());
    }

    private static OptionalLong readSwapEnd(Path dir, long base) {
        Path file = LogFiles.withSuffix(LogFiles.logFile(dir, base), LogFiles.SWAP_END_SUFFIX);
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Ignoring {}: {}", file, e.toString());
            return OptionalLong.empty();
        }
    }

    /** Opens a segment; an index the factory cannot open at all is deleted and recreated empty. */
    private static LogSegment openSegment(Path dir, TopicPartition tp, long base, OffsetIndexFactory indexFactory,
                                          LogConfig config, OpenFileCache files) throws IOException {
        try {
            return LogSegment.open(dir, base, indexFactory, files);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot open the indexes of segment {} of {} ({}); deleting them to rebuild", base, tp,
                    e.toString());
            indexFactory.delete(dir, base);
            return LogSegment.open(dir, base, indexFactory, files);
        }
    }

    /** What follows a segment that overlaps it no longer follows on, so it goes. */
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
