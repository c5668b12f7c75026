package dev.strata.storage.segment.internal;

import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.LogConfig;
import dev.strata.api.log.LogSlice;
import dev.strata.api.log.PartitionLog;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordBatchBuilder;
import dev.strata.record.RecordBatches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Builders and checks shared by the log tests. */
final class LogTestSupport {
    static final TopicPartition TP = new TopicPartition("t", 0);

    private LogTestSupport() {
    }

    /** A clock the tests move by hand. */
    static final class ManualClock {
        final AtomicLong now = new AtomicLong(1_700_000_000_000L);

        long get() {
            return now.get();
        }

        void advance(long ms) {
            now.addAndGet(ms);
        }
    }

    static LogConfig config(long segmentBytes, int indexInterval) {
        return new LogConfig(segmentBytes, 7L * 24 * 3600 * 1000, Long.MAX_VALUE, Long.MAX_VALUE, indexInterval,
                1024 * 1024, 0);
    }

    /** With {@code file.delete.delay.ms} {@code deleteDelayMs}. */
    static LogConfig config(long segmentBytes, int indexInterval, long deleteDelayMs) {
        return new LogConfig(segmentBytes, 7L * 24 * 3600 * 1000, Long.MAX_VALUE, Long.MAX_VALUE, indexInterval,
                1024 * 1024, deleteDelayMs);
    }

    /** Polls {@code condition} every 10 ms until it holds, failing after {@code timeoutMs}. */
    static void awaitTrue(String what, long timeoutMs, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not within " + timeoutMs + " ms: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted waiting for " + what);
            }
        }
    }

    /** The names of the files in {@code dir}, sorted. */
    static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /** A batch of {@code records} records at {@code baseOffset}, timestamps {@code ts, ts+1, ...}. */
    static ByteBuffer batch(long baseOffset, long ts, int records) {
        RecordBatchBuilder b = new RecordBatchBuilder().baseOffset(baseOffset);
        for (int i = 0; i < records; i++) {
            b.add(ts + i, ("k" + (baseOffset + i)).getBytes(StandardCharsets.UTF_8),
                    ("value-" + (baseOffset + i) + "-padding-padding").getBytes(StandardCharsets.UTF_8));
        }
        return b.build();
    }

    /** Appends {@code count} batches of {@code perBatch} records, timestamps rising by 10 per batch. */
    static void appendBatches(PartitionLog log, int count, int perBatch, long firstTs) throws IOException {
        for (int i = 0; i < count; i++) {
            long base = log.logEndOffset();
            log.append(batch(base, firstTs + 10L * i, perBatch));
        }
    }

    /** Reads the slice, releases it, and checks it is whole, valid batches; returns them. */
    static List<RecordBatch> batchesOf(LogSlice slice) throws IOException {
        ByteBuffer buf;
        try {
            buf = slice.readFully();
        } finally {
            slice.release();
        }
        List<RecordBatch> batches = RecordBatches.parse(buf);
        for (RecordBatch b : batches) {
            b.ensureValid();
        }
        return batches;
    }

    /** The base offsets of the segment files in {@code dir}, ascending. */
    static List<Long> segmentBases(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> LogFiles.baseOffsetOf(f, LogFiles.LOG_SUFFIX))
                    .filter(java.util.OptionalLong::isPresent).map(java.util.OptionalLong::getAsLong).sorted()
                    .toList();
        }
    }

    /** Every batch from the log start to the log end, following gaps; fails on a read that does not move on. */
    static List<RecordBatch> readAllBatches(PartitionLog log) throws IOException {
        List<RecordBatch> all = new java.util.ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            List<RecordBatch> batches = batchesOf(log.read(offset, 4096, true));
            if (batches.isEmpty() || batches.get(batches.size() - 1).nextOffset() <= offset) {
                throw new AssertionError("A read at offset " + offset + " of " + log + " does not move on");
            }
            all.addAll(batches);
            offset = batches.get(batches.size() - 1).nextOffset();
        }
        return all;
    }

    /**
     * Every batch from the log start on, until a read finds nothing: as a consumer reads a log that is being
     * appended to and compacted (a gap at the end, left by compaction, reads empty until later batches arrive).
     */
    static List<RecordBatch> readAvailableBatches(PartitionLog log) throws IOException {
        List<RecordBatch> all = new java.util.ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            List<RecordBatch> batches = batchesOf(log.read(offset, 4096, true));
            if (batches.isEmpty()) {
                break;
            }
            if (batches.get(batches.size() - 1).nextOffset() <= offset) {
                throw new AssertionError("A read at offset " + offset + " of " + log + " went backwards");
            }
            all.addAll(batches);
            offset = batches.get(batches.size() - 1).nextOffset();
        }
        return all;
    }
}
