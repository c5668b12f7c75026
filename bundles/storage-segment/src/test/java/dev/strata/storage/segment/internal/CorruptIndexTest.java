package dev.strata.storage.segment.internal;

import static dev.strata.storage.segment.internal.LogTestSupport.TP;
import static dev.strata.storage.segment.internal.LogTestSupport.appendBatches;
import static dev.strata.storage.segment.internal.LogTestSupport.batchesOf;
import static dev.strata.storage.segment.internal.LogTestSupport.config;
import static dev.strata.storage.segment.internal.LogTestSupport.readAllBatches;
import static dev.strata.storage.segment.internal.LogTestSupport.segmentBases;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.record.RecordBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Garbage in a segment's indexes is found when the log opens and the indexes are rebuilt from the log, so a fetch
 * at the segment's base offset returns its first batch (issue 8, defect 4).
 */
class CorruptIndexTest extends SegmentStoreTestBase {
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomBytesInTheActiveSegmentsIndexesAreRebuilt(int seed) throws IOException {
        boolean clean = seed % 2 == 0;
        Path dir = tmp.resolve("t-0");
        SegmentedLog log = (SegmentedLog) store.open(dir, TP, config(16 * 1024, 256));
        appendBatches(log, 200, 3, 1000);
        List<RecordBatch> before = readAllBatches(log);
        List<Long> bases = segmentBases(dir);
        long activeBase = bases.get(bases.size() - 1);
        assertTrue(bases.size() >= 3, "segments: " + bases);
        log.close();
        if (!clean) {
            Files.delete(dir.resolve(LogFiles.CLEAN_SHUTDOWN));
        }
        Random random = new Random(seed);
        for (Path index : List.of(LogFiles.indexFile(dir, activeBase), LogFiles.timeIndexFile(dir, activeBase),
                LogFiles.indexFile(dir, bases.get(1)))) {
            byte[] garbage = new byte[24 * 40];
            random.nextBytes(garbage);
            Files.write(index, garbage);
        }

        SegmentedLog reopened = (SegmentedLog) store.open(dir, TP, config(16 * 1024, 256));
        for (long base : List.of(activeBase, bases.get(1))) {
            List<RecordBatch> first = batchesOf(reopened.read(base, 1, true));
            assertEquals(1, first.size(), "fetch at base offset " + base);
            assertEquals(base, first.get(0).baseOffset());
        }
        assertEquals(before.size(), readAllBatches(reopened).size());
        assertTrue(reopened.offsetForTimestamp(1000 + 10L * 199).isPresent());
    }
}
