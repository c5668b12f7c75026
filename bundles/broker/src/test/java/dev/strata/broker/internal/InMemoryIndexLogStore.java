package dev.strata.broker.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.AppendResult;
import dev.strata.api.log.LogConfig;
import dev.strata.api.log.LogRewrite;
import dev.strata.api.log.SegmentInfo;
import dev.strata.api.log.LogSlice;
import dev.strata.api.log.LogSliceSource;
import dev.strata.api.log.LogStore;
import dev.strata.api.log.PartitionLog;
import dev.strata.api.log.TimestampOffset;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordBatches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test double for the segment store (a collaborator of the broker, built in parallel elsewhere): one file per
 * partition, the batch index kept in memory and rebuilt by scanning the file at open. Thread-safe (synchronized).
 */
final class InMemoryIndexLogStore implements LogStore {
    final Map<Path, FileLog> opened = new ConcurrentHashMap<>();

    @Override
    public PartitionLog open(Path dir, TopicPartition tp, LogConfig config) throws IOException {
        FileLog log = new FileLog(dir, tp);
        opened.put(dir, log);
        return log;
    }

    static final String START_FILE = "log-start-offset";

    record Entry(long baseOffset, long lastOffset, long position, int size, long maxTimestamp) {
    }

    static final class FileLog implements PartitionLog {
        private final Path dir;
        private final TopicPartition tp;
        private final FileChannel channel;
        private final List<Entry> entries = new ArrayList<>();
        private long end;
        private long nextOffset;
        /** Where DeleteRecords moved the start, 0 when never. */
        private long startOffset;
        boolean closed;
        int flushes;

        FileLog(Path dir, TopicPartition tp) throws IOException {
            this.dir = dir;
            this.tp = tp;
            Files.createDirectories(dir);
            this.channel = FileChannel.open(dir.resolve("00000000000000000000.log"), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            ByteBuffer all = ByteBuffer.allocate((int) channel.size());
            channel.read(all, 0);
            all.flip();
            int valid = RecordBatches.validPrefixLength(all);
            all.limit(valid);
            for (RecordBatch b : RecordBatches.parse(all)) {
                entries.add(new Entry(b.baseOffset(), b.lastOffset(), b.start(), b.sizeInBytes(), b.maxTimestamp()));
                nextOffset = b.nextOffset();
            }
            end = valid;
            channel.truncate(valid);
            Path start = dir.resolve(START_FILE);
            if (Files.exists(start)) {
                startOffset = Long.parseLong(Files.readString(start).trim());
            }
        }

        @Override
        public TopicPartition topicPartition() {
            return tp;
        }

        @Override
        public synchronized long logStartOffset() {
            return Math.max(startOffset, entries.isEmpty() ? nextOffset : entries.get(0).baseOffset());
        }

        @Override
        public synchronized long logEndOffset() {
            return nextOffset;
        }

        @Override
        public synchronized long sizeInBytes() {
            return end;
        }

        @Override
        public synchronized AppendResult append(ByteBuffer batches) throws IOException {
            List<RecordBatch> parsed = RecordBatches.parse(batches);
            if (parsed.isEmpty() || parsed.get(0).baseOffset() != nextOffset) {
                throw new IllegalArgumentException("Offsets do not follow on: " + parsed + " at " + nextOffset);
            }
            long first = nextOffset;
            long pos = end;
            ByteBuffer dup = batches.duplicate();
            while (dup.hasRemaining()) {
                pos += channel.write(dup, pos);
            }
            for (RecordBatch b : parsed) {
                entries.add(new Entry(b.baseOffset(), b.lastOffset(), end + b.start() - batches.position(),
                        b.sizeInBytes(), b.maxTimestamp()));
                nextOffset = b.nextOffset();
            }
            end = pos;
            return new AppendResult(first, nextOffset - 1, nextOffset);
        }

        @Override
        public synchronized LogSlice read(long offset, int maxBytes, boolean minOneBatch) {
            if (offset < logStartOffset() || offset > nextOffset) {
                throw new StrataException(ErrorCode.OFFSET_OUT_OF_RANGE, "Offset " + offset + " not in ["
                        + logStartOffset() + ", " + nextOffset + "]");
            }
            if (offset == nextOffset) {
                return LogSlice.EMPTY;
            }
            int i = 0;
            while (entries.get(i).lastOffset() < offset) {
                i++;
            }
            long position = entries.get(i).position();
            int size = 0;
            for (int j = i; j < entries.size(); j++) {
                int s = entries.get(j).size();
                if (size + (long) s > maxBytes && !(j == i && minOneBatch)) {
                    break;
                }
                size += s;
            }
            return size == 0 ? LogSlice.EMPTY : new LogSlice(LogSliceSource.ofChannel(channel), position, size, entries.get(i).baseOffset());
        }

        @Override
        public synchronized Optional<TimestampOffset> offsetForTimestamp(long timestamp) {
            for (Entry e : entries) {
                if (e.maxTimestamp() >= timestamp) {
                    return Optional.of(new TimestampOffset(e.maxTimestamp(), e.baseOffset()));
                }
            }
            return Optional.empty();
        }

        @Override
        public List<SegmentInfo> segments() {
            return List.of(new SegmentInfo(0, logEndOffset(), sizeInBytes(), -1, 0));
        }

        /** Moves the start only (one segment never leaves); kept in a file so that it survives a reopen. */
        @Override
        public synchronized int advanceLogStartOffset(long offset) throws IOException {
            if (offset > nextOffset) {
                throw new StrataException(ErrorCode.OFFSET_OUT_OF_RANGE, "Offset " + offset + " is past the end "
                        + nextOffset);
            }
            if (offset > logStartOffset()) {
                startOffset = offset;
                Files.writeString(dir.resolve(START_FILE), Long.toString(offset));
            }
            return 0;
        }

        @Override
        public LogRewrite rewrite(long baseOffset, long endOffset) {
            throw new UnsupportedOperationException("This test store has one segment and no compaction");
        }

        @Override
        public synchronized void truncateTo(long offset) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void roll() {
        }

        @Override
        public synchronized void flush() throws IOException {
            flushes++;
            channel.force(true);
        }

        @Override
        public void reconfigure(LogConfig config) {
        }

        @Override
        public synchronized void close() throws IOException {
            if (!closed) {
                closed = true;
                channel.force(true);
                channel.close();
            }
        }

        @Override
        public synchronized void delete() throws IOException {
            close();
            PartitionDirs.deleteRecursively(dir);
        }
    }
}
