package dev.strata.storage.segment.internal;

import static dev.strata.storage.segment.internal.LogTestSupport.TP;
import static dev.strata.storage.segment.internal.LogTestSupport.appendBatches;
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
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@code strata:verify} on a live log: a clear report, and damage found is handled as a read would. */
class VerifyCommandTest extends SegmentStoreTestBase {
    @Test
    void reportsEverySegmentAndTheFirstErrorWithFileAndPosition() throws IOException {
        Path dir = tmp.resolve("t-0");
        SegmentedLog log = (SegmentedLog) store.open(dir, TP, config(4096, 256));
        appendBatches(log, 100, 5, 1000);
        List<Long> bases = segmentBases(dir);
        VerifyCommand command = new VerifyCommand(store);

        String clean = command.verify("t", 0);
        assertTrue(clean.contains("100 valid batches in " + bases.size() + " segment(s) of 1 log(s): no errors"),
                clean);
        assertTrue(clean.contains("00000000000000000000.log"), clean);
        assertEquals("No open log for other on this broker.", command.verify("other", 0).trim().replace("-0", ""));

        // Damage under the running log: the third batch of segment two.
        List<RecordBatch> batches = readAllBatches(log);
        Path file = LogFiles.logFile(dir, bases.get(1));
        int position = 0;
        int seen = 0;
        for (RecordBatch b : batches) {
            if (b.baseOffset() >= bases.get(1) && b.baseOffset() < bases.get(2)) {
                if (seen++ == 2) {
                    break;
                }
                position += b.sizeInBytes();
            }
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[position + 70] ^= 0x10;
        Files.write(file, bytes);

        String damaged = command.verify("t");
        assertTrue(damaged.contains(file.getFileName() + "  "), damaged);
        assertTrue(damaged.contains("DAMAGED: "), damaged);
        assertTrue(damaged.contains("at position " + position), damaged);
        assertTrue(damaged.contains("first error: " + file + ": "), damaged);
        // From now on reads skip it, and the next start repairs it.
        assertEquals(batches.size() - 1, readAllBatches(log).size());
        log.close();
        assertEquals(OptionalLong.of(bases.get(1)), RecoveryPointFile.read(dir, TP));
    }
}
