package dev.strata.index.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.log.IndexEntry;
import dev.strata.api.log.OffsetIndex;
import dev.strata.api.log.OffsetIndexFactory;
import dev.strata.api.log.TimeIndex;
import dev.strata.api.log.TimestampOffset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link OffsetIndexFactory} must do (the guarantees written on {@link OffsetIndex} and
 * {@link TimeIndex}), run against a real implementation on real files: an implementation's test extends this and
 * says how to make its factory. Partition directories are {@code <log dir>/<topic>-<partition>} as the broker
 * lays them out.
 */
public abstract class IndexContractTest {
    @TempDir
    protected Path logDir;
    protected Path dir;
    protected OffsetIndexFactory factory;

    /** A new factory over the log directory (the parent of every partition directory the tests use). */
    protected abstract OffsetIndexFactory newFactory(Path logDir) throws IOException;

    /** Releases what the factory holds (a component's deactivation). */
    protected void closeFactory(OffsetIndexFactory f) throws IOException {
    }

    @BeforeEach
    void openFactory() throws IOException {
        dir = Files.createDirectories(logDir.resolve("t-0"));
        factory = newFactory(logDir);
    }

    @AfterEach
    void close() throws IOException {
        closeFactory(factory);
    }

    /** The position the tests give the batch at {@code offset}: any exact mapping will do. */
    private static int positionOf(long offset, long base) {
        return (int) (offset - base) * 100;
    }

    @Test
    void lookupReturnsTheFloorEntryOrTheSegmentStart() throws IOException {
        OffsetIndex index = factory.open(dir, 100);
        assertEquals(new IndexEntry(100, 0), index.lookup(500));
        assertEquals(new IndexEntry(100, 0), index.lastEntry());
        assertEquals(0, index.entries());
        for (int i = 1; i <= 50; i++) {
            index.append(100 + 10L * i, 1000 * i);
        }
        assertEquals(50, index.entries());
        assertEquals(new IndexEntry(100, 0), index.lookup(105));
        assertEquals(new IndexEntry(100, 0), index.lookup(50));
        assertEquals(new IndexEntry(110, 1000), index.lookup(110));
        assertEquals(new IndexEntry(110, 1000), index.lookup(119));
        assertEquals(new IndexEntry(350, 25_000), index.lookup(355));
        assertEquals(new IndexEntry(600, 50_000), index.lookup(Long.MAX_VALUE));
        assertEquals(new IndexEntry(600, 50_000), index.lastEntry());
        index.sanityCheck();
        index.close();
    }

    @Test
    void appendsThatDoNotFollowOnAreRejected() throws IOException {
        OffsetIndex index = factory.open(dir, 100);
        index.append(110, 1000);
        assertThrows(IllegalArgumentException.class, () -> index.append(110, 2000));
        assertThrows(IllegalArgumentException.class, () -> index.append(105, 2000));
        assertThrows(IllegalArgumentException.class, () -> index.append(99, 2000));
        assertThrows(IllegalArgumentException.class, () -> index.append(120, -1));
        assertEquals(new IndexEntry(110, 1000), index.lastEntry());
        index.close();
    }

    @Test
    void entriesSurviveCloseAndReopenAndTruncationRemovesTheTail() throws IOException {
        OffsetIndex index = factory.open(dir, 0);
        index.append(5, 50);
        index.append(9, 90);
        index.append(20, 200);
        index.flush();
        index.close();

        OffsetIndex reopened = factory.open(dir, 0);
        reopened.sanityCheck();
        assertEquals(3, reopened.entries());
        assertEquals(new IndexEntry(20, 200), reopened.lastEntry());
        reopened.truncateTo(9);
        assertEquals(1, reopened.entries());
        assertEquals(new IndexEntry(5, 50), reopened.lookup(25));
        reopened.append(12, 120);
        assertEquals(new IndexEntry(12, 120), reopened.lookup(25));
        reopened.truncateTo(0);
        assertEquals(0, reopened.entries());
        assertEquals(new IndexEntry(0, 0), reopened.lookup(25));
        reopened.close();
    }

    @Test
    void deleteRemovesTheEntriesOfOneSegmentOnly() throws IOException {
        Path other = Files.createDirectories(logDir.resolve("t-1"));
        OffsetIndex a = factory.open(dir, 0);
        OffsetIndex b = factory.open(dir, 1000);
        OffsetIndex c = factory.open(other, 0);
        a.append(1, 10);
        b.append(1001, 10);
        c.append(2, 20);
        assertEquals(new IndexEntry(1, 10), a.lookup(5));
        assertEquals(new IndexEntry(2, 20), c.lookup(5), "partitions do not share entries");
        a.close();
        factory.delete(dir, 0);
        OffsetIndex again = factory.open(dir, 0);
        assertEquals(0, again.entries());
        assertEquals(new IndexEntry(0, 0), again.lookup(5));
        again.close();
        b.delete();
        OffsetIndex bAgain = factory.open(dir, 1000);
        assertEquals(0, bAgain.entries());
        bAgain.close();
        assertEquals(new IndexEntry(2, 20), c.lookup(5));
        c.close();
    }

    @Test
    void manyEntriesNeverFailAnAppendOrAnswerWrongly() throws IOException {
        long base = 1L << 33;
        OffsetIndex index = factory.open(dir, base);
        int count = 300_000; // more than a 2 MiB memory-mapped index holds
        for (int i = 0; i < count; i++) {
            long offset = base + 3L * i + 1;
            index.append(offset, positionOf(offset, base) / 4);
        }
        assertTrue(index.entries() > 0 && index.entries() <= count);
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            long target = base + random.nextInt(3 * count + 10);
            IndexEntry e = index.lookup(target);
            assertTrue(e.offset() <= target, "entry above the target: " + e + " for " + target);
            if (e.offset() != base || e.position() != 0) {
                assertEquals((e.offset() - base - 1) % 3, 0, "an offset never appended: " + e);
                assertEquals(positionOf(e.offset(), base) / 4, e.position(), "wrong position for " + e);
            }
        }
        index.sanityCheck();
        index.close();
    }

    @Test
    void lookupsDuringAppendsSeeOnlyExactEntries() throws Exception {
        OffsetIndex index = factory.open(dir, 0);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            Random random = new Random(7);
            try {
                while (!done.get()) {
                    long target = random.nextInt(200_000);
                    IndexEntry e = index.lookup(target);
                    if (e.offset() > target || e.position() != positionOf(e.offset(), 0)) {
                        throw new AssertionError("lookup(" + target + ") gave " + e);
                    }
                    IndexEntry last = index.lastEntry();
                    if (last.position() != positionOf(last.offset(), 0)) {
                        throw new AssertionError("lastEntry() gave " + last);
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        for (long offset = 1; offset < 100_000; offset += 2) {
            index.append(offset, positionOf(offset, 0));
        }
        done.set(true);
        reader.join();
        assertNull(failure.get());
        index.close();
    }

    @Test
    void timeIndexKeepsRisingTimestampsAndLooksUpTheFloor() throws IOException {
        TimeIndex index = factory.openTimeIndex(dir, 1000);
        assertEquals(new TimestampOffset(-1, 1000), index.lookup(5));
        assertEquals(new TimestampOffset(-1, 1000), index.lastEntry());
        index.maybeAppend(100, 1000);
        index.maybeAppend(100, 1005); // not above the last timestamp: ignored
        index.maybeAppend(90, 1006);
        index.maybeAppend(200, 1010);
        index.maybeAppend(300, 1020);
        assertEquals(3, index.entries());
        assertEquals(new TimestampOffset(-1, 1000), index.lookup(99));
        assertEquals(new TimestampOffset(100, 1000), index.lookup(150));
        assertEquals(new TimestampOffset(200, 1010), index.lookup(200));
        assertEquals(new TimestampOffset(300, 1020), index.lookup(Long.MAX_VALUE));
        index.sanityCheck();
        index.truncateTo(1020);
        assertEquals(new TimestampOffset(200, 1010), index.lastEntry());
        index.close();

        TimeIndex reopened = factory.openTimeIndex(dir, 1000);
        assertEquals(2, reopened.entries());
        reopened.sanityCheck();
        reopened.maybeAppend(250, 1015);
        assertEquals(new TimestampOffset(250, 1015), reopened.lookup(260));
        reopened.close();
        factory.delete(dir, 1000);
        TimeIndex deleted = factory.openTimeIndex(dir, 1000);
        assertEquals(0, deleted.entries());
        deleted.close();
    }

    @Test
    void offsetAndTimeIndexOfOneSegmentAreSeparate() throws IOException {
        OffsetIndex offsets = factory.open(dir, 0);
        TimeIndex times = factory.openTimeIndex(dir, 0);
        offsets.append(10, 100);
        times.maybeAppend(5000, 10);
        offsets.truncateTo(0);
        assertEquals(0, offsets.entries());
        assertEquals(new TimestampOffset(5000, 10), times.lookup(6000));
        offsets.close();
        times.close();
    }
}
