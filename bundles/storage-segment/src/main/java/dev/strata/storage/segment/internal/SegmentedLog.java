package dev.strata.storage.segment.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.AppendResult;
import dev.strata.api.log.LogConfig;
import dev.strata.api.log.LogRewrite;
import dev.strata.api.log.SegmentInfo;
import dev.strata.api.log.LogSlice;
import dev.strata.api.log.LogSliceSource;
import dev.strata.api.log.OffsetIndexFactory;
import dev.strata.api.log.PartitionLog;
import dev.strata.api.log.TimestampOffset;
import dev.strata.record.InvalidRecordException;
import dev.strata.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition as an ordered set of segments in one directory (Kafka's LocalLog + LogSegments): appends
 * go to the last (active) segment, which rolls on size or age; reads find their segment by base offset. The
 * indexes can be {@linkplain #switchIndexes switched} to another implementation while the log is in use. The log
 * start offset is the first segment's base offset, or higher once {@link #advanceLogStartOffset} moved it (kept in
 * {@value RecoveryPointFile#LOG_START_NAME}). Segments that leave the log (retention, DeleteRecords, a
 * {@linkplain #rewrite rewrite}) are renamed {@code .deleted} and deleted {@code file.delete.delay.ms} later, after
 * the slices read from them are released.
 *
 * <p>Thread-safety: mutations (append, truncate, roll, flush, reconfigure, close, delete) take the log's lock, so
 * they are serialised even beyond what the {@link PartitionLog} contract asks (the store's scheduled flush check
 * runs on its own thread). Reads take no lock: the segment map is concurrent and the log end offset is published
 * (volatile) only after the segment has published its bytes.
 */
final class SegmentedLog implements PartitionLog {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentedLog.class);

    private final Path dir;
    private final TopicPartition tp;
    /** The index implementation new segments get, and its live switch. */
    private final LogIndexSwitch indexSwitch;
    private final OpenFileCache files;
    private final LongSupplier clock;
    private final Consumer<SegmentedLog> onClose;
    private final Object lock = new Object();
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private volatile LogConfig config;
    private volatile long nextOffset;
    private volatile boolean closed;
    /** Slices handed out by {@link #read}: closing or deleting the log closes its files after their release. */
    private final ReadHolds holds;
    /** Deletes removed segments and a deleted log later, on the store's timer (which also bounds read holds). */
    private final SegmentDeleter deleter;
    private long unflushedMessages;
    private long lastFlushMs;
    /** The recovery point and the moved log start offset, and their files. Changed under lock. */
    private final LogCheckpoints checkpoints;

    SegmentedLog(Path dir, TopicPartition tp, LogConfig config, OffsetIndexFactory indexFactory, String indexType,
                 OpenFileCache files, LongSupplier clock, ConcurrentSkipListMap<Long, LogSegment> segments,
                 Consumer<SegmentedLog> onClose, long recoveryPoint, long checkpointedRecoveryPoint,
                 long logStartOffset) {
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("A log needs at least one segment");
        }
        this.dir = dir;
        this.tp = tp;
        this.config = config;
        this.indexSwitch = new LogIndexSwitch(indexFactory, indexType);
        this.files = files;
        this.clock = clock;
        this.segments = segments;
        this.onClose = onClose;
        this.nextOffset = segments.lastEntry().getValue().nextOffset();
        this.lastFlushMs = clock.getAsLong();
        this.checkpoints = new LogCheckpoints(dir, tp, recoveryPoint, checkpointedRecoveryPoint, logStartOffset);
        this.holds = new ReadHolds("Log " + tp);
        this.deleter = new SegmentDeleter(tp);
    }

    /** The timer that bounds how long a closed log waits for unreleased slices (set by the store). */
    void closeFilesLaterWith(ScheduledExecutorService timer) {
        deleter.useTimer(timer);
    }

    /** Slices read from this log and not released yet (tests, monitoring). */
    int heldSlices() {
        return holds.held();
    }

    @Override
    public TopicPartition topicPartition() {
        return tp;
    }

    Path dir() {
        return dir;
    }

    @Override
    public long logStartOffset() {
        Map.Entry<Long, LogSegment> first = segments.firstEntry();
        long base = first == null ? nextOffset : first.getKey(); // no segments only once deleted
        return Math.max(base, checkpoints.movedLogStart());
    }

    @Override
    public long logEndOffset() {
        return nextOffset;
    }

    @Override
    public long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) {
            total += s.size();
        }
        return total;
    }

    int segmentCount() {
        return segments.size();
    }

    /** The segments now, oldest first (for {@code strata:verify}). */
    List<LogSegment> segmentsSnapshot() {
        return new ArrayList<>(segments.values());
    }

    @Override
    public AppendResult append(ByteBuffer batches) throws IOException {
        List<BatchHeader> headers = new ArrayList<>();
        long messages = 0;
        synchronized (lock) {
            ensureOpen();
            long expected = nextOffset;
            ByteBuffer buf = batches.duplicate();
            int start = buf.position();
            if (!buf.hasRemaining()) {
                throw new IllegalArgumentException("Nothing to append to " + tp);
            }
            try {
                for (int pos = start; pos < buf.limit(); ) {
                    RecordBatch b = RecordBatch.at(buf, pos);
                    if (b.baseOffset() != expected || b.lastOffsetDelta() < 0) {
                        throw new IllegalArgumentException("Batch at offset " + b.baseOffset() + " does not follow "
                                + "the log end offset " + expected + " of " + tp);
                    }
                    headers.add(new BatchHeader(pos - start, b.baseOffset(), b.sizeInBytes(), b.lastOffsetDelta(),
                            b.maxTimestamp()));
                    messages += Math.max(1, b.recordCount());
                    expected = b.nextOffset();
                    pos += b.sizeInBytes();
                }
            } catch (InvalidRecordException e) {
                throw new IllegalArgumentException("Not whole record batches for " + tp + ": " + e.getMessage(), e);
            }
            int size = buf.remaining();
            LogConfig cfg = config;
            long segmentLimit = Math.min(cfg.segmentBytes(), Integer.MAX_VALUE);
            if (size > segmentLimit) {
                throw new StrataException(ErrorCode.RECORD_LIST_TOO_LARGE, "Append of " + size + " bytes to " + tp
                        + " exceeds the segment size " + segmentLimit);
            }
            long now = clock.getAsLong();
            long lastOffset = expected - 1;
            LogSegment active = maybeRoll(size, lastOffset, now, cfg, segmentLimit);
            active.append(buf.slice(), headers, cfg.indexIntervalBytes(), now);
            nextOffset = expected;
            unflushedMessages += messages;
            if (unflushedMessages >= cfg.flushMessages() || now - lastFlushMs >= cfg.flushMs()) {
                flushLocked(now);
            }
            return new AppendResult(headers.get(0).baseOffset(), lastOffset, expected);
        }
    }

    private LogSegment maybeRoll(int size, long lastOffset, long now, LogConfig cfg, long segmentLimit)
            throws IOException {
        LogSegment active = segments.lastEntry().getValue();
        String reason = null;
        if (active.size() > 0) {
            if ((long) active.size() + size > segmentLimit) {
                reason = "size " + active.size() + " + " + size + " > " + segmentLimit;
            } else if (active.rollingBaseTimeMs() >= 0 && now - active.rollingBaseTimeMs() >= cfg.segmentMs()) {
                reason = "age " + (now - active.rollingBaseTimeMs()) + " ms >= " + cfg.segmentMs();
            } else if (lastOffset - active.baseOffset() > Integer.MAX_VALUE) {
                reason = "relative offset overflow";
            }
        }
        if (reason == null) {
            return active;
        }
        LOG.debug("Rolling {} at offset {}: {}", tp, nextOffset, reason);
        return rollLocked();
    }

    @Override
    public void roll() throws IOException {
        synchronized (lock) {
            ensureOpen();
            rollLocked();
        }
    }

    private LogSegment rollLocked() throws IOException {
        LogSegment active = segments.lastEntry().getValue();
        long newBase = nextOffset;
        if (active.baseOffset() == newBase) {
            return active; // already empty at the log end: nothing to roll
        }
        active.onBecomeInactive();
        // The old segment is now on disk, so every segment but the last is known flushed (recovery relies on it).
        LogSegment fresh = LogSegment.open(dir, newBase, indexSwitch.factory(), files);
        fresh.loadState(clock.getAsLong());
        segments.put(newBase, fresh);
        active.pin(false); // from now on its file and indexes are open only while used
        checkpoints.rolled(newBase);
        checkpoints.checkpoint(segments.values());
        return fresh;
    }

    @Override
    public LogSlice read(long offset, int maxBytes, boolean minOneBatch) throws IOException {
        long end = nextOffset;
        long start = logStartOffset();
        if (offset < start || offset > end) {
            throw new StrataException(ErrorCode.OFFSET_OUT_OF_RANGE, "Offset " + offset + " is outside ["
                    + start + ", " + end + "] of " + tp);
        }
        if (offset == end || maxBytes < 0) {
            return LogSlice.EMPTY;
        }
        ensureOpen();
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
        int lookups = 0;
        while (entry != null) {
            LogSegment segment = entry.getValue();
            LogSlice slice;
            try {
                slice = segment.read(offset, maxBytes, minOneBatch, end);
            } catch (ClosedChannelException e) {
                if (!segment.removed() || closed || ++lookups > 3) {
                    throw e;
                }
                entry = lookAgain(offset);
                continue;
            }
            if (slice == null) {
                entry = segments.higherEntry(entry.getKey());
                continue;
            }
            if (slice.isEmpty()) {
                return LogSlice.EMPTY;
            }
            LogSliceSource held = holds.hold(slice.source(), segment.holds());
            if (segment.removed() && segments.get(entry.getKey()) != segment) {
                // It left the log (a rewrite replaced it, retention removed it) between the lookup and the hold:
                // its file may be closed already (at once with file.delete.delay.ms=0); the map has its successor.
                // Still in the map, it is being replaced under the log's lock and its file closes only after the
                // swap, which finds this hold.
                held.release();
                entry = lookAgain(offset);
                continue;
            }
            return new LogSlice(held, slice.position(), slice.size(), slice.firstOffset());
        }
        return LogSlice.EMPTY;
    }

    /** The segment holding {@code offset} after the one found left the log; OFFSET_OUT_OF_RANGE if it fell below. */
    private Map.Entry<Long, LogSegment> lookAgain(long offset) {
        long start = logStartOffset();
        if (offset < start) {
            throw new StrataException(ErrorCode.OFFSET_OUT_OF_RANGE, "Offset " + offset
                    + " is below the log start offset " + start + " of " + tp);
        }
        return segments.floorEntry(offset);
    }

    @Override
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) throws IOException {
        ensureOpen(); // the time indexes reopen on use: a closed log must not open them again
        long end = nextOffset;
        long start = logStartOffset();
        for (LogSegment s : segments.values()) {
            if (s.maxTimestampSoFar() >= timestamp) {
                Optional<TimestampOffset> found = s.findByTimestamp(timestamp, start, end);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public List<SegmentInfo> segments() {
        long end = nextOffset;
        List<SegmentInfo> infos = new ArrayList<>(segments.size());
        LogSegment previous = null;
        for (LogSegment s : segments.values()) {
            if (previous != null) {
                infos.add(previous.info(s.baseOffset()));
            }
            previous = s;
        }
        if (previous != null) {
            infos.add(previous.info(Math.max(end, previous.nextOffset())));
        }
        return infos;
    }

    @Override
    public int advanceLogStartOffset(long offset) throws IOException {
        synchronized (lock) {
            ensureOpen();
            if (offset > nextOffset) {
                throw new StrataException(ErrorCode.OFFSET_OUT_OF_RANGE, "Cannot increment the log start offset to "
                        + offset + " of partition " + tp + " since it is larger than the log end offset "
                        + nextOffset);
            }
            if (offset <= logStartOffset()) {
                return 0;
            }
            checkpoints.moveLogStart(offset);
            List<LogSegment> below = new ArrayList<>();
            for (Map.Entry<Long, LogSegment> e : segments.entrySet()) {
                Long next = segments.higherKey(e.getKey());
                if (next == null || next > offset) {
                    break; // the active segment never leaves
                }
                below.add(e.getValue());
            }
            removeSegmentsLocked(below);
            if (!below.isEmpty()) {
                LOG.info("Log start offset of {} moved to {}: {} segment(s) removed, files deleted in {} ms", tp,
                        offset, below.size(), config.fileDeleteDelayMs());
            }
            return below.size();
        }
    }

    /**
     * Takes segments out of the log (under lock): out of the map first, so new reads no longer find them, then
     * renamed {@code .deleted}; their files are deleted {@code file.delete.delay.ms} later and their descriptors
     * closed once the slices read from them are released.
     */
    void removeSegmentsLocked(List<LogSegment> leaving) throws IOException {
        if (leaving.isEmpty()) {
            return;
        }
        for (LogSegment s : leaving) {
            segments.remove(s.baseOffset(), s);
        }
        deleter.removeAndDeleteLater(dir, leaving, config.fileDeleteDelayMs());
    }

    @Override
    public LogRewrite rewrite(long baseOffset, long endOffset) throws IOException {
        synchronized (lock) {
            ensureOpen();
            return SegmentRewrite.start(this, baseOffset, endOffset);
        }
    }

    /** The log's lock: a {@link SegmentRewrite} commits under it. */
    Object lock() {
        return lock;
    }

    /** Taken before {@link #lock()} by index swaps, and by rewrite commits so that no swap runs beside one. */
    Object swapLock() {
        return indexSwitch.swapLock();
    }

    /** Deletes the files of segments that left the log (under lock) {@code file.delete.delay.ms} from now. */
    void deleteLater(List<LogSegment> removed) {
        deleter.deleteLater(removed, config.fileDeleteDelayMs());
    }

    OpenFileCache files() {
        return files;
    }

    @Override
    public void truncateTo(long offset) throws IOException {
        synchronized (lock) {
            ensureOpen();
            if (offset >= nextOffset) {
                return;
            }
            long before = nextOffset;
            if (offset <= segments.firstKey() || offset < logStartOffset()) {
                truncateFullyAndStartAt(offset);
            } else {
                for (LogSegment s : new ArrayList<>(segments.tailMap(offset, true).values())) {
                    if (segments.size() == 1) {
                        break;
                    }
                    segments.remove(s.baseOffset());
                    s.delete();
                }
                LogSegment last = segments.lastEntry().getValue();
                last.pin(true); // the new active segment
                last.truncateTo(offset);
                nextOffset = last.nextOffset();
            }
            checkpoints.truncated(nextOffset);
            checkpoints.checkpoint(segments.values());
            LOG.info("Truncated {} to offset {} (log end offset was {}, now {})", tp, offset, before, nextOffset);
        }
    }

    private void truncateFullyAndStartAt(long offset) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("Cannot truncate " + tp + " to a negative offset " + offset);
        }
        for (LogSegment s : new ArrayList<>(segments.values())) {
            s.delete();
        }
        segments.clear();
        LogSegment fresh = LogSegment.open(dir, offset, indexSwitch.factory(), files);
        fresh.resetIndexes();
        fresh.loadState(clock.getAsLong());
        segments.put(offset, fresh);
        nextOffset = offset;
        checkpoints.restartAt(offset);
    }

    @Override
    public void flush() throws IOException {
        synchronized (lock) {
            ensureOpen();
            flushLocked(clock.getAsLong());
        }
    }

    /** Flushes when the time-based policy says so; called by the store's scheduled check. */
    void flushIfDue() throws IOException {
        synchronized (lock) {
            long now = clock.getAsLong();
            if (!closed && unflushedMessages > 0 && now - lastFlushMs >= config.flushMs()) {
                flushLocked(now);
            }
        }
    }

    private void flushLocked(long now) throws IOException {
        segments.lastEntry().getValue().flush();
        checkpoints.flushed(nextOffset);
        unflushedMessages = 0;
        lastFlushMs = now;
    }

    long recoveryPoint() {
        return checkpoints.recoveryPoint();
    }

    /**
     * Writes the recovery point to its file if it moved since the last write (called on roll, close, truncation
     * and by the store's scheduled check, not on every flush: each write costs two fsyncs).
     */
    void checkpointRecoveryPoint() throws IOException {
        synchronized (lock) {
            if (!closed) {
                checkpoints.checkpoint(segments.values());
            }
        }
    }

    @Override
    public void reconfigure(LogConfig config) {
        synchronized (lock) {
            this.config = config;
        }
    }

    LogConfig config() {
        return config;
    }

    /** Messages appended since the last flush (for tests and monitoring). */
    long unflushedMessages() {
        synchronized (lock) {
            return unflushedMessages;
        }
    }

    @Override
    public Map<String, String> describe() {
        String target = indexSwitch.migratingTo();
        return Map.of(DESCRIBE_STORE, "segment", DESCRIBE_INDEX, indexSwitch.type(),
                DESCRIBE_MIGRATING, target == null ? "false" : target,
                DESCRIBE_HELD_SLICES, Integer.toString(holds.held()));
    }

    /**
     * {@link #describe} key of this store: slices read and not yet released (sends in flight; one that stays above
     * zero with no client reading is a leak).
     */
    static final String DESCRIBE_HELD_SLICES = "slices.held";

    OffsetIndexFactory indexFactory() {
        return indexSwitch.factory();
    }

    /** The segments by base offset (for the log's helpers: {@link LogIndexSwitch}, {@link SegmentRewrite}). */
    ConcurrentSkipListMap<Long, LogSegment> segmentMap() {
        return segments;
    }

    boolean isClosed() {
        return closed;
    }

    /** See {@link LogIndexSwitch#switchTo}: moves every segment's indexes to {@code to}, live. */
    long switchIndexes(OffsetIndexFactory to, String toType, BooleanSupplier stop) throws IOException {
        return indexSwitch.switchTo(this, to, toType, stop);
    }

    @Override
    public void close() throws IOException {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                IOException failure = null;
                for (LogSegment s : segments.values()) {
                    try {
                        s.closeKeepingReads();
                    } catch (IOException e) {
                        failure = e;
                    }
                }
                if (failure != null) {
                    throw failure;
                }
                checkpoints.closed(nextOffset);
                checkpoints.checkpoint(segments.values());
                Files.write(dir.resolve(LogFiles.CLEAN_SHUTDOWN), new byte[0]);
            } finally {
                onClose.accept(this);
                deleter.closeWhenReleased(holds, List.copyOf(segments.values()));
            }
        }
    }

    /**
     * Closes the log and renames its directory as Kafka does for a deleted partition ({@code
     * <topic>-<partition>.<id>-delete}, which the broker's log manager also removes at its next start), then
     * deletes it {@code file.delete.delay.ms} later; slices in flight read on from the open descriptors.
     */
    @Override
    public void delete() throws IOException {
        synchronized (lock) {
            closed = true;
            List<LogSegment> deleting = List.copyOf(segments.values());
            try {
                for (LogSegment s : deleting) {
                    s.prepareDirectoryDelete();
                }
                segments.clear();
                deleter.deleteDirectoryLater(dir, config.fileDeleteDelayMs());
                LOG.info("Deleted log {} in {}", tp, dir);
            } finally {
                onClose.accept(this);
                deleter.closeWhenReleased(holds, deleting);
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StrataException(ErrorCode.KAFKA_STORAGE_ERROR, "Log " + tp + " is closed");
        }
    }

    @Override
    public String toString() {
        return "SegmentedLog(" + tp + ", " + dir + ", segments=" + segments.size() + ", logEndOffset=" + nextOffset
                + ")";
    }
}
