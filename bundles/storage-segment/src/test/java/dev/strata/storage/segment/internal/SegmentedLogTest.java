package dev.strata.storage.segment.internal;

import static dev.strata.storage.segment.internal.LogTestSupport.TP;
import static dev.strata.storage.segment.internal.LogTestSupport.appendBatches;
import static dev.strata.storage.segment.internal.LogTestSupport.batch;
import static dev.strata.storage.segment.internal.LogTestSupport.batchesOf;
import static dev.strata.storage.segment.internal.LogTestSupport.config;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.log.AppendResult;
import dev.strata.api.log.LogConfig;
import dev.strata.api.log.LogSlice;
import dev.strata.api.log.PartitionLog;
import dev.strata.api.log.TimestampOffset;
import dev.strata.record.RecordBatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SegmentedLogTest extends SegmentStoreTestBase {
    private Path dir() {
        return tmp.resolve("t-0");
    }

    private SegmentedLog open(LogConfig cfg) throws IOException {
        return (SegmentedLog) store.open(dir(), TP, cfg);
    }

    /** All bytes of the log, read batch run by batch run from offset 0. */
    private static byte[] readAll(PartitionLog log) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            LogSlice slice = log.read(offset, 700, true);
            List<RecordBatch> batches = batchesOf(slice);
            assertFalse(batches.isEmpty());
            assertEquals(offset, batches.get(0).baseOffset());
            ByteBuffer bytes = slice.readFully();
            out.write(bytes.array(), 0, bytes.limit());
            offset = batches.get(batches.size() - 1).nextOffset();
        }
        return out.toByteArray();
    }

    @Test
    void appendAndReadBackAcrossSegmentRolls() throws IOException {
        SegmentedLog log = open(config(1024, 100));
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        for (int i = 0; i < 60; i++) {
            ByteBuffer b = batch(log.logEndOffset(), 1000 + i, 1 + i % 4);
            written.write(b.array(), 0, b.limit());
            AppendResult r = log.append(b);
            assertEquals(r.lastOffset() + 1, r.logEndOffset());
            assertEquals(log.logEndOffset(), r.logEndOffset());
        }
        assertTrue(log.segmentCount() > 5, "expected several rolls, got " + log.segmentCount());
        assertEquals(0, log.logStartOffset());
        assertEquals(written.size(), log.sizeInBytes());
        assertArrayEquals(written.toByteArray(), readAll(log));
        try (Stream<Path> files = Files.list(dir())) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().equals("00000000000000000000.timeindex")));
        }
    }

    @Test
    void readFromTheMiddleOfABatchReturnsThatBatch() throws IOException {
        SegmentedLog log = open(config(2048, 0));
        appendBatches(log, 30, 5, 0);
        for (long offset = 0; offset < log.logEndOffset(); offset++) {
            List<RecordBatch> batches = batchesOf(log.read(offset, 1, true));
            assertEquals(1, batches.size());
            RecordBatch b = batches.get(0);
            assertTrue(b.baseOffset() <= offset && offset <= b.lastOffset(), offset + " not in " + b);
            assertEquals(offset - offset % 5, b.baseOffset());
        }
    }

    @Test
    void maxBytesLimitsWholeBatchesAndMinOneBatchReturnsAnOversizedFirst() throws IOException {
        SegmentedLog log = open(config(1 << 20, 4096));
        appendBatches(log, 10, 2, 0);
        int batchSize = batchesOf(log.read(0, 1, true)).get(0).sizeInBytes();

        assertEquals(LogSlice.EMPTY, log.read(0, batchSize - 1, false));
        LogSlice one = log.read(0, batchSize - 1, true);
        assertEquals(batchSize, one.size());
        assertEquals(0, one.firstOffset());

        LogSlice three = log.read(4, 3 * batchSize + batchSize / 2, false);
        List<RecordBatch> batches = batchesOf(three);
        assertEquals(3, batches.size());
        assertEquals(4, batches.get(0).baseOffset());
        assertEquals(4, three.firstOffset());

        assertEquals(10, batchesOf(log.read(0, Integer.MAX_VALUE, false)).size());
    }

    @Test
    void offsetsOutsideTheLogAreOutOfRange() throws IOException {
        SegmentedLog log = open(config(1024, 100));
        assertTrue(log.read(0, 100, true).isEmpty());
        appendBatches(log, 20, 3, 0);
        long end = log.logEndOffset();
        assertTrue(log.read(end, 1000, true).isEmpty());
        StrataException above = assertThrows(StrataException.class, () -> log.read(end + 1, 1000, true));
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, above.error());
        StrataException below = assertThrows(StrataException.class, () -> log.read(-1, 1000, true));
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, below.error());

        log.truncateTo(0);
        log.truncateTo(0);
        assertEquals(0, log.logEndOffset());
    }

    @Test
    void appendRejectsBatchesThatDoNotFollowOnOrArePartial() throws IOException {
        SegmentedLog log = open(config(1024, 100));
        appendBatches(log, 2, 3, 0);
        assertThrows(IllegalArgumentException.class, () -> log.append(batch(7, 0, 1)));
        ByteBuffer half = batch(6, 0, 3);
        half.limit(half.limit() / 2);
        assertThrows(IllegalArgumentException.class, () -> log.append(half));
        StrataException tooBig = assertThrows(StrataException.class, () -> log.append(batch(6, 0, 200)));
        assertEquals(ErrorCode.RECORD_LIST_TOO_LARGE, tooBig.error());
        assertEquals(6, log.logEndOffset());
    }

    @Test
    void offsetForTimestampFindsTheFirstBatchWithALaterMaxTimestamp() throws IOException {
        SegmentedLog log = open(config(1024, 50));
        long[] maxTs = new long[40];
        long[] base = new long[40];
        for (int i = 0; i < 40; i++) {
            // Mostly rising, with a dip every 7th batch, as producer timestamps may go back.
            long ts = i % 7 == 6 ? 100 * i - 350 : 100 * i;
            base[i] = log.logEndOffset();
            log.append(batch(base[i], ts, 2));
            maxTs[i] = ts + 1;
        }
        assertTrue(log.segmentCount() > 3);
        for (long target = -5; target < 4000; target += 13) {
            Optional<TimestampOffset> expected = Optional.empty();
            for (int i = 0; i < 40; i++) {
                if (maxTs[i] >= target) {
                    expected = Optional.of(new TimestampOffset(maxTs[i], base[i]));
                    break;
                }
            }
            assertEquals(expected, log.offsetForTimestamp(target), "target " + target);
        }
        assertEquals(Optional.empty(), log.offsetForTimestamp(100_000));
    }

    @Test
    void reopenAfterCloseGivesTheSameDataAndOffsets() throws IOException {
        SegmentedLog log = open(config(1024, 100));
        appendBatches(log, 40, 3, 5000);
        byte[] before = readAll(log);
        long end = log.logEndOffset();
        Optional<TimestampOffset> byTime = log.offsetForTimestamp(5205);
        log.close();
        assertTrue(Files.exists(dir().resolve(LogFiles.CLEAN_SHUTDOWN)));
        // Closed indexes are trimmed to their entries.
        assertTrue(Files.size(LogFiles.indexFile(dir(), 0)) % 8 == 0);
        assertTrue(Files.size(LogFiles.indexFile(dir(), 0)) < 1024 * 1024);

        SegmentedLog reopened = open(config(1024, 100));
        assertFalse(Files.exists(dir().resolve(LogFiles.CLEAN_SHUTDOWN)));
        assertEquals(end, reopened.logEndOffset());
        assertEquals(0, reopened.logStartOffset());
        assertArrayEquals(before, readAll(reopened));
        assertEquals(byTime, reopened.offsetForTimestamp(5205));
        appendBatches(reopened, 5, 3, 9000);
        assertEquals(end + 15, reopened.logEndOffset());
        assertEquals(end, batchesOf(reopened.read(end, 100, true)).get(0).baseOffset());
    }

    @Test
    void reopenWithoutCloseKeepsEverythingAppended() throws IOException {
        SegmentedLog log = open(config(1024, 100));
        appendBatches(log, 25, 2, 0);
        byte[] before = readAll(log);
        // Simulates a crash: a second store opens the directory while the first never closed it.
        SegmentLogStore other = new SegmentLogStore(new MmapOffsetIndexFactory(), clock::get);
        PartitionLog again = other.open(dir(), TP, config(1024, 100));
        assertEquals(50, again.logEndOffset());
        assertArrayEquals(before, readAll(again));
        other.deactivate();
    }

    @Test
    void recoveryCutsGarbageAfterTheLastBatch() throws IOException {
        SegmentedLog log = open(config(1024, 100));
        appendBatches(log, 30, 2, 0);
        byte[] before = readAll(log);
        long end = log.logEndOffset();
        long lastBase = lastSegmentBase();
        log.close();
        Path lastFile = LogFiles.logFile(dir(), lastBase);
        long goodSize = Files.size(lastFile);
        Files.write(lastFile, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17},
                java.nio.file.StandardOpenOption.APPEND);

        SegmentedLog reopened = open(config(1024, 100));
        assertEquals(end, reopened.logEndOffset());
        assertEquals(goodSize, Files.size(lastFile));
        assertArrayEquals(before, readAll(reopened));
        appendBatches(reopened, 1, 2, 0);
        assertEquals(end + 2, reopened.logEndOffset());
    }

    @Test
    void recoveryCutsAHalfWrittenBatchAndACorruptOne() throws IOException {
        SegmentedLog log = open(config(1 << 20, 100));
        appendBatches(log, 10, 2, 0);
        long end = log.logEndOffset();
        log.close();
        Path file = LogFiles.logFile(dir(), 0);
        long goodSize = Files.size(file);
        ByteBuffer next = batch(end, 0, 3);
        Files.write(file, java.util.Arrays.copyOf(next.array(), next.limit() / 2),
                java.nio.file.StandardOpenOption.APPEND);

        SegmentedLog reopened = open(config(1 << 20, 100));
        assertEquals(end, reopened.logEndOffset());
        assertEquals(goodSize, Files.size(file));
        // Now flip one byte of the last batch's records: its CRC no longer matches, so it is cut too.
        int lastBatchStart = reopened.read(end - 2, 1, true).position() > 0
                ? (int) reopened.read(end - 2, 1, true).position() : 0;
        reopened.close();
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 3] ^= 0x55;
        Files.write(file, bytes);
        SegmentedLog again = open(config(1 << 20, 100));
        assertEquals(end - 2, again.logEndOffset());
        assertEquals(lastBatchStart, Files.size(file));
        assertEquals(9, batchesOf(again.read(0, Integer.MAX_VALUE, false)).size());
    }

    @Test
    void uncleanRecoveryOfATornEarlierSegmentKeepsWhatFollows() throws IOException {
        SegmentedLog log = open(config(1024, 100));
        appendBatches(log, 30, 2, 0);
        assertTrue(log.segmentCount() >= 3);
        List<Long> bases = segmentBases();
        long end = log.logEndOffset();
        log.close();
        Files.delete(dir().resolve(LogFiles.CLEAN_SHUTDOWN));
        // Tear the first segment: its last 20 bytes are lost, so is its last batch.
        Path first = LogFiles.logFile(dir(), 0);
        byte[] bytes = Files.readAllBytes(first);
        Files.write(first, java.util.Arrays.copyOf(bytes, bytes.length - 20));

        SegmentedLog reopened = open(config(1024, 100));
        assertEquals(bases.size(), reopened.segmentCount());
        assertEquals(end, reopened.logEndOffset());
        for (long b : bases) {
            assertTrue(Files.exists(LogFiles.logFile(dir(), b)));
        }
        // A fetch inside the gap gets the next batch, as in Kafka.
        assertEquals(bases.get(1), batchesOf(reopened.read(bases.get(1) - 2, 1, true)).get(0).baseOffset());
        assertEquals(29, LogTestSupport.readAllBatches(reopened).size());
    }

    @Test
    void anEmptyOrAllGarbageSegmentFileStillOpens() throws IOException {
        Files.createDirectories(dir());
        Files.write(LogFiles.logFile(dir(), 0), new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0, 0, 0});
        Files.write(LogFiles.indexFile(dir(), 0), new byte[] {1, 2, 3});
        Files.write(LogFiles.timeIndexFile(dir(), 42), new byte[24]);
        SegmentedLog log = open(config(1024, 100));
        assertEquals(0, log.logEndOffset());
        assertEquals(0, log.sizeInBytes());
        assertFalse(Files.exists(LogFiles.timeIndexFile(dir(), 42)));
        appendBatches(log, 3, 1, 0);
        assertEquals(3, batchesOf(log.read(0, 10_000, false)).size());
    }

    @Test
    void missingAndCorruptIndexesAreRebuilt() throws IOException {
        SegmentedLog log = open(config(4096, 64));
        appendBatches(log, 150, 2, 100);
        byte[] before = readAll(log);
        List<Long> bases = segmentBases();
        assertTrue(bases.size() >= 3);
        Optional<TimestampOffset> byTime = log.offsetForTimestamp(250);
        log.close();
        long indexSize = Files.size(LogFiles.indexFile(dir(), 0));
        assertTrue(indexSize > 0);
        Files.delete(LogFiles.indexFile(dir(), 0));
        Files.delete(LogFiles.timeIndexFile(dir(), 0));
        // Second segment: entries out of order; its time index a length that is no whole number of entries.
        Files.write(LogFiles.indexFile(dir(), bases.get(1)), new byte[] {0, 0, 0, 9, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0,
                0, 5});
        Files.write(LogFiles.timeIndexFile(dir(), bases.get(1)), new byte[] {1, 2, 3, 4, 5});

        SegmentedLog reopened = open(config(4096, 64));
        assertEquals(indexSize, Files.size(LogFiles.indexFile(dir(), 0)));
        assertArrayEquals(before, readAll(reopened));
        assertEquals(byTime, reopened.offsetForTimestamp(250));
        for (long offset = 0; offset < reopened.logEndOffset(); offset += 3) {
            RecordBatch b = batchesOf(reopened.read(offset, 1, true)).get(0);
            assertTrue(b.baseOffset() <= offset && offset <= b.lastOffset());
        }
        reopened.close();
        assertEquals(indexSize, Files.size(LogFiles.indexFile(dir(), 0)));
        assertTrue(Files.size(LogFiles.timeIndexFile(dir(), bases.get(1))) % 12 == 0);
    }

    @Test
    void truncateToRemovesEverythingFromTheOffsetOn() throws IOException {
        SegmentedLog log = open(config(1024, 100));
        appendBatches(log, 40, 2, 0);
        List<Long> bases = segmentBases();
        long boundary = bases.get(2);

        log.truncateTo(boundary + 3); // inside the batch [boundary+2, boundary+3]: that batch goes whole
        assertEquals(boundary + 2, log.logEndOffset());
        assertEquals(3, log.segmentCount());
        assertThrows(StrataException.class, () -> log.read(boundary + 3, 100, true));

        log.truncateTo(boundary);
        assertEquals(boundary, log.logEndOffset());
        assertEquals(2, log.segmentCount());
        assertFalse(Files.exists(LogFiles.logFile(dir(), boundary)));
        appendBatches(log, 3, 2, 0);
        assertEquals(boundary + 6, log.logEndOffset());
        readAll(log);

        log.truncateTo(0);
        assertEquals(0, log.logEndOffset());
        assertEquals(0, log.sizeInBytes());
        appendBatches(log, 2, 2, 0);
        log.close();
        SegmentedLog reopened = open(config(1024, 100));
        assertEquals(4, reopened.logEndOffset());
    }

    @Test
    void rollsOnAgeAndOnRequest() throws IOException {
        LogConfig aging = new LogConfig(1 << 20, 1000, Long.MAX_VALUE, Long.MAX_VALUE, 0, 1024 * 1024, 0);
        SegmentedLog log = open(aging);
        appendBatches(log, 3, 1, 0);
        assertEquals(1, log.segmentCount());
        clock.advance(1000);
        appendBatches(log, 1, 1, 0);
        assertEquals(2, log.segmentCount());
        assertEquals(3, lastSegmentBase());

        log.roll();
        assertEquals(3, log.segmentCount());
        log.roll(); // an empty active segment is not rolled again
        assertEquals(3, log.segmentCount());
        readAll(log);
    }

    @Test
    void aFullIndexDoesNotRollTheSegmentAndEveryOffsetStaysReadable() throws IOException {
        // Room for one time entry (12 bytes) and one offset entry: every batch but the first is offered to both.
        SegmentLogStore small = new SegmentLogStore(new MmapOffsetIndexFactory(12), clock::get);
        try {
            SegmentedLog log = (SegmentedLog) small.open(dir(), TP,
                    new LogConfig(1 << 20, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 0, 1024 * 1024, 0));
            appendBatches(log, 20, 2, 0);
            assertEquals(1, log.segmentCount());
            for (long offset = 0; offset < 40; offset++) {
                RecordBatch first = batchesOf(log.read(offset, 1 << 20, true)).get(0);
                assertEquals(offset - offset % 2, first.baseOffset(), "offset " + offset);
            }
            assertEquals(4, log.offsetForTimestamp(20).orElseThrow().offset()); // batch 2: timestamps 20, 21
        } finally {
            small.deactivate();
        }
    }

    @Test
    void flushPolicyFlushesAfterMessagesOrTimeAndLosesNothing() throws IOException {
        LogConfig byCount = new LogConfig(1024, 1L << 40, 5, Long.MAX_VALUE, 100, 1024 * 1024, 0);
        SegmentedLog log = open(byCount);
        appendBatches(log, 2, 2, 0);
        assertEquals(4, log.unflushedMessages());
        appendBatches(log, 1, 2, 0);
        assertEquals(0, log.unflushedMessages());

        log.reconfigure(new LogConfig(1024, 1L << 40, Long.MAX_VALUE, 500, 100, 1024 * 1024, 0));
        appendBatches(log, 1, 1, 0);
        assertEquals(1, log.unflushedMessages());
        store.flushDueLogs();
        assertEquals(1, log.unflushedMessages());
        clock.advance(500);
        store.flushDueLogs();
        assertEquals(0, log.unflushedMessages());

        log.reconfigure(new LogConfig(1024, 1L << 40, Long.MAX_VALUE, 0, 100, 1024 * 1024, 0));
        appendBatches(log, 1, 1, 0);
        assertEquals(0, log.unflushedMessages());
        long end = log.logEndOffset();
        byte[] before = readAll(log);
        log.close();
        SegmentedLog reopened = open(byCount);
        assertEquals(end, reopened.logEndOffset());
        assertArrayEquals(before, readAll(reopened));
    }

    @Test
    void deleteRemovesTheDirectory() throws IOException {
        SegmentedLog log = open(config(1024, 100));
        appendBatches(log, 20, 2, 0);
        Files.write(dir().resolve("partition.metadata"), new byte[] {1});
        log.delete();
        assertFalse(Files.exists(dir()));
        StrataException closed = assertThrows(StrataException.class, () -> log.append(batch(40, 0, 1)));
        assertEquals(ErrorCode.KAFKA_STORAGE_ERROR, closed.error());
        // The directory can be used again.
        SegmentedLog fresh = open(config(1024, 100));
        assertEquals(0, fresh.logEndOffset());
    }

    @Test
    void aDirectoryCannotBeOpenedTwiceByOneStore() throws IOException {
        open(config(1024, 100));
        assertThrows(IOException.class, () -> open(config(1024, 100)));
    }

    @Test
    void concurrentReadersOnlySeeWholeBatches() throws Exception {
        SegmentedLog log = open(config(4096, 100));
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread reader = new Thread(() -> {
            try {
                while (!done.get()) {
                    long end = log.logEndOffset();
                    long offset = end == 0 ? 0 : (end * 7919) % end;
                    LogSlice slice = log.read(offset, 2000, true);
                    if (offset < end) {
                        List<RecordBatch> batches = batchesOf(slice);
                        RecordBatch first = batches.get(0);
                        if (first.baseOffset() > offset || first.lastOffset() < offset) {
                            throw new AssertionError("offset " + offset + " not in " + first);
                        }
                    }
                    log.offsetForTimestamp(offset);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        appendBatches(log, 2000, 3, 0);
        done.set(true);
        reader.join();
        if (failure.get() != null) {
            throw new AssertionError("reader failed", failure.get());
        }
        assertEquals(6000, log.logEndOffset());
    }

    private long lastSegmentBase() throws IOException {
        List<Long> bases = segmentBases();
        return bases.get(bases.size() - 1);
    }

    private List<Long> segmentBases() throws IOException {
        try (Stream<Path> files = Files.list(dir())) {
            return files.map(p -> LogFiles.baseOffsetOf(p, LogFiles.LOG_SUFFIX))
                    .filter(java.util.OptionalLong::isPresent).map(java.util.OptionalLong::getAsLong).sorted()
                    .toList();
        }
    }
}
