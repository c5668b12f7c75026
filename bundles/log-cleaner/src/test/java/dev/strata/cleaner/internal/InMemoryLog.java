package dev.strata.cleaner.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.AppendResult;
import dev.strata.api.log.LogConfig;
import dev.strata.api.log.LogRewrite;
import dev.strata.api.log.LogSlice;
import dev.strata.api.log.LogSliceSource;
import dev.strata.api.log.PartitionLog;
import dev.strata.api.log.SegmentInfo;
import dev.strata.api.log.TimestampOffset;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordBatches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A partition log held in memory for the cleaner's tests: segments of whole batches, rolled by hand, with the
 * rewrite contract of {@link PartitionLog#rewrite} (commit swaps a run of segments unless it changed meanwhile; the
 * rewritten segment keeps the last replaced segment's modification time, as Kafka's cleaner sets it). A fake of the
 * store the cleaner works on, not of the cleaner.
 */
final class InMemoryLog implements PartitionLog {

    /** One segment: its batches, in offset order. */
    static final class Segment {
        final long base;
        long next;
        long lastModified;
        final List<ByteBuffer> batches = new ArrayList<>();

        Segment(long base, long lastModified) {
            this.base = base;
            this.next = base;
            this.lastModified = lastModified;
        }

        long size() {
            return batches.stream().mapToLong(ByteBuffer::remaining).sum();
        }
    }

    private final TopicPartition tp = new TopicPartition("compacted", 0);
    final List<Segment> segments = new ArrayList<>();
    final AtomicInteger openSlices = new AtomicInteger();
    long clock;
    long logStartOffset;

    InMemoryLog(long clock) {
        this.clock = clock;
        segments.add(new Segment(0, clock));
    }

    Segment active() {
        return segments.get(segments.size() - 1);
    }

    @Override
    public TopicPartition topicPartition() {
        return tp;
    }

    @Override
    public synchronized long logStartOffset() {
        return Math.max(logStartOffset, segments.get(0).base);
    }

    @Override
    public synchronized long logEndOffset() {
        return active().next;
    }

    @Override
    public synchronized long sizeInBytes() {
        return segments.stream().mapToLong(Segment::size).sum();
    }

    @Override
    public synchronized AppendResult append(ByteBuffer batches) {
        Segment active = active();
        long first = active.next;
        for (RecordBatch batch : RecordBatches.parse(batches)) {
            if (batch.baseOffset() != active.next) {
                throw new IllegalArgumentException("batch at " + batch.baseOffset() + ", log end " + active.next);
            }
            ByteBuffer copy = ByteBuffer.allocate(batch.sizeInBytes()).put(batch.slice()).flip();
            active.batches.add(copy);
            active.next = batch.nextOffset();
        }
        active.lastModified = clock;
        return new AppendResult(first, active.next - 1, active.next);
    }

    @Override
    public synchronized LogSlice read(long offset, int maxBytes, boolean minOneBatch) {
        if (offset < logStartOffset() || offset > logEndOffset()) {
            throw new StrataException(ErrorCode.OFFSET_OUT_OF_RANGE, "offset " + offset);
        }
        for (Segment s : segments) {
            if (s.next <= offset) {
                continue;
            }
            List<ByteBuffer> out = new ArrayList<>();
            int size = 0;
            for (ByteBuffer b : s.batches) {
                RecordBatch batch = RecordBatch.at(b, 0);
                if (batch.lastOffset() < offset) {
                    continue;
                }
                if (size + b.remaining() > maxBytes && !(out.isEmpty() && minOneBatch)) {
                    break;
                }
                out.add(b);
                size += b.remaining();
            }
            if (out.isEmpty()) {
                continue;
            }
            ByteBuffer joined = ByteBuffer.allocate(size);
            out.forEach(b -> joined.put(b.duplicate()));
            joined.flip();
            openSlices.incrementAndGet();
            return new LogSlice(new BufferSource(joined), 0, size, RecordBatch.at(joined, 0).baseOffset());
        }
        return LogSlice.EMPTY;
    }

    @Override
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) {
        return Optional.empty();
    }

    @Override
    public synchronized List<SegmentInfo> segments() {
        return segments.stream().map(s -> new SegmentInfo(s.base, s.next, s.size(), -1, s.lastModified)).toList();
    }

    @Override
    public synchronized int advanceLogStartOffset(long offset) {
        logStartOffset = Math.max(logStartOffset, offset);
        int removed = 0;
        while (segments.size() > 1 && segments.get(0).next <= offset) {
            segments.remove(0);
            removed++;
        }
        return removed;
    }

    @Override
    public synchronized LogRewrite rewrite(long baseOffset, long endOffset) {
        List<Segment> replaced = new ArrayList<>();
        boolean endIsBoundary = false;
        for (Segment s : segments.subList(0, segments.size() - 1)) {
            if (s.base >= baseOffset && s.base < endOffset) {
                replaced.add(s);
            }
        }
        for (Segment s : segments) {
            endIsBoundary |= s.base == endOffset && s != segments.get(0);
        }
        if (replaced.isEmpty() || replaced.get(0).base != baseOffset || !endIsBoundary) {
            throw new IllegalArgumentException("[" + baseOffset + ", " + endOffset + ") is not a run of segments");
        }
        return new Rewrite(replaced, baseOffset, endOffset);
    }

    /** Rolls at the log end, the new segment modified at the current clock. */
    @Override
    public synchronized void roll() {
        segments.add(new Segment(active().next, clock));
    }

    @Override
    public void truncateTo(long offset) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void flush() {
    }

    @Override
    public void reconfigure(LogConfig config) {
    }

    @Override
    public void close() {
    }

    @Override
    public void delete() {
    }

    /** Every batch of the log, in order (copies). */
    synchronized List<ByteBuffer> allBatches() {
        List<ByteBuffer> all = new ArrayList<>();
        segments.forEach(s -> s.batches.forEach(b -> all.add(b.duplicate())));
        return all;
    }

    private final class Rewrite implements LogRewrite {
        private final List<Segment> replaced;
        private final Segment written;
        private boolean committed;

        Rewrite(List<Segment> replaced, long base, long end) {
            this.replaced = List.copyOf(replaced);
            this.written = new Segment(base, replaced.get(replaced.size() - 1).lastModified);
            this.written.next = end;
        }

        @Override
        public long baseOffset() {
            return written.base;
        }

        @Override
        public long endOffset() {
            return written.next;
        }

        @Override
        public void append(ByteBuffer batches) {
            long last = written.batches.isEmpty() ? written.base
                    : RecordBatch.at(written.batches.get(written.batches.size() - 1), 0).nextOffset();
            for (RecordBatch batch : RecordBatches.parse(batches)) {
                batch.ensureValid();
                if (batch.baseOffset() < last || batch.nextOffset() > written.next) {
                    throw new IllegalArgumentException("batch " + batch + " out of order or range");
                }
                last = batch.nextOffset();
                written.batches.add(ByteBuffer.allocate(batch.sizeInBytes()).put(batch.slice()).flip());
            }
        }

        @Override
        public long sizeInBytes() {
            return written.size();
        }

        @Override
        public boolean commit() {
            synchronized (InMemoryLog.this) {
                int at = segments.indexOf(replaced.get(0));
                if (at < 0 || at + replaced.size() >= segments.size()
                        || !segments.subList(at, at + replaced.size()).equals(replaced)) {
                    return false;
                }
                segments.subList(at, at + replaced.size()).clear();
                segments.add(at, written);
                committed = true;
                return true;
            }
        }

        @Override
        public void close() {
        }
    }

    private final class BufferSource implements LogSliceSource {
        private final ByteBuffer bytes;
        private boolean released;

        BufferSource(ByteBuffer bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read(ByteBuffer dst, long position) {
            if (position >= bytes.limit()) {
                return -1;
            }
            ByteBuffer src = bytes.duplicate().position((int) position);
            int n = Math.min(src.remaining(), dst.remaining());
            dst.put(src.limit((int) position + n));
            return n;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return target.write(bytes.duplicate().position((int) position).limit((int) (position + count)));
        }

        @Override
        public long size() {
            return bytes.limit();
        }

        @Override
        public synchronized void release() {
            if (!released) {
                released = true;
                openSlices.decrementAndGet();
            }
        }
    }
}
