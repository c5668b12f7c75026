package dev.strata.storage.segment.internal;

import dev.strata.api.log.IndexEntry;
import dev.strata.api.log.LogSlice;
import dev.strata.api.log.OffsetIndexFactory;
import dev.strata.api.log.SegmentInfo;
import dev.strata.api.log.TimestampOffset;
import dev.strata.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One segment of a partition log (Kafka's LogSegment): the {@code %020d.log} file of whole batches named by the
 * segment's base offset, its sparse offset index (from the {@link OffsetIndexFactory} service) and its time index.
 *
 * <p>Thread-safety: append, truncate, recover, roll-related calls and close are serialised by the owning log.
 * {@link #read}, {@link #findByTimestamp} and the getters may run concurrently with them: the file size readers
 * use is published (volatile) only after the bytes and index entries are written, so a reader never sees part of
 * a batch. Reads are done by its {@link SegmentReader}; they hold the indexes they use
 * ({@link SegmentIndexes#acquire}), so a close or switch of the indexes meanwhile waits for them.
 */
final class LogSegment {
    private final Path dir;
    private final long baseOffset;
    private final Path file;
    private final SegmentChannel channel;
    private final SegmentIndexes indexes;
    private final SegmentReader reader;
    private final SegmentRemoval removal;

    /** Bytes of whole batches in the file; readers never look past it. */
    private volatile int size;
    /** One past the last offset in the segment, {@code baseOffset} when empty. */
    private volatile long nextOffset;
    private volatile long maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
    private long offsetOfMaxTimestampSoFar;
    private int bytesSinceLastIndexEntry;
    /** Wall-clock time the segment's first batch was appended (or a stand-in after a restart); -1 when empty. */
    private long rollingBaseTimeMs = -1;
    /** A failed append could not cut its bytes off: the file holds bytes past {@link #size} to drop first. */
    private boolean tailDirty;
    /** Counts truncations, so an index built beside appends can tell the bytes it read were cut. */
    private volatile int truncations;
    /** When the segment was last written: the file's time at open, the append time after. */
    private volatile long lastModifiedMs;
    /** Slices read from this segment and not yet released: its files go only after them once removed. */
    private final ReadHolds holds;

    private LogSegment(Path dir, long baseOffset, SegmentChannel channel, OffsetIndexFactory indexFactory)
            throws IOException {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.file = LogFiles.logFile(dir, baseOffset);
        this.channel = channel;
        long length = channel.size();
        this.size = (int) Math.min(length, Integer.MAX_VALUE);
        this.nextOffset = baseOffset;
        this.offsetOfMaxTimestampSoFar = baseOffset;
        this.indexes = new SegmentIndexes(dir, baseOffset, indexFactory, channel);
        this.reader = new SegmentReader(file, baseOffset, channel, indexes);
        this.removal = new SegmentRemoval(dir, baseOffset, file, channel, indexes);
        this.holds = new ReadHolds("Segment " + file);
        channel.onRelease(indexes::unload);
    }

    /**
     * Opens (creating when absent) the segment's files, pinned: its file stays open until {@link #pin}(false). The
     * state (next offset, max timestamp) is not known until {@link #loadState} or {@link #recover} runs.
     */
    static LogSegment open(Path dir, long baseOffset, OffsetIndexFactory indexFactory, OpenFileCache files)
            throws IOException {
        Path path = LogFiles.logFile(dir, baseOffset);
        if (!Files.exists(path)) {
            Files.createFile(path);
        }
        SegmentChannel ch = new SegmentChannel(path, files, true);
        try {
            LogSegment segment = new LogSegment(dir, baseOffset, ch, indexFactory);
            segment.lastModifiedMs = Files.getLastModifiedTime(path).toMillis();
            segment.indexes.acquire().close(); // opens them now, so a broken index is found at open
            return segment;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Both indexes, held until closed (writers under the log's lock use it too, so a switch never races them). */
    private SegmentIndexes.Indexes indexes() throws IOException {
        return indexes.acquire();
    }

    /**
     * Pins the segment (its file and indexes stay open: the active segment, or one being changed) or leaves it to
     * the open-file cache.
     */
    void pin(boolean pin) {
        channel.pin(pin);
    }

    long baseOffset() {
        return baseOffset;
    }

    Path dir() {
        return dir;
    }

    int truncations() {
        return truncations;
    }

    /** A header reader over the first {@code limit} bytes (for an {@link IndexBuild}). */
    BatchScanner scanner(int limit) {
        return new BatchScanner(channel, limit);
    }

    /**
     * Switches to the indexes {@code build} made (under the log's lock, after its last catch-up); the old ones are
     * deleted once no lookup uses them. An inactive segment closes the new ones until its next use.
     */
    void switchIndexes(IndexBuild build) throws IOException {
        indexes.switchTo(build);
    }

    /** The factory of the indexes in use. */
    OffsetIndexFactory indexFactory() {
        return indexes.factory();
    }

    Path file() {
        return file;
    }

    int size() {
        return size;
    }

    long nextOffset() {
        return nextOffset;
    }

    long maxTimestampSoFar() {
        return maxTimestampSoFar;
    }

    long rollingBaseTimeMs() {
        return rollingBaseTimeMs;
    }

    long lastModifiedMs() {
        return lastModifiedMs;
    }

    ReadHolds holds() {
        return holds;
    }

    /** What {@link dev.strata.api.log.PartitionLog#segments()} tells of this segment, ending before {@code next}. */
    SegmentInfo info(long next) {
        long ts = maxTimestampSoFar;
        return new SegmentInfo(baseOffset, next, size, ts >= 0 ? ts : -1, lastModifiedMs);
    }

    /**
     * Writes {@code batches} (whole, validated, described by {@code headers} with positions relative to the
     * buffer) at the end of the file, adding index entries every {@code indexIntervalBytes}, then publishes them.
     */
    void append(ByteBuffer batches, List<BatchHeader> headers, int indexIntervalBytes, long nowMs)
            throws IOException {
        if (tailDirty) {
            // An earlier failed append could not cut its bytes: do it before writing after them.
            channel.truncate(size);
            tailDirty = false;
        }
        int start = size;
        long firstBase = headers.get(0).baseOffset();
        long savedMaxTimestamp = maxTimestampSoFar;
        long savedOffsetOfMax = offsetOfMaxTimestampSoFar;
        int savedBytesSinceEntry = bytesSinceLastIndexEntry;
        long savedRollTime = rollingBaseTimeMs;
        ByteBuffer src = batches.duplicate();
        long pos = start;
        try (SegmentIndexes.Indexes ix = indexes()) {
            while (src.hasRemaining()) {
                pos += channel.write(src, pos);
            }
            if (rollingBaseTimeMs < 0) {
                rollingBaseTimeMs = nowMs;
            }
            for (BatchHeader h : headers) {
                indexBatch(ix, h.baseOffset(), start + h.position(), h.size(), h.maxTimestamp(),
                        indexIntervalBytes);
            }
        } catch (IOException | RuntimeException e) {
            // Nothing was published: drop the written bytes and index entries, or a later recovery would find the
            // rejected batch whole and bring it back (a duplicate once the producer retries).
            maxTimestampSoFar = savedMaxTimestamp;
            offsetOfMaxTimestampSoFar = savedOffsetOfMax;
            bytesSinceLastIndexEntry = savedBytesSinceEntry;
            rollingBaseTimeMs = savedRollTime;
            try (SegmentIndexes.Indexes ix = indexes()) {
                ix.offsets().truncateTo(firstBase);
                ix.times().truncateTo(firstBase);
                channel.truncate(start);
            } catch (IOException | RuntimeException suppressed) {
                tailDirty = true;
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        BatchHeader last = headers.get(headers.size() - 1);
        size = (int) pos;
        nextOffset = last.nextOffset();
        lastModifiedMs = nowMs;
    }

    private void indexBatch(SegmentIndexes.Indexes ix, long batchBaseOffset, int position, int batchSize,
                            long maxTimestamp, int indexIntervalBytes) throws IOException {
        if (maxTimestamp > maxTimestampSoFar) {
            maxTimestampSoFar = maxTimestamp;
            offsetOfMaxTimestampSoFar = batchBaseOffset;
        }
        if (bytesSinceLastIndexEntry >= indexIntervalBytes) {
            if (batchBaseOffset > ix.offsets().lastEntry().offset()) {
                ix.offsets().append(batchBaseOffset, position);
            }
            ix.times().maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batchSize;
    }

    /** See {@link SegmentReader#read}; reads within the published size. */
    LogSlice read(long offset, int maxBytes, boolean minOneBatch, long maxOffset) throws IOException {
        return reader.read(offset, maxBytes, minOneBatch, maxOffset, size);
    }

    /** See {@link SegmentReader#findByTimestamp}; looks within the published size. */
    Optional<TimestampOffset> findByTimestamp(long timestamp, long minOffset, long maxOffset) throws IOException {
        return reader.findByTimestamp(timestamp, minOffset, maxOffset, size);
    }

    /** Makes reads check batches fully before serving them (a segment that got only the cheap checks at open). */
    void checkOnRead() {
        reader.checkOnRead();
    }

    /** See {@link SegmentReader#verify}: checks every batch below the published size in full. */
    SegmentScan verify(long offsetLimit) throws IOException {
        return reader.verify(offsetLimit, size);
    }

    /** Whether a read found a damaged batch in this segment since the log opened. */
    boolean damaged() {
        return reader.damaged();
    }

    /**
     * Restores the in-memory state of a segment whose indexes passed their checks, reading and fully checking only
     * the batches after the last offset-index entry.
     *
     * @return false when that tail scan finds a torn or corrupt batch (the caller then recovers the segment)
     */
    boolean loadState(long nowMs) throws IOException {
        int limit = size;
        IndexEntry lastEntry;
        TimestampOffset lastTime;
        try (SegmentIndexes.Indexes ix = indexes()) {
            lastEntry = ix.offsets().lastEntry();
            lastTime = ix.times().lastEntry();
        }
        if (lastEntry.position() > limit) {
            return false;
        }
        maxTimestampSoFar = lastTime.timestamp();
        offsetOfMaxTimestampSoFar = lastTime.offset();
        long next = lastEntry.position() == 0 ? baseOffset : lastEntry.offset();
        int pos = lastEntry.position();
        while (pos < limit) {
            // Full checks (CRC) for the few batches after the last index entry: a cheap look at every segment.
            BatchHeader h = BatchHeader.readValid(channel, pos, limit, next);
            if (h == null) {
                return false;
            }
            if (h.maxTimestamp() > maxTimestampSoFar) {
                maxTimestampSoFar = h.maxTimestamp();
                offsetOfMaxTimestampSoFar = h.baseOffset();
            }
            next = h.nextOffset();
            pos = h.end();
        }
        nextOffset = next;
        bytesSinceLastIndexEntry = limit - lastEntry.position();
        setRestartRollTime(nowMs);
        return true;
    }

    /**
     * Checks every batch (lengths, magic, CRC, offsets that follow on and end below {@code offsetLimit}, the next
     * segment's base offset), keeps the valid ones (a damaged region in the middle is cut out of the file, a torn
     * tail is cut off) and rebuilds both indexes from them.
     *
     * @return what the check found
     */
    SegmentScan recover(int indexIntervalBytes, long nowMs, long offsetLimit) throws IOException {
        SegmentScan scan = SegmentScan.scan(channel, baseOffset, offsetLimit,
                (int) Math.min(channel.size(), Integer.MAX_VALUE));
        if (!scan.damage().isEmpty()) {
            DamagedSegment.rewrite(channel, file, scan);
        } else if (scan.tailBytes() > 0) {
            channel.truncate(scan.validEnd());
            channel.force(true);
        }
        int limit = (int) Math.min(channel.size(), Integer.MAX_VALUE);
        // New, empty index files: truncating an index full of garbage could keep some of it.
        deleteIndexes();
        resetIndexes();
        long next = baseOffset;
        int pos = 0;
        BatchScanner batches = new BatchScanner(channel, limit);
        try (SegmentIndexes.Indexes ix = indexes()) {
            while (pos < limit) {
                BatchHeader h = batches.headerAt(pos);
                if (h == null) {
                    throw new IOException("Recovered segment " + file + " has no whole batch at position " + pos);
                }
                indexBatch(ix, h.baseOffset(), pos, h.size(), h.maxTimestamp(), indexIntervalBytes);
                next = h.nextOffset();
                pos = h.end();
            }
        }
        size = limit;
        nextOffset = next;
        setRestartRollTime(nowMs);
        return scan;
    }

    /** After a restart the first append's wall-clock time is unknown: use the first batch's timestamp, capped. */
    private void setRestartRollTime(long nowMs) throws IOException {
        if (size == 0) {
            rollingBaseTimeMs = -1;
            return;
        }
        BatchHeader first = new BatchScanner(channel, size).headerAt(0);
        long ts = first == null ? nowMs : first.maxTimestamp();
        rollingBaseTimeMs = ts < 0 || ts > nowMs ? nowMs : ts;
    }

    /** Checks both indexes and that they fit this file; throws IOException describing the first problem. */
    void sanityCheckIndexes(int indexIntervalBytes) throws IOException {
        try (SegmentIndexes.Indexes ix = indexes()) {
            IndexSanityCheck.check(ix, channel, file, size, indexIntervalBytes);
        }
    }

    /** What is wrong with the indexes, or null when they pass their checks (for {@code strata:verify}). */
    String indexProblem(int indexIntervalBytes) {
        try {
            sanityCheckIndexes(indexIntervalBytes);
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /** Empties both indexes (before a rebuild). */
    void resetIndexes() throws IOException {
        try (SegmentIndexes.Indexes ix = indexes()) {
            ix.offsets().truncateTo(baseOffset);
            ix.times().truncateTo(baseOffset);
        }
        maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = baseOffset;
        bytesSinceLastIndexEntry = 0;
    }

    /**
     * Deletes and reopens both index files empty, for an index the factory could not even open or that failed its
     * checks; the caller then recovers the segment to fill them.
     */
    void deleteIndexes() throws IOException {
        indexes.delete();
        indexes().close();
    }

    /**
     * Removes every batch at or above {@code offset}; a batch that contains it is removed whole.
     *
     * @return bytes removed
     */
    int truncateTo(long offset) throws IOException {
        int limit = size;
        BatchHeader cutAt = reader.locate(offset, limit);
        if (cutAt == null) {
            return 0;
        }
        int newSize = cutAt.position();
        truncations++;
        IndexEntry lastEntry;
        try (SegmentIndexes.Indexes ix = indexes()) {
            ix.offsets().truncateTo(cutAt.baseOffset());
            ix.times().truncateTo(cutAt.baseOffset());
            lastEntry = ix.offsets().lastEntry();
        }
        size = newSize;
        channel.truncate(newSize);
        nextOffset = cutAt.baseOffset();
        // Recompute the max timestamp and index progress from what is left.
        maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = baseOffset;
        int pos = 0;
        BatchScanner scan = new BatchScanner(channel, newSize);
        while (pos < newSize) {
            BatchHeader h = scan.headerAt(pos);
            if (h == null) {
                break;
            }
            if (h.maxTimestamp() > maxTimestampSoFar) {
                maxTimestampSoFar = h.maxTimestamp();
                offsetOfMaxTimestampSoFar = h.baseOffset();
            }
            pos = h.end();
        }
        bytesSinceLastIndexEntry = newSize - lastEntry.position();
        if (newSize == 0) {
            rollingBaseTimeMs = -1;
        }
        return limit - newSize;
    }

    /**
     * Called when a newer segment takes over appends: records the final max timestamp in the time index, flushes,
     * and trims both indexes to their entries so the files on disk are exact.
     */
    void onBecomeInactive() throws IOException {
        if (maxTimestampSoFar >= 0) {
            try (SegmentIndexes.Indexes ix = indexes()) {
                ix.times().maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
            }
        }
        flush();
        // Closing lets the implementation finish them (the mmap files are trimmed); readers in flight keep them until
        // they are done, and the next use opens them again.
        indexes.close();
    }

    void flush() throws IOException {
        channel.force(true);
        try (SegmentIndexes.Indexes ix = indexes()) {
            ix.offsets().flush();
            ix.times().flush();
        }
    }

    /** Flushes and closes the files; the indexes are trimmed to their entries. */
    void close() throws IOException {
        try {
            closeKeepingReads();
        } finally {
            channel.close();
        }
    }

    /**
     * Flushes and closes everything but the segment file's channel, which slices handed out may still be reading;
     * {@link #closeChannel()} closes it when they are done. Nothing is written to the segment's files after this.
     */
    void closeKeepingReads() throws IOException {
        try {
            // A segment that is not pinned was finished (and flushed) when it stopped being active.
            if (channel.isOpen() && (channel.isPinned() || tailDirty)) {
                if (maxTimestampSoFar >= 0) {
                    try (SegmentIndexes.Indexes ix = indexes()) {
                        ix.times().maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
                    }
                }
                if (tailDirty) {
                    channel.truncate(size);
                }
                channel.force(true);
            }
        } finally {
            indexes.close();
        }
    }

    /** The segment file's channel (tests). */
    SegmentChannel channel() {
        return channel;
    }

    void closeChannel() throws IOException {
        channel.close();
    }

    /**
     * Takes the segment out of service once the log dropped it (under the log's lock): lookups in flight stop using
     * its indexes, and its files are renamed {@code .deleted} ({@link SegmentRemoval#removeFromLog}).
     */
    void removeFromLog() throws IOException {
        reader.markRemoved();
        removal.removeFromLog();
    }

    /** Whether the segment left the log (retention, a rewrite): its files close once its slices are released. */
    boolean removed() {
        return reader.removed();
    }

    /** Deletes the renamed files of a segment that left the log ({@link SegmentRemoval#deleteRemoved}). */
    void deleteRemoved() throws IOException {
        removal.deleteRemoved();
    }

    /** Before the partition's directory is renamed ({@link SegmentRemoval#prepareDirectoryDelete}). */
    void prepareDirectoryDelete() throws IOException {
        removal.prepareDirectoryDelete();
    }

    /** Closes without flushing and removes the segment's files. */
    void delete() throws IOException {
        removal.delete();
    }

    /**
     * Gives a segment written by a {@link SegmentRewrite} (its file already in place, its indexes empty) the index
     * entries and state the rewrite collected, and finishes it as an inactive segment.
     */
    void adoptRewrite(RewriteIndex built, long lastModified) throws IOException {
        try (SegmentIndexes.Indexes ix = indexes()) {
            built.writeTo(ix.offsets(), ix.times());
        }
        maxTimestampSoFar = built.maxTimestamp();
        offsetOfMaxTimestampSoFar = built.offsetOfMaxTimestamp();
        nextOffset = built.nextOffset();
        bytesSinceLastIndexEntry = built.bytesSinceEntry();
        lastModifiedMs = lastModified;
        onBecomeInactive();
    }

    @Override
    public String toString() {
        return "LogSegment(" + file + ", size=" + size + ", nextOffset=" + nextOffset + ")";
    }
}
