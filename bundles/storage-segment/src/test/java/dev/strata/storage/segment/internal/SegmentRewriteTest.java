package dev.strata.storage.segment.internal;

import static dev.strata.storage.segment.internal.LogTestSupport.TP;
import static dev.strata.storage.segment.internal.LogTestSupport.appendBatches;
import static dev.strata.storage.segment.internal.LogTestSupport.batch;
import static dev.strata.storage.segment.internal.LogTestSupport.batchesOf;
import static dev.strata.storage.segment.internal.LogTestSupport.config;
import static dev.strata.storage.segment.internal.LogTestSupport.fileNames;
import static dev.strata.storage.segment.internal.LogTestSupport.readAllBatches;
import static dev.strata.storage.segment.internal.LogTestSupport.readAvailableBatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.log.LogConfig;
import dev.strata.api.log.LogRewrite;
import dev.strata.api.log.SegmentInfo;
import dev.strata.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Segment rewrites (the log cleaner's seam): bounds, offsets kept with gaps, the swap beside appends and reads, a
 * commit refused after the segments changed, and every crash state of the swap on disk recovering to exactly the
 * old or the new segments.
 */
class SegmentRewriteTest extends SegmentStoreTestBase {
    private static final List<Long> OLD = List.of(0L, 2L, 4L, 6L, 8L, 10L, 12L, 14L, 16L, 18L);
    private static final List<Long> NEW = List.of(2L, 6L, 12L, 16L, 18L);
    private static final long REWRITTEN_TS = 77_000;

    private Path dir() {
        return tmp.resolve("t-0");
    }

    private SegmentedLog open(LogConfig cfg) throws IOException {
        return (SegmentedLog) store.open(dir(), TP, cfg);
    }

    /** Segments [0, 10), [10, 16), [16, 20) (active), batches of 2 records. */
    private SegmentedLog threeSegments() throws IOException {
        SegmentedLog log = open(config(1 << 20, 100));
        appendBatches(log, 5, 2, 1000);
        log.roll();
        appendBatches(log, 3, 2, 5000);
        log.roll();
        appendBatches(log, 2, 2, 9000);
        return log;
    }

    private static ByteBuffer concat(ByteBuffer... batches) {
        int size = 0;
        for (ByteBuffer b : batches) {
            size += b.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer b : batches) {
            all.put(b.duplicate());
        }
        return all.flip();
    }

    /** What a cleaner of [0, 16) keeps: the batches at 2, 6 and 12, marked by their timestamps. */
    private static void writeKept(LogRewrite r) throws IOException {
        r.append(batch(2, REWRITTEN_TS + 2, 2));
        r.append(concat(batch(6, REWRITTEN_TS + 6, 2), batch(12, REWRITTEN_TS + 12, 2)));
    }

    private static List<Long> bases(SegmentedLog log) throws IOException {
        return readAllBatches(log).stream().map(RecordBatch::baseOffset).toList();
    }

    private static List<Long> segmentBases(SegmentedLog log) {
        return log.segments().stream().map(SegmentInfo::baseOffset).toList();
    }

    private void assertNoRewriteFiles() throws IOException {
        List<String> names = fileNames(dir());
        assertTrue(names.stream().noneMatch(n -> n.endsWith(".cleaned") || n.endsWith(".swap")
                || n.endsWith(".swap.end") || n.endsWith(".deleted")), names.toString());
    }

    @Test
    void aCommittedRewriteKeepsOffsetsWithGapsAndSurvivesARestart() throws IOException {
        SegmentedLog log = threeSegments();
        long size;
        try (LogRewrite r = log.rewrite(0, 16)) {
            assertEquals(0, r.baseOffset());
            assertEquals(16, r.endOffset());
            writeKept(r);
            size = r.sizeInBytes();
            assertTrue(Files.exists(dir().resolve("00000000000000000000.log.cleaned")));
            assertEquals(OLD, bases(log), "nothing changes before the commit");
            assertTrue(r.commit());
        }
        assertEquals(NEW, bases(log));
        List<SegmentInfo> infos = log.segments();
        assertEquals(List.of(0L, 16L), segmentBases(log));
        assertEquals(new SegmentInfo(0, 16, size, REWRITTEN_TS + 13, infos.get(0).lastModifiedMs()), infos.get(0));
        assertEquals(2, batchesOf(log.read(0, 1000, true)).get(0).baseOffset(), "a read in a gap gets the next batch");
        assertEquals(6, batchesOf(log.read(4, 1000, true)).get(0).baseOffset());
        assertEquals(16, batchesOf(log.read(14, 1000, true)).get(0).baseOffset());
        assertEquals(12, log.offsetForTimestamp(REWRITTEN_TS + 10).orElseThrow().offset());
        assertNoRewriteFiles();
        assertEquals(List.of(0L, 16L), LogTestSupport.segmentBases(dir()));

        log.close();
        SegmentedLog reopened = open(config(1 << 20, 100));
        assertEquals(NEW, bases(reopened));
        assertEquals(List.of(0L, 16L), segmentBases(reopened));
        assertEquals(REWRITTEN_TS + 13, reopened.segments().get(0).largestTimestamp());
        assertEquals(12, reopened.offsetForTimestamp(REWRITTEN_TS + 10).orElseThrow().offset());
    }

    @Test
    void boundsMustBeSegmentBasesBelowTheActiveSegmentAndBatchesInsideThem() throws IOException {
        SegmentedLog log = threeSegments();
        assertThrows(IllegalArgumentException.class, () -> log.rewrite(1, 16), "not a segment base");
        assertThrows(IllegalArgumentException.class, () -> log.rewrite(0, 20), "not a segment base");
        assertThrows(IllegalArgumentException.class, () -> log.rewrite(16, 16), "empty range");
        assertThrows(IllegalArgumentException.class, () -> log.rewrite(10, 0), "reversed");
        try (LogRewrite r = log.rewrite(10, 16)) {
            assertThrows(IllegalStateException.class, () -> log.rewrite(10, 16), "one rewrite of a segment at once");
            assertThrows(IllegalArgumentException.class, () -> r.append(batch(8, 0, 2)), "below the base");
            assertThrows(IllegalArgumentException.class, () -> r.append(batch(15, 0, 2)), "past the end");
            r.append(batch(12, 0, 2));
            assertThrows(IllegalArgumentException.class, () -> r.append(batch(10, 0, 2)), "out of order");
            ByteBuffer partial = batch(14, 0, 2);
            partial.limit(partial.limit() - 3);
            assertThrows(IllegalArgumentException.class, () -> r.append(partial), "a partial batch");
        }
        assertFalse(Files.exists(dir().resolve("00000000000000000010.log.cleaned")), "close drops the rewrite");
        assertEquals(OLD, bases(log));
    }

    @Test
    void commitReturnsFalseWhenRetentionRemovedSomeOfTheSegments() throws IOException {
        SegmentedLog log = threeSegments();
        try (LogRewrite r = log.rewrite(0, 16)) {
            writeKept(r);
            assertEquals(1, log.advanceLogStartOffset(12));
            assertFalse(r.commit());
        }
        assertNoRewriteFiles();
        assertEquals(List.of(12L, 14L, 16L, 18L), bases(log));
        assertEquals(List.of(10L, 16L), segmentBases(log));
    }

    @Test
    void commitReturnsFalseAfterATruncationOrAClose() throws IOException {
        SegmentedLog log = threeSegments();
        LogRewrite r = log.rewrite(0, 16);
        writeKept(r);
        log.truncateTo(12);
        assertFalse(r.commit());
        LogRewrite r2 = log.rewrite(0, 10);
        log.close();
        assertFalse(r2.commit());
        assertNoRewriteFiles();
    }

    @Test
    void anEmptyRewrittenSegmentKeepsItsBaseOffset() throws IOException {
        SegmentedLog log = threeSegments();
        try (LogRewrite r = log.rewrite(10, 16)) {
            assertTrue(r.commit());
        }
        List<Long> expected = List.of(0L, 2L, 4L, 6L, 8L, 16L, 18L);
        assertEquals(expected, bases(log));
        assertEquals(List.of(0L, 10L, 16L), segmentBases(log));
        assertEquals(new SegmentInfo(10, 16, 0, -1, log.segments().get(1).lastModifiedMs()), log.segments().get(1));
        assertEquals(16, batchesOf(log.read(10, 1000, true)).get(0).baseOffset());
        log.close();
        SegmentedLog reopened = open(config(1 << 20, 100));
        assertEquals(expected, bases(reopened));
        assertEquals(List.of(0L, 10L, 16L), segmentBases(reopened));
    }

    @Test
    void aCommitBesideAppendsAndReadsLosesAndDoublesNothing() throws Exception {
        SegmentedLog log = open(config(4096, 100));
        appendBatches(log, 5, 2, 1000);
        log.roll();
        appendBatches(log, 3, 2, 5000);
        log.roll();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread appender = new Thread(() -> {
            try {
                for (int i = 0; i < 2000 && failure.get() == null; i++) {
                    appendBatches(log, 1, 2, 20_000 + i);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        Thread reader = new Thread(() -> {
            try {
                while (!stop.get() && failure.get() == null) {
                    List<RecordBatch> all = readAvailableBatches(log);
                    for (int i = 1; i < all.size(); i++) {
                        if (all.get(i).baseOffset() < all.get(i - 1).nextOffset()) {
                            throw new AssertionError("Batches out of order at " + all.get(i).baseOffset());
                        }
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        appender.start();
        reader.start();
        try (LogRewrite r = log.rewrite(0, 16)) {
            writeKept(r);
            assertTrue(r.commit());
        }
        appender.join();
        stop.set(true);
        reader.join();
        if (failure.get() != null) {
            throw new AssertionError("A concurrent append or read failed", failure.get());
        }
        List<Long> all = bases(log);
        assertEquals(List.of(2L, 6L, 12L), all.subList(0, 3));
        assertEquals(2000 + 3, all.size());
        for (int i = 3; i < all.size(); i++) {
            assertEquals(16L + 2 * (i - 3), all.get(i));
        }
    }

    @Test
    void aSliceOfAReplacedSegmentReadsOnAfterItsFilesAreDeleted() throws IOException {
        SegmentedLog log = open(config(1 << 20, 100, 300));
        appendBatches(log, 5, 2, 1000);
        log.roll();
        appendBatches(log, 3, 2, 5000);
        log.roll();
        dev.strata.api.log.LogSlice held = log.read(0, 1 << 20, true);
        dev.strata.api.log.LogSlice copy = log.read(0, 1 << 20, true);
        ByteBuffer before = copy.readFully();
        copy.release();
        try (LogRewrite r = log.rewrite(0, 16)) {
            writeKept(r);
            assertTrue(r.commit());
        }
        assertTrue(fileNames(dir()).containsAll(List.of("00000000000000000000.log.deleted",
                "00000000000000000010.log.deleted")), fileNames(dir()).toString());
        LogTestSupport.awaitTrue("the replaced segments' files go after file.delete.delay.ms", 10_000,
                () -> {
                    try {
                        return fileNames(dir()).stream().noneMatch(n -> n.endsWith(".deleted"));
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                });
        assertEquals(before, held.readFully(), "the old bytes, from the deleted file");
        held.release();
        assertEquals(0, log.heldSlices());
        // Offsets 14 and 15 are gone and nothing follows yet: like Kafka, a read there is empty until appends come.
        assertEquals(NEW.subList(0, 3), batchesOf(log.read(0, 1 << 20, true)).stream()
                .map(RecordBatch::baseOffset).toList());
        assertTrue(log.read(14, 1000, true).isEmpty());
    }

    // Crash states: the files a crash at each step of a commit leaves, made on disk, then a reopen.

    /** Makes the log, a rewrite of [0, 16), keeps the {@code .cleaned} bytes aside and closes as a crash would. */
    private Path crashedRewrite() throws IOException {
        SegmentedLog log = threeSegments();
        Path saved = tmp.resolve("cleaned-bytes");
        try (LogRewrite r = log.rewrite(0, 16)) {
            writeKept(r);
            Files.copy(dir().resolve("00000000000000000000.log.cleaned"), saved);
        }
        log.close();
        Files.delete(dir().resolve(LogFiles.CLEAN_SHUTDOWN));
        return saved;
    }

    private void writeSwapEnd() throws IOException {
        Files.writeString(dir().resolve("00000000000000000000.log.swap.end"), "16\n", StandardCharsets.UTF_8);
    }

    private void renameDeleted(long base) throws IOException {
        for (Path f : List.of(LogFiles.logFile(dir(), base), LogFiles.indexFile(dir(), base),
                LogFiles.timeIndexFile(dir(), base))) {
            Files.move(f, LogFiles.withSuffix(f, LogFiles.DELETED_SUFFIX));
        }
    }

    private void reopenAndExpect(List<Long> expected) throws IOException {
        SegmentedLog reopened = open(config(1 << 20, 100));
        assertEquals(expected, bases(reopened));
        assertNoRewriteFiles();
        if (expected.equals(NEW)) {
            assertEquals(List.of(0L, 16L), segmentBases(reopened));
            assertEquals(REWRITTEN_TS + 2, batchesOf(reopened.read(0, 100, true)).get(0).maxTimestamp() - 1);
        }
        reopened.close();
        assertEquals(expected, bases(open(config(1 << 20, 100))), "and again after a clean restart");
    }

    @Test
    void crashWithOnlyTheCleanedFileKeepsTheOldSegments() throws IOException {
        Path saved = crashedRewrite();
        Files.copy(saved, dir().resolve("00000000000000000000.log.cleaned"));
        reopenAndExpect(OLD);
    }

    @Test
    void crashAfterTheEndFileButBeforeTheSwapKeepsTheOldSegments() throws IOException {
        Path saved = crashedRewrite();
        writeSwapEnd();
        Files.copy(saved, dir().resolve("00000000000000000000.log.cleaned"));
        reopenAndExpect(OLD);
    }

    @Test
    void crashWithTheSwapAndAllOldSegmentsFinishesTheSwap() throws IOException {
        Path saved = crashedRewrite();
        writeSwapEnd();
        Files.copy(saved, dir().resolve("00000000000000000000.log.swap"));
        reopenAndExpect(NEW);
    }

    @Test
    void crashWithTheSwapAndSomeOldSegmentsDeletedFinishesTheSwap() throws IOException {
        Path saved = crashedRewrite();
        writeSwapEnd();
        Files.copy(saved, dir().resolve("00000000000000000000.log.swap"));
        renameDeleted(0);
        reopenAndExpect(NEW);
    }

    @Test
    void crashWithTheSwapAndEveryOldSegmentDeletedFinishesTheSwap() throws IOException {
        Path saved = crashedRewrite();
        writeSwapEnd();
        Files.copy(saved, dir().resolve("00000000000000000000.log.swap"));
        renameDeleted(0);
        renameDeleted(10);
        reopenAndExpect(NEW);
    }

    @Test
    void crashAfterTheSwapWasRenamedIntoPlaceKeepsTheNewSegment() throws IOException {
        Path saved = crashedRewrite();
        writeSwapEnd();
        renameDeleted(0);
        renameDeleted(10);
        Files.copy(saved, LogFiles.logFile(dir(), 0), StandardCopyOption.REPLACE_EXISTING);
        reopenAndExpect(NEW);
    }
}
