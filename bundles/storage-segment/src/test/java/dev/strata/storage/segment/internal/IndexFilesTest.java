package dev.strata.storage.segment.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.log.IndexEntry;
import dev.strata.api.log.OffsetIndex;
import dev.strata.api.log.TimestampOffset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexFilesTest {
    @TempDir
    Path dir;

    private final MmapOffsetIndexFactory factory = new MmapOffsetIndexFactory();

    @Test
    void offsetIndexLooksUpTheFloorEntry() throws IOException {
        OffsetIndex index = new MmapOffsetIndexFactory(1024).open(dir, 100);
        assertEquals(new IndexEntry(100, 0), index.lookup(500));
        assertEquals(new IndexEntry(100, 0), index.lastEntry());
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
        assertThrows(IllegalArgumentException.class, () -> index.append(600, 60_000));
        assertThrows(IllegalArgumentException.class, () -> index.append(99, 60_000));
        assertThrows(IllegalArgumentException.class, () -> index.append(100L + Integer.MAX_VALUE + 1, 60_000));
    }

    @Test
    void offsetIndexIsPreallocatedTrimmedOnCloseAndReopensWithItsEntries() throws IOException {
        Path file = LogFiles.indexFile(dir, 0);
        OffsetIndex index = new MmapOffsetIndexFactory(800).open(dir, 0);
        index.append(5, 50);
        assertEquals(800, Files.size(file));
        index.append(9, 90);
        index.close();
        assertEquals(16, Files.size(file));

        OffsetIndex reopened = new MmapOffsetIndexFactory(800).open(dir, 0);
        assertEquals(2, reopened.entries());
        assertEquals(new IndexEntry(9, 90), reopened.lastEntry());
        reopened.sanityCheck();
        reopened.append(20, 200);
        assertEquals(new IndexEntry(20, 200), reopened.lookup(25));
        reopened.truncateTo(9);
        assertEquals(1, reopened.entries());
        assertEquals(new IndexEntry(5, 50), reopened.lookup(25));
        reopened.truncateTo(0);
        assertEquals(0, reopened.entries());
        reopened.close();
        assertEquals(0, Files.size(file));
        factory.delete(dir, 0);
        assertFalse(Files.exists(file));
    }

    @Test
    void aFullOffsetIndexDropsFurtherEntries() throws IOException {
        OffsetIndex index = new MmapOffsetIndexFactory(20).open(dir, 0); // room for 2 entries of 8 bytes
        index.append(1, 10);
        index.append(2, 20);
        index.append(3, 30);
        assertEquals(2, index.entries());
        assertEquals(new IndexEntry(2, 20), index.lookup(3), "the floor of what was kept, never a wrong entry");
        index.sanityCheck();
        index.close();
    }

    @Test
    void corruptOffsetIndexFilesFailTheSanityCheck() throws IOException {
        Files.write(LogFiles.indexFile(dir, 0), new byte[] {0, 0, 0, 1, 0, 0, 0, 1, 0});
        IOException odd = assertThrows(IOException.class, () -> new MmapOffsetIndexFactory(1024).open(dir, 0).sanityCheck());
        assertTrue(odd.getMessage().contains("multiple"));
        // An untrimmed file after a crash: real entries followed by the zeros of the preallocation, not entries.
        Files.write(LogFiles.indexFile(dir, 0), new byte[] {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0});
        OffsetIndex untrimmed = new MmapOffsetIndexFactory(1024).open(dir, 0);
        untrimmed.sanityCheck();
        assertEquals(1, untrimmed.entries());
        untrimmed.close();
        Files.write(LogFiles.indexFile(dir, 0), new byte[] {0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 2, 0, 0, 0, 5});
        assertThrows(IOException.class, () -> new MmapOffsetIndexFactory(1024).open(dir, 0).sanityCheck());
    }

    @Test
    void timeIndexKeepsRisingTimestampsAndLooksUpTheFloor() throws IOException {
        TimeIndexFile index = new TimeIndexFile(LogFiles.timeIndexFile(dir, 1000), 1000, 1200);
        assertEquals(new TimestampOffset(-1, 1000), index.lookup(5));
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
        assertEquals(24, Files.size(index.file()));

        TimeIndexFile reopened = new TimeIndexFile(LogFiles.timeIndexFile(dir, 1000), 1000, 1200);
        assertEquals(2, reopened.entries());
        reopened.sanityCheck();
        reopened.maybeAppend(250, 1015);
        assertEquals(new TimestampOffset(250, 1015), reopened.lookup(260));
        reopened.delete();
        assertFalse(Files.exists(reopened.file()));
    }

    @Test
    void timeIndexWithFallingTimestampsFailsTheSanityCheck() throws IOException {
        Path file = LogFiles.timeIndexFile(dir, 0);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24);
        b.putLong(500).putInt(1).putLong(400).putInt(2);
        Files.write(file, b.array());
        assertThrows(IOException.class, () -> new TimeIndexFile(file, 0, 1200).sanityCheck());
    }
}
