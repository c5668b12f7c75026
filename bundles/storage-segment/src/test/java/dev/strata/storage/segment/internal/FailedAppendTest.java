package dev.strata.storage.segment.internal;

import static dev.strata.storage.segment.internal.LogTestSupport.TP;
import static dev.strata.storage.segment.internal.LogTestSupport.batch;
import static dev.strata.storage.segment.internal.LogTestSupport.batchesOf;
import static dev.strata.storage.segment.internal.LogTestSupport.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** An append that fails after its bytes reached the file must leave nothing behind (issue 8, defect 7b). */
class FailedAppendTest extends SegmentStoreTestBase {
    @Test
    void anAppendWhoseIndexCannotGrowLeavesNoBytesPastTheEnd() throws IOException {
        Path dir = tmp.resolve("t-0");
        SegmentedLog log = (SegmentedLog) store.open(dir, TP, config(1 << 20, 0));
        log.append(batch(0, 1000, 2));
        long goodSize = log.sizeInBytes();
        // The second batch gets the segment's first index entry, which grows the index file: make that fail the
        // way a full disk does, after the batch itself was written.
        Path index = LogFiles.indexFile(dir, 0);
        Files.delete(index);
        Files.createDirectory(index);
        assertThrows(IOException.class, () -> log.append(batch(2, 2000, 5)));
        Path file = LogFiles.logFile(dir, 0);
        assertEquals(goodSize, Files.size(file), "bytes of the rejected batch stayed in the file");
        assertEquals(2, log.logEndOffset());
        Files.delete(index);
        Files.createFile(index); // space is back

        log.append(batch(2, 3000, 1));
        log.close();
        SegmentedLog reopened = (SegmentedLog) store.open(dir, TP, config(1 << 20, 0));
        assertEquals(3, reopened.logEndOffset());
        assertEquals(2, batchesOf(reopened.read(0, Integer.MAX_VALUE, false)).size());
        assertEquals(3000, batchesOf(reopened.read(2, Integer.MAX_VALUE, false)).get(0).maxTimestamp());
    }
}
