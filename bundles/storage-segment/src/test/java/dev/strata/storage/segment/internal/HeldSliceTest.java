package dev.strata.storage.segment.internal;

import static dev.strata.storage.segment.internal.LogTestSupport.appendBatches;
import static dev.strata.storage.segment.internal.LogTestSupport.batchesOf;
import static dev.strata.storage.segment.internal.LogTestSupport.config;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.LogSlice;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slice handed out keeps its segment files readable when the log is closed (store swapped or stopped) or deleted
 * meanwhile, so a zero-copy send in flight finishes; the files close at its release (issue 9).
 */
class HeldSliceTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);

    @TempDir
    Path tmp;

    private final LogTestSupport.ManualClock clock = new LogTestSupport.ManualClock();
    private final SegmentLogStore store = new SegmentLogStore(new MmapOffsetIndexFactory(), clock::get);

    @AfterEach
    void stop() {
        store.deactivate();
    }

    @Test
    void aSliceHeldAcrossCloseIsSentWholeAndTheFilesCloseAtItsRelease() throws IOException {
        SegmentedLog log = (SegmentedLog) store.open(tmp.resolve("t-0"), TP, config(1 << 20, 4096));
        appendBatches(log, 50, 3, 1000);
        LogSlice slice = log.read(0, 1 << 20, true);
        byte[] expected = copy(slice);
        assertEquals(1, log.heldSlices());

        log.close();
        SegmentChannel file = log.segmentsSnapshot().get(0).channel();
        assertTrue(file.isOpen(), "a held slice keeps the segment file open after close");
        assertThrows(StrataException.class, () -> log.read(0, 100, true), "a closed log refuses new reads");

        // The store's successor opens the same directory while the old slice is still being sent.
        SegmentedLog reopened = (SegmentedLog) store.open(tmp.resolve("t-0"), TP, config(1 << 20, 4096));
        appendBatches(reopened, 5, 3, 9000);
        assertArrayEquals(expected, send(slice));

        slice.release();
        assertEquals(0, log.heldSlices());
        assertFalse(file.isOpen(), "the last release closes the closed log's files");
        slice.release(); // a second release changes nothing
        assertEquals(0, log.heldSlices());
        assertEquals(55, LogTestSupport.readAllBatches(reopened).size());
    }

    @Test
    void aSliceHeldAcrossDeleteIsSentWholeFromTheUnlinkedFile() throws IOException {
        SegmentedLog log = (SegmentedLog) store.open(tmp.resolve("t-0"), TP, config(2048, 4096));
        appendBatches(log, 40, 3, 1000); // several segments
        LogSlice slice = log.read(0, 1 << 20, true);
        byte[] expected = copy(slice);

        log.delete();
        assertFalse(Files.exists(tmp.resolve("t-0")));
        assertArrayEquals(expected, send(slice));
        slice.release();
        assertFalse(log.segmentsSnapshot().stream().anyMatch(s -> s.channel().isOpen()));
    }

    @Test
    void closingWithNothingHeldClosesTheFilesAtOnce() throws IOException {
        SegmentedLog log = (SegmentedLog) store.open(tmp.resolve("t-0"), TP, config(1 << 20, 4096));
        appendBatches(log, 5, 1, 1000);
        List<?> batches = batchesOf(log.read(0, 1 << 20, true)); // read and released
        assertEquals(5, batches.size());
        log.close();
        assertFalse(log.segmentsSnapshot().get(0).channel().isOpen());
    }

    private static byte[] copy(LogSlice slice) throws IOException {
        ByteBuffer buf = slice.readFully();
        byte[] b = new byte[buf.remaining()];
        buf.get(b);
        return b;
    }

    private static byte[] send(LogSlice slice) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WritableByteChannel target = Channels.newChannel(out);
        long sent = 0;
        while (sent < slice.size()) {
            sent += slice.transferTo(sent, slice.size() - sent, target);
        }
        return out.toByteArray();
    }
}
