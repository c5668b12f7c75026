package dev.strata.storage.segment.internal;

import static dev.strata.storage.segment.internal.LogTestSupport.TP;
import static dev.strata.storage.segment.internal.LogTestSupport.appendBatches;
import static dev.strata.storage.segment.internal.LogTestSupport.awaitTrue;
import static dev.strata.storage.segment.internal.LogTestSupport.batchesOf;
import static dev.strata.storage.segment.internal.LogTestSupport.config;
import static dev.strata.storage.segment.internal.LogTestSupport.fileNames;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.log.LogConfig;
import dev.strata.api.log.LogSlice;
import dev.strata.api.log.SegmentInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Segment figures, the log start offset (moved, checkpointed, enforced) and the delayed deletion of segments. */
class LogStartOffsetTest extends SegmentStoreTestBase {
    private Path dir() {
        return tmp.resolve("t-0");
    }

    private SegmentedLog open(LogConfig cfg) throws IOException {
        return (SegmentedLog) store.open(dir(), TP, cfg);
    }

    /** Segments [0, 10), [10, 16), [16, 20): batches of 2 records, timestamps ts, ts+1 with ts rising by 10. */
    private SegmentedLog threeSegments(LogConfig cfg) throws IOException {
        SegmentedLog log = open(cfg);
        appendBatches(log, 5, 2, 1000);
        log.roll();
        clock.advance(5);
        appendBatches(log, 3, 2, 5000);
        log.roll();
        clock.advance(5);
        appendBatches(log, 2, 2, 9000);
        return log;
    }

    private long fileSize(long base) throws IOException {
        return Files.size(LogFiles.logFile(dir(), base));
    }

    private static void assertOutOfRange(StrataException e) {
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, e.error());
    }

    @Test
    void segmentsGiveBaseNextSizeLargestTimestampAndTime() throws IOException {
        long t0 = clock.get();
        SegmentedLog log = threeSegments(config(1 << 20, 100));
        List<SegmentInfo> infos = log.segments();
        assertEquals(List.of(new SegmentInfo(0, 10, fileSize(0), 1041, t0),
                new SegmentInfo(10, 16, fileSize(10), 5021, t0 + 5),
                new SegmentInfo(16, 20, fileSize(16), 9011, t0 + 10)), infos);
        log.roll();
        SegmentInfo empty = log.segments().get(3);
        assertEquals(new SegmentInfo(20, 20, 0, -1, empty.lastModifiedMs()), empty);
        assertEquals(log.sizeInBytes(), log.segments().stream().mapToLong(SegmentInfo::sizeInBytes).sum());

        log.close();
        SegmentedLog reopened = open(config(1 << 20, 100));
        List<SegmentInfo> after = reopened.segments();
        assertEquals(4, after.size());
        for (int i = 0; i < 3; i++) {
            SegmentInfo was = infos.get(i);
            SegmentInfo now = after.get(i);
            assertEquals(List.of(was.baseOffset(), was.nextOffset(), was.sizeInBytes(), was.largestTimestamp()),
                    List.of(now.baseOffset(), now.nextOffset(), now.sizeInBytes(), now.largestTimestamp()));
            // After a restart the time is the file's.
            assertEquals(Files.getLastModifiedTime(LogFiles.logFile(dir(), now.baseOffset())).toMillis(),
                    now.lastModifiedMs());
        }
    }

    @Test
    void advanceMovesTheStartRemovesWholeSegmentsAndSurvivesARestart() throws IOException {
        SegmentedLog log = threeSegments(config(1 << 20, 100));
        assertEquals(1, log.advanceLogStartOffset(12));
        assertEquals(12, log.logStartOffset());
        assertEquals(List.of(10L, 16L), log.segments().stream().map(SegmentInfo::baseOffset).toList());
        assertFalse(Files.exists(LogFiles.logFile(dir(), 0)), "deleted at once with file.delete.delay.ms=0");
        assertTrue(fileNames(dir()).stream().noneMatch(n -> n.endsWith(".deleted")), fileNames(dir()).toString());

        assertOutOfRange(assertThrows(StrataException.class, () -> log.read(11, 1000, true)));
        assertOutOfRange(assertThrows(StrataException.class, () -> log.read(0, 1000, true)));
        assertEquals(12, batchesOf(log.read(12, 1000, true)).get(0).baseOffset());
        assertEquals(12, log.offsetForTimestamp(0).orElseThrow().offset(), "never an offset below the start");
        assertEquals(0, log.advanceLogStartOffset(5), "an offset below the start changes nothing");
        assertEquals(12, log.logStartOffset());
        assertOutOfRange(assertThrows(StrataException.class, () -> log.advanceLogStartOffset(21)));

        log.close();
        SegmentedLog reopened = open(config(1 << 20, 100));
        assertEquals(12, reopened.logStartOffset(), "the checkpointed start survives a restart");
        assertOutOfRange(assertThrows(StrataException.class, () -> reopened.read(11, 1000, true)));

        // Up to the log end: every inactive segment goes, the active one stays (empty of readable offsets).
        assertEquals(1, reopened.advanceLogStartOffset(20));
        assertEquals(List.of(16L), reopened.segments().stream().map(SegmentInfo::baseOffset).toList());
        assertEquals(20, reopened.logStartOffset());
        assertTrue(reopened.read(20, 1000, true).isEmpty());
        assertTrue(reopened.offsetForTimestamp(0).isEmpty());
        appendBatches(reopened, 1, 2, 20_000);
        assertEquals(20, batchesOf(reopened.read(20, 1000, true)).get(0).baseOffset());

        // A crash (no clean close) keeps it too.
        Files.deleteIfExists(dir().resolve(LogFiles.CLEAN_SHUTDOWN));
        reopened.close();
        Files.deleteIfExists(dir().resolve(LogFiles.CLEAN_SHUTDOWN));
        assertEquals(20, open(config(1 << 20, 100)).logStartOffset());
    }

    @Test
    void aCheckpointOutsideTheSegmentsIsBroughtInside() throws IOException {
        SegmentedLog log = threeSegments(config(1 << 20, 100));
        log.close();
        RecoveryPointFile.writeLogStart(dir(), TP, 500);
        SegmentedLog past = open(config(1 << 20, 100));
        assertEquals(20, past.logStartOffset(), "clamped to the log end");
        past.close();
        RecoveryPointFile.writeLogStart(dir(), TP, 0);
        Files.delete(LogFiles.logFile(dir(), 0)); // the first segment is gone: the start is the next one's base
        SegmentedLog below = open(config(1 << 20, 100));
        assertEquals(10, below.logStartOffset());
        assertEquals(10, batchesOf(below.read(10, 1000, true)).get(0).baseOffset());
    }

    @Test
    void truncationBelowTheStartStartsTheLogOver() throws IOException {
        SegmentedLog log = threeSegments(config(1 << 20, 100));
        log.advanceLogStartOffset(12);
        log.truncateTo(11);
        assertEquals(11, log.logStartOffset());
        assertEquals(11, log.logEndOffset());
        log.close();
        assertEquals(11, open(config(1 << 20, 100)).logStartOffset());
    }

    @Test
    void removedSegmentsAreDeletedAfterTheDelayWhileAHeldSliceStillReadsThem() throws IOException {
        SegmentedLog log = threeSegments(config(1 << 20, 100, 300));
        LogSlice held = log.read(0, 1 << 20, true);
        byte[] expected = bytes(log.read(0, 1 << 20, true));
        SegmentChannel file = log.segmentsSnapshot().get(0).channel();

        assertEquals(1, log.advanceLogStartOffset(10));
        List<String> names = fileNames(dir());
        assertTrue(names.containsAll(List.of("00000000000000000000.log.deleted",
                "00000000000000000000.index.deleted", "00000000000000000000.timeindex.deleted")), names.toString());
        assertFalse(names.contains("00000000000000000000.log"), names.toString());
        assertArrayEquals(expected, peek(held), "readable under its new name");

        awaitTrue("the .deleted files go after file.delete.delay.ms", 10_000,
                () -> uncheckedNames().stream().noneMatch(n -> n.endsWith(".deleted")));
        assertTrue(file.isOpen(), "the held slice keeps the descriptor");
        assertArrayEquals(expected, bytes(held), "and still reads the deleted file");
        assertFalse(file.isOpen(), "closed at the release");
        assertEquals(0, log.heldSlices());
    }

    @Test
    void leftoverDeletedFilesGoAtOpen() throws IOException {
        SegmentedLog log = threeSegments(config(1 << 20, 100, 600_000));
        log.advanceLogStartOffset(16);
        assertEquals(6, fileNames(dir()).stream().filter(n -> n.endsWith(".deleted")).count());
        log.close();
        SegmentedLog reopened = open(config(1 << 20, 100, 600_000));
        assertTrue(fileNames(dir()).stream().noneMatch(n -> n.endsWith(".deleted")), fileNames(dir()).toString());
        assertEquals(16, reopened.logStartOffset());
        assertEquals(List.of(16L), LogTestSupport.segmentBases(dir()));
    }

    @Test
    void deleteRenamesTheDirectoryAndRemovesItAfterTheDelayWhileASliceReads() throws IOException {
        SegmentedLog log = threeSegments(config(1 << 20, 100, 300));
        LogSlice held = log.read(0, 1 << 20, true);
        byte[] expected = bytes(log.read(0, 1 << 20, true));
        log.delete();
        assertFalse(Files.exists(dir()));
        List<Path> doomed = deleteDirs();
        assertEquals(1, doomed.size(), "renamed <topic>-<partition>.<id>-delete, as the broker does");
        awaitTrue("the renamed directory goes after file.delete.delay.ms", 10_000, () -> deleteDirs().isEmpty());
        assertArrayEquals(expected, bytes(held), "the send in flight completes");
        assertEquals(0, log.heldSlices());
    }

    private List<Path> deleteDirs() {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(f -> f.getFileName().toString().matches("t-0\\.[0-9a-f]{32}-delete")).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private List<String> uncheckedNames() {
        try {
            return fileNames(dir());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The slice's bytes; releases it. */
    private static byte[] bytes(LogSlice slice) throws IOException {
        try {
            return peek(slice);
        } finally {
            slice.release();
        }
    }

    /** The slice's bytes, keeping it held. */
    private static byte[] peek(LogSlice slice) throws IOException {
        ByteBuffer b = slice.readFully();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
