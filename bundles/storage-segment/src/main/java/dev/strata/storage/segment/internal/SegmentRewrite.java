package dev.strata.storage.segment.internal;

import dev.strata.api.log.LogRewrite;
import dev.strata.record.InvalidRecordException;
import dev.strata.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run of inactive segments being replaced by one rewritten segment (Kafka's cleaner + {@code replaceSegments}):
 * batches go to {@code <base>.log.cleaned} with their index entries collected in memory ({@link RewriteIndex}).
 * The commit, under the log's lock, checks that the replaced segments are still the log's, then:
 * <ol>
 *   <li>writes {@code <base>.log.swap.end} (the end offset of the replaced segments), fsynced;</li>
 *   <li>renames {@code .cleaned} to {@code .swap} and fsyncs the directory: from here a crash finishes the swap at
 *       the next open ({@link LogLoader}), before it the rewrite is dropped;</li>
 *   <li>renames the replaced segments' files {@code .deleted} (deleted {@code file.delete.delay.ms} later, after
 *       the slices read from them);</li>
 *   <li>renames {@code .swap} to {@code <base>.log}, writes its indexes with the log's index factory, swaps the
 *       segment map entries, fsyncs the directory and removes {@code .swap.end}.</li>
 * </ol>
 * The rewritten segment keeps the base offset of the first replaced one, even when its first batch is later or it
 * holds none, so every offset of the run still finds its segment (reads in a gap move on to the next batch).
 *
 * <p>Not thread-safe: used by one thread (the cleaner); the commit is serialised with the log's mutations.
 */
final class SegmentRewrite implements LogRewrite {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentRewrite.class);

    private final SegmentedLog log;
    private final List<LogSegment> replaced;
    private final long baseOffset;
    private final long endOffset;
    private final Path cleaned;
    private final FileChannel out;
    private final RewriteIndex index;
    private long size;
    /** The lowest offset the next batch may have. */
    private long nextAllowed;
    private boolean committed;
    private boolean closed;

    private SegmentRewrite(SegmentedLog log, List<LogSegment> replaced, long endOffset, Path cleaned, FileChannel out,
                           int indexInterval) {
        this.log = log;
        this.replaced = replaced;
        this.baseOffset = replaced.get(0).baseOffset();
        this.endOffset = endOffset;
        this.cleaned = cleaned;
        this.out = out;
        this.index = new RewriteIndex(baseOffset, indexInterval);
        this.nextAllowed = baseOffset;
    }

    /**
     * Creates the {@code .cleaned} file for a rewrite of the segments in [{@code base}, {@code endOffset}) of
     * {@code log} (called under the log's lock); both must be segment base offsets at or below the active one's.
     */
    static SegmentRewrite start(SegmentedLog log, long base, long endOffset) throws IOException {
        ConcurrentSkipListMap<Long, LogSegment> segments = log.segmentMap();
        long active = segments.lastKey();
        if (!segments.containsKey(base) || !segments.containsKey(endOffset) || endOffset <= base
                || endOffset > active) {
            throw new IllegalArgumentException("Cannot rewrite [" + base + ", " + endOffset + ") of "
                    + log.topicPartition() + ": both must be segment base offsets, in order, at or below the active "
                    + "segment's " + active);
        }
        List<LogSegment> replaced = List.copyOf(segments.subMap(base, true, endOffset, false).values());
        int indexInterval = log.config().indexIntervalBytes();
        Path cleaned = LogFiles.withSuffix(LogFiles.logFile(log.dir(), base), LogFiles.CLEANED_SUFFIX);
        FileChannel out;
        try {
            out = FileChannel.open(cleaned, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("A rewrite of segment " + base + " of " + log.topicPartition()
                    + " is already under way", e);
        }
        return new SegmentRewrite(log, replaced, endOffset, cleaned, out, indexInterval);
    }

    @Override
    public long baseOffset() {
        return baseOffset;
    }

    @Override
    public long endOffset() {
        return endOffset;
    }

    @Override
    public void append(ByteBuffer batches) throws IOException {
        if (closed || committed) {
            throw new IllegalStateException("The rewrite of " + log.topicPartition() + " at " + baseOffset
                    + " is " + (committed ? "committed" : "closed"));
        }
        ByteBuffer buf = batches.duplicate();
        int start = buf.position();
        long expected = nextAllowed;
        List<BatchHeader> headers = new java.util.ArrayList<>();
        try {
            for (int pos = start; pos < buf.limit(); ) {
                RecordBatch b = RecordBatch.at(buf, pos);
                if (b.baseOffset() < expected || b.lastOffsetDelta() < 0 || b.nextOffset() > endOffset) {
                    throw new IllegalArgumentException("Batch [" + b.baseOffset() + ", " + b.nextOffset()
                            + ") is out of order or outside [" + baseOffset + ", " + endOffset + ") of the rewrite of "
                            + log.topicPartition() + " (next allowed offset " + expected + ")");
                }
                headers.add(new BatchHeader(pos - start, b.baseOffset(), b.sizeInBytes(), b.lastOffsetDelta(),
                        b.maxTimestamp()));
                expected = b.nextOffset();
                pos += b.sizeInBytes();
            }
        } catch (InvalidRecordException e) {
            throw new IllegalArgumentException("Not whole record batches for the rewrite of " + log.topicPartition()
                    + ": " + e.getMessage(), e);
        }
        if (size + buf.remaining() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("A rewritten segment of " + log.topicPartition()
                    + " cannot pass 2 GiB");
        }
        long pos = size;
        while (buf.hasRemaining()) {
            pos += out.write(buf, pos);
        }
        for (BatchHeader h : headers) {
            index.add(h, (int) (size + h.position()));
        }
        size = pos;
        nextAllowed = expected;
    }

    @Override
    public long sizeInBytes() {
        return size;
    }

    @Override
    public boolean commit() throws IOException {
        if (closed || committed) {
            throw new IllegalStateException("The rewrite of " + log.topicPartition() + " at " + baseOffset
                    + " is " + (committed ? "committed" : "closed"));
        }
        out.force(true); // the big fsync, outside the log's lock
        long lastModified = 0;
        for (LogSegment s : replaced) {
            lastModified = Math.max(lastModified, s.lastModifiedMs());
        }
        // Retention by file time judges the rewritten segment as the newest it replaces (as Kafka does).
        Files.setLastModifiedTime(cleaned, FileTime.fromMillis(lastModified));
        Path dir = log.dir();
        Path logFile = LogFiles.logFile(dir, baseOffset);
        Path swap = LogFiles.withSuffix(logFile, LogFiles.SWAP_SUFFIX);
        Path swapEnd = LogFiles.withSuffix(logFile, LogFiles.SWAP_END_SUFFIX);
        synchronized (log.swapLock()) {
            synchronized (log.lock()) {
                if (!stillSegments()) {
                    LOG.info("Rewrite of [{}, {}) of {} dropped: the segments changed meanwhile", baseOffset,
                            endOffset, log.topicPartition());
                    close();
                    return false;
                }
                writeSwapEnd(swapEnd);
                Files.move(cleaned, swap, StandardCopyOption.ATOMIC_MOVE);
                DamagedSegment.fsyncDirectory(dir);
                committed = true; // from here the next open completes the swap, whatever happens now
                try {
                    out.close();
                    for (LogSegment s : replaced) {
                        s.removeFromLog();
                    }
                    Files.move(swap, logFile, StandardCopyOption.ATOMIC_MOVE);
                    LogSegment rewritten = LogSegment.open(dir, baseOffset, log.indexFactory(), log.files());
                    try {
                        rewritten.adoptRewrite(index, lastModified);
                    } finally {
                        rewritten.pin(false);
                    }
                    swapIn(rewritten);
                    DamagedSegment.fsyncDirectory(dir);
                    Files.deleteIfExists(swapEnd);
                } catch (IOException | RuntimeException e) {
                    LOG.error("Rewrite of [{}, {}) of {} failed after its commit point; reads go on from the old "
                            + "segments and the next open of the log finishes the swap", baseOffset, endOffset,
                            log.topicPartition(), e);
                    throw e;
                }
            }
        }
        LOG.info("Rewrote segments [{}, {}) of {}: {} segment(s) replaced by one of {} bytes", baseOffset, endOffset,
                log.topicPartition(), replaced.size(), size);
        return true;
    }

    /** Whether the replaced segments are still exactly the log's in [base, end), and end a segment base. */
    private boolean stillSegments() {
        ConcurrentSkipListMap<Long, LogSegment> segments = log.segmentMap();
        if (log.isClosed() || !segments.containsKey(endOffset)) {
            return false;
        }
        List<LogSegment> now = List.copyOf(segments.subMap(baseOffset, true, endOffset, false).values());
        if (now.size() != replaced.size()) {
            return false;
        }
        for (int i = 0; i < now.size(); i++) {
            if (now.get(i) != replaced.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** Puts the rewritten segment in place of the replaced ones (under lock), in one step for readers per key. */
    private void swapIn(LogSegment rewritten) {
        ConcurrentSkipListMap<Long, LogSegment> segments = log.segmentMap();
        segments.put(rewritten.baseOffset(), rewritten); // replaces the first of them atomically
        for (LogSegment s : replaced.subList(1, replaced.size())) {
            segments.remove(s.baseOffset(), s);
        }
        log.deleteLater(replaced);
    }

    private void writeSwapEnd(Path swapEnd) throws IOException {
        try (FileChannel ch = FileChannel.open(swapEnd, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer text = ByteBuffer.wrap((endOffset + "\n").getBytes(StandardCharsets.UTF_8));
            while (text.hasRemaining()) {
                ch.write(text);
            }
            ch.force(true);
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!committed) {
            try {
                out.close();
            } finally {
                Files.deleteIfExists(cleaned);
            }
        }
    }
}
