package dev.strata.storage.segment.internal;

import static dev.strata.storage.segment.internal.LogTestSupport.TP;
import static dev.strata.storage.segment.internal.LogTestSupport.appendBatches;
import static dev.strata.storage.segment.internal.LogTestSupport.batchesOf;
import static dev.strata.storage.segment.internal.LogTestSupport.config;
import static dev.strata.storage.segment.internal.LogTestSupport.readAllBatches;
import static dev.strata.storage.segment.internal.LogTestSupport.segmentBases;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.log.LogConfig;
import dev.strata.record.RecordBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corrupt batch in an older segment costs that batch's records only: later batches and segments are kept, and
 * after a crash only the segments from the recovery point on are checked in full (issue 8, defect 3).
 */
class CorruptSegmentRecoveryTest {
    private static final LogConfig CONFIG = config(4096, 256);
    private static final int PER_BATCH = 5;

    @TempDir
    Path tmp;

    private final LogTestSupport.ManualClock clock = new LogTestSupport.ManualClock();
    private final List<SegmentLogStore> stores = new ArrayList<>();

    @AfterEach
    void closeAll() {
        stores.forEach(SegmentLogStore::deactivate);
    }

    private Path dir() {
        return tmp.resolve("t-0");
    }

    /** A store of its own, as a restarted broker has; the previous store's logs are simply not closed (a crash). */
    private SegmentedLog openAfterRestart() throws IOException {
        SegmentLogStore store = new SegmentLogStore(new MmapOffsetIndexFactory(), clock::get);
        stores.add(store);
        return (SegmentedLog) store.open(dir(), TP, CONFIG);
    }

    /** Flips one byte in the records of the first batch of the segment at {@code base}; returns that batch. */
    private RecordBatch flipInFirstBatch(List<RecordBatch> all, long base) throws IOException {
        RecordBatch victim = all.stream().filter(b -> b.baseOffset() == base).findFirst().orElseThrow();
        Path file = LogFiles.logFile(dir(), base);
        byte[] bytes = Files.readAllBytes(file);
        bytes[victim.sizeInBytes() - 5] ^= 0x40; // inside the last record, covered by the CRC
        Files.write(file, bytes);
        return victim;
    }

    @Test
    void aFlippedByteInSegmentTwoOfFourAfterACrashCostsOnlyItsBatch() throws IOException {
        SegmentedLog log = openAfterRestart();
        appendBatches(log, 100, PER_BATCH, 1000);
        List<Long> bases = segmentBases(dir());
        assertTrue(bases.size() >= 4, "segments: " + bases);
        List<RecordBatch> before = readAllBatches(log);
        long end = log.logEndOffset();
        RecordBatch victim = flipInFirstBatch(before, bases.get(1));
        long segmentTwoSize = Files.size(LogFiles.logFile(dir(), bases.get(1)));
        // A log written before recovery points existed, or one that never flushed: everything is checked.
        Files.deleteIfExists(dir().resolve(RecoveryPointFile.NAME));

        SegmentedLog reopened = openAfterRestart();
        assertEquals(end, reopened.logEndOffset());
        assertEquals(bases, segmentBases(dir()), "later segments must be kept");
        List<RecordBatch> after = readAllBatches(reopened);
        assertEquals(before.size() - 1, after.size());
        assertFalse(after.stream().anyMatch(b -> b.baseOffset() == victim.baseOffset()));
        assertEquals(segmentTwoSize - victim.sizeInBytes(), Files.size(LogFiles.logFile(dir(), bases.get(1))));
        // The damaged bytes are kept aside; a fetch inside the gap gets the next batch.
        Path quarantined = dir().resolve(LogFiles.logFile(dir(), bases.get(1)).getFileName() + ".0"
                + DamagedSegment.CORRUPT_SUFFIX);
        assertEquals(victim.sizeInBytes(), Files.size(quarantined));
        assertEquals(victim.nextOffset(), batchesOf(reopened.read(victim.baseOffset(), 1, true)).get(0)
                .baseOffset());
        assertEquals(victim.nextOffset(), batchesOf(reopened.read(victim.lastOffset(), 1, true)).get(0)
                .baseOffset());
        // Appends go on, and the next restart finds nothing more to repair.
        appendBatches(reopened, 3, PER_BATCH, 5000);
        long newEnd = reopened.logEndOffset();
        SegmentedLog third = openAfterRestart();
        assertEquals(newEnd, third.logEndOffset());
        assertEquals(before.size() + 2, readAllBatches(third).size());
    }

    @Test
    void afterACrashOnlySegmentsFromTheRecoveryPointOnAreCheckedInFull() throws IOException {
        SegmentedLog log = openAfterRestart();
        appendBatches(log, 100, PER_BATCH, 1000);
        List<Long> bases = segmentBases(dir());
        long activeBase = bases.get(bases.size() - 1);
        // Every roll fsyncs the rolled segment and checkpoints the new active segment's base offset.
        assertEquals(OptionalLong.of(activeBase), RecoveryPointFile.read(dir(), TP));
        assertEquals(activeBase, log.recoveryPoint());
        List<RecordBatch> before = readAllBatches(log);
        flipInFirstBatch(before, bases.get(1));
        byte[] segmentTwo = Files.readAllBytes(LogFiles.logFile(dir(), bases.get(1)));
        RecordBatch activeVictim = flipInFirstBatch(before, activeBase);

        SegmentedLog reopened = openAfterRestart();
        // Below the recovery point: only the cheap checks, which a byte in the middle of a segment passes.
        assertArrayEquals(segmentTwo, Files.readAllBytes(LogFiles.logFile(dir(), bases.get(1))));
        // At the recovery point: checked in full, the damaged batch is gone.
        assertEquals(activeVictim.nextOffset(), batchesOf(reopened.read(activeBase, 1, true)).get(0).baseOffset());
        // The read that meets the damage below the recovery point reports it and skips it.
        assertEquals(before.size() - 2, readAllBatches(reopened).size());
        reopened.close();
        assertEquals(OptionalLong.of(bases.get(1)), RecoveryPointFile.read(dir(), TP));

        // So the next start, although clean, checks segment two in full and repairs it.
        SegmentedLog again = openAfterRestart();
        assertTrue(Files.size(LogFiles.logFile(dir(), bases.get(1))) < segmentTwo.length);
        assertEquals(before.size() - 2, readAllBatches(again).size());
    }

    @Test
    void withACleanShutdownADamagedBatchIsReportedByTheReadThatMeetsItNotLostSilently() throws IOException {
        SegmentedLog log = openAfterRestart();
        appendBatches(log, 100, PER_BATCH, 1000);
        List<Long> bases = segmentBases(dir());
        List<RecordBatch> before = readAllBatches(log);
        log.close();
        // A flip in a record header of the second batch of segment two: the batch's CRC fails, its length holds.
        RecordBatch victim = before.stream().filter(b -> b.baseOffset() > bases.get(1)).findFirst().orElseThrow();
        Path file = LogFiles.logFile(dir(), bases.get(1));
        byte[] bytes = Files.readAllBytes(file);
        int victimPosition = before.stream().filter(b -> b.baseOffset() == bases.get(1)).findFirst().orElseThrow()
                .sizeInBytes();
        bytes[victimPosition + RecordBatch.HEADER_SIZE + 2] ^= 0x01;
        Files.write(file, bytes);

        SegmentedLog reopened = openAfterRestart();
        List<RecordBatch> after = readAllBatches(reopened);
        assertEquals(before.size() - 1, after.size());
        assertFalse(after.stream().anyMatch(b -> b.baseOffset() == victim.baseOffset()));
        assertEquals(victim.nextOffset(), batchesOf(reopened.read(victim.baseOffset(), 1, true)).get(0)
                .baseOffset());
        assertTrue(reopened.read(bases.get(1), Integer.MAX_VALUE, false).size() < victim.sizeInBytes() * 2,
                "a read from before the damage stops at it");
        reopened.close();
        SegmentedLog repaired = openAfterRestart();
        assertEquals(before.size() - 1, readAllBatches(repaired).size());
        assertTrue(Files.exists(dir().resolve(file.getFileName() + "." + victimPosition
                + DamagedSegment.CORRUPT_SUFFIX)));
    }

    @Test
    @Timeout(30)
    void readsMoveOnPastABatchWhoseOwnOffsetsAreDamaged() throws IOException {
        SegmentedLog log = openAfterRestart();
        appendBatches(log, 100, PER_BATCH, 1000);
        List<Long> bases = segmentBases(dir());
        List<RecordBatch> before = readAllBatches(log);
        log.close();
        // The last-offset delta of the first batch of segment two claims the batch runs far past the log end, and
        // the batch after it has no index entry: a read that skips it by offset would find it again.
        Path file = LogFiles.logFile(dir(), bases.get(1));
        byte[] bytes = Files.readAllBytes(file);
        bytes[23] ^= 0x7f;
        Files.write(file, bytes);

        SegmentedLog reopened = openAfterRestart();
        assertEquals(before.size() - 1, readAllBatches(reopened).size());
        for (long offset = bases.get(1); offset < bases.get(2); offset++) {
            assertFalse(reopened.read(offset, 1, true).isEmpty(), "no data at " + offset);
        }
    }

    @Test
    void theRecoveryPointFollowsFlushesAndTruncationAndIsWrittenOnClose() throws IOException {
        SegmentedLog log = openAfterRestart();
        appendBatches(log, 10, PER_BATCH, 1000);
        assertEquals(0, log.recoveryPoint());
        log.flush();
        assertEquals(log.logEndOffset(), log.recoveryPoint());
        log.checkpointRecoveryPoint();
        assertEquals(OptionalLong.of(log.logEndOffset()), RecoveryPointFile.read(dir(), TP));
        log.truncateTo(20);
        assertEquals(OptionalLong.of(20), RecoveryPointFile.read(dir(), TP));
        appendBatches(log, 2, PER_BATCH, 2000);
        log.close();
        assertEquals(OptionalLong.of(30), RecoveryPointFile.read(dir(), TP));

        Files.writeString(dir().resolve(RecoveryPointFile.NAME), "0\n1\nother 0 12\n");
        assertEquals(OptionalLong.empty(), RecoveryPointFile.read(dir(), TP));
        Files.write(dir().resolve(RecoveryPointFile.NAME), new byte[1 << 20]);
        assertEquals(OptionalLong.empty(), RecoveryPointFile.read(dir(), TP));
        assertEquals(30, openAfterRestart().logEndOffset());
    }
}
