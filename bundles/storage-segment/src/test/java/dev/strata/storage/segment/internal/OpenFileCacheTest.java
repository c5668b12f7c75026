package dev.strata.storage.segment.internal;

import static dev.strata.storage.segment.internal.LogTestSupport.TP;
import static dev.strata.storage.segment.internal.LogTestSupport.appendBatches;
import static dev.strata.storage.segment.internal.LogTestSupport.batchesOf;
import static dev.strata.storage.segment.internal.LogTestSupport.config;
import static dev.strata.storage.segment.internal.LogTestSupport.readAllBatches;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.LogSlice;
import dev.strata.record.RecordBatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments that are not active hold open files only while used, at most a configured number at once, and a
 * zero-copy transfer survives the cache closing its file (issue 8, defect 1).
 */
class OpenFileCacheTest {
    private static final int MAX_OPEN = 8;

    @TempDir
    Path tmp;

    private final LogTestSupport.ManualClock clock = new LogTestSupport.ManualClock();
    private final SegmentLogStore store = new SegmentLogStore(new MmapOffsetIndexFactory(), clock::get, MAX_OPEN);

    @AfterEach
    void closeAll() {
        store.deactivate();
    }

    /** Descriptors this process holds on files under the test's directory (Linux only). */
    private long openFilesUnderTmp() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        try (Stream<Path> list = Files.list(fds)) {
            return list.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).startsWith(tmp.toRealPath());
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            }).count();
        }
    }

    @Test
    void manySegmentsStayWithinTheOpenFileLimitAndReadBackCorrectly() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd");
        List<SegmentedLog> logs = new ArrayList<>();
        List<List<RecordBatch>> written = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            SegmentedLog log = (SegmentedLog) store.open(tmp.resolve("t-" + p), new TopicPartition("t", p),
                    config(1024, 100));
            appendBatches(log, 400, 1, 1000);
            assertTrue(log.segmentCount() >= 40, "segments: " + log.segmentCount());
            logs.add(log);
            written.add(readAllBatches(log));
        }
        int logsOpen = logs.size();
        assertTrue(openFilesUnderTmp() <= MAX_OPEN + logsOpen, "open files: " + openFilesUnderTmp());

        for (int round = 0; round < 2; round++) {
            for (int p = 0; p < logs.size(); p++) {
                List<RecordBatch> again = readAllBatches(logs.get(p));
                assertEquals(written.get(p).size(), again.size());
                for (int i = 0; i < again.size(); i++) {
                    assertEquals(written.get(p).get(i).baseOffset(), again.get(i).baseOffset());
                    assertEquals(written.get(p).get(i).maxTimestamp(), again.get(i).maxTimestamp());
                }
                assertTrue(logs.get(p).offsetForTimestamp(1000 + 10L * 5).isPresent());
                assertTrue(store.openInactiveSegments() <= MAX_OPEN);
                assertTrue(openFilesUnderTmp() <= MAX_OPEN + logsOpen, "open files: " + openFilesUnderTmp());
            }
        }

        // Reopened after a clean close and after a crash, the same bound holds while recovery reads every segment.
        for (SegmentedLog log : logs) {
            log.close();
        }
        Files.delete(tmp.resolve("t-1").resolve(LogFiles.CLEAN_SHUTDOWN));
        for (int p = 0; p < 3; p++) {
            SegmentedLog log = (SegmentedLog) store.open(tmp.resolve("t-" + p), new TopicPartition("t", p),
                    config(1024, 100));
            assertEquals(written.get(p).size(), readAllBatches(log).size());
        }
        assertTrue(openFilesUnderTmp() <= MAX_OPEN + logsOpen, "open files: " + openFilesUnderTmp());
    }

    @Test
    void aSliceOfAnEvictedSegmentIsStillSentWhole() throws IOException {
        SegmentedLog log = (SegmentedLog) store.open(tmp.resolve("t-0"), TP, config(1024, 100));
        appendBatches(log, 200, 1, 1000);
        LogSlice first = log.read(0, 700, true);
        byte[] expected = bytes(first.readFully());
        readAllBatches(log); // the cache closes segment 0's file meanwhile
        assertFalse(log.segmentsSnapshot().get(0).channel().holdsDescriptor());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WritableByteChannel target = Channels.newChannel(out);
        long sent = 0;
        while (sent < first.size()) {
            sent += first.transferTo(sent, first.size() - sent, target);
        }
        assertArrayEquals(expected, out.toByteArray());
        assertEquals(batchesOf(first).size(), batchesOf(log.read(0, 700, true)).size());
    }

    @Test
    void aReleaseWaitsForTheTransferUnderWay() throws Exception {
        SegmentedLog log = (SegmentedLog) store.open(tmp.resolve("t-0"), TP, config(1024, 100));
        appendBatches(log, 50, 1, 1000);
        LogSlice slice = log.read(0, 700, true);
        SegmentChannel channel = log.segmentsSnapshot().get(0).channel();
        assertTrue(channel.holdsDescriptor() || slice.size() > 0);
        byte[] expected = bytes(slice.readFully());

        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WritableByteChannel slowSocket = new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws IOException {
                writing.countDown();
                try {
                    assertTrue(proceed.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                int n = src.remaining();
                out.write(bytes(src));
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        CompletableFuture<Long> transfer = CompletableFuture.supplyAsync(() -> {
            try {
                return channel.transferTo(slice.position(), slice.size(), slowSocket);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertTrue(writing.await(30, TimeUnit.SECONDS));
        channel.release(); // what the cache does to the least recently used file
        assertTrue(channel.holdsDescriptor(), "closed under a running transfer");
        proceed.countDown();
        assertEquals(slice.size(), transfer.get(30, TimeUnit.SECONDS));
        assertArrayEquals(expected, out.toByteArray());
        assertFalse(channel.holdsDescriptor(), "the pending release did not happen after the transfer");
    }

    private static byte[] bytes(ByteBuffer buf) {
        byte[] b = new byte[buf.remaining()];
        buf.duplicate().get(b);
        return b;
    }
}
