package dev.strata.storage.segment.internal;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A memory-mapped file of fixed-size entries, the common part of the offset and time indexes (Kafka's
 * AbstractIndex). An existing file is mapped at its length and its entries counted from that length; the file is
 * grown to {@code maxBytes} (sparse, so it costs no disk) at the first append and trimmed back to the bytes in use
 * on close, so a cleanly closed index file holds exactly its entries. A full index drops further appends rather
 * than growing: the index is a hint, and a bounded mapping per segment is what makes many open segments cheap
 * (with the default 10 MiB and 4 KiB between entries an offset index fills only past 5 GiB of segment, more than
 * a segment can hold).
 *
 * <p>Thread-safety: appends, truncation, resizing and close are serialised by the caller. Lookups may run
 * concurrently with them: the entry count is published (volatile) only after the entry is written, and a new
 * mapping is published before the count that needs it. Old mappings are never unmapped by hand (the GC releases
 * them), so a reader holding one never touches unmapped memory; a trim only ever cuts bytes past the entries.
 */
abstract class MmapIndexFile {
    protected final Path file;
    protected final long baseOffset;
    private final int entrySize;
    private final int maxEntries;
    /** The current mapping; its capacity may exceed the entries in use. */
    private volatile MappedByteBuffer mmap;
    private volatile int entries;
    /** Whether the file had a length that is not a whole number of entries when opened. */
    private final boolean oddLength;
    private volatile boolean closed;
    /** Entries written since the last flush (appends come from one writer; flushes may come from another). */
    private volatile boolean dirty;

    protected MmapIndexFile(Path file, long baseOffset, int maxBytes, int entrySize) throws IOException {
        if (maxBytes < entrySize) {
            throw new IllegalArgumentException("Index max bytes " + maxBytes + " below one entry of " + entrySize);
        }
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        this.maxEntries = maxBytes / entrySize;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long length = ch.size();
            this.oddLength = length % entrySize != 0;
            // An untrimmed file (after a crash) may be longer than maxBytes allows now; the sanity check or the
            // recovery of the segment deals with its zero tail.
            long usable = Math.min(length - length % entrySize, (long) Integer.MAX_VALUE / entrySize * entrySize);
            this.mmap = ch.map(FileChannel.MapMode.READ_WRITE, 0, usable);
            this.entries = usedEntries(mmap, (int) (usable / entrySize), entrySize);
        }
    }

    /**
     * Entries in a file that was not trimmed (a crash while its segment was active): the preallocated tail is
     * zeros, and no real entry is all zeros past the first one. Found by binary search, so that opening a 10 MiB
     * preallocated index touches a few pages, not all of them (a thousand active segments after a crash took tens
     * of seconds scanning zeros). Garbage that breaks the zero tail is the sanity check's to find.
     */
    private static int usedEntries(MappedByteBuffer buf, int count, int entrySize) {
        int lo = Math.min(1, count);
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (isZero(buf, mid * entrySize, entrySize)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static boolean isZero(MappedByteBuffer buf, int position, int length) {
        for (int i = 0; i < length; i++) {
            if (buf.get(position + i) != 0) {
                return false;
            }
        }
        return true;
    }

    public long baseOffset() {
        return baseOffset;
    }

    public int entries() {
        return entries;
    }

    public boolean isFull() {
        return entries >= maxEntries;
    }

    public Path file() {
        return file;
    }

    /** A buffer holding every entry in use, and how many there are, read consistently. */
    protected final View view() {
        int n = entries;
        return new View(mmap, n);
    }

    /** A snapshot for lookups: entries below {@code count} are complete in {@code buf}. */
    protected record View(MappedByteBuffer buf, int count) {
    }

    protected final int entrySize() {
        return entrySize;
    }

    /**
     * Writes one entry at the end with {@code writer} and then publishes it, or drops it when the index is full.
     * Grows the file to its maximum size on the first append that needs room.
     *
     * @throws IllegalStateException when the index is closed
     */
    protected final void appendEntry(EntryWriter writer) throws IOException {
        if (closed) {
            throw new IllegalStateException("Index " + file + " is closed");
        }
        int n = entries;
        if (n >= maxEntries) {
            return;
        }
        MappedByteBuffer buf = mmap;
        if ((long) (n + 1) * entrySize > buf.capacity()) {
            buf = remap((long) maxEntries * entrySize);
        }
        writer.write(buf, n * entrySize);
        dirty = true;
        entries = n + 1;
    }

    /** Writes one entry at a byte position of the mapping. */
    @FunctionalInterface
    protected interface EntryWriter {
        void write(MappedByteBuffer buf, int position);
    }

    /** Drops entries from {@code count} on (the bytes stay until the next append overwrites them). */
    protected final void truncateToEntries(int count) {
        if (count < 0 || count > entries) {
            throw new IllegalArgumentException("Cannot truncate " + file + " to " + count + " entries");
        }
        entries = count;
    }

    /**
     * Index of the last entry whose key is at or below {@code target}, or -1 when the first entry's key is above
     * it (or there are none). Keys must be non-decreasing in entry order.
     */
    protected final int floorSlot(View v, long target, KeyReader key) {
        int lo = 0;
        int hi = v.count() - 1;
        if (hi < 0 || key.read(v.buf(), 0) > target) {
            return -1;
        }
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (key.read(v.buf(), mid * entrySize) <= target) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Reads the search key of the entry at a byte position. */
    @FunctionalInterface
    protected interface KeyReader {
        long read(MappedByteBuffer buf, int position);
    }

    /** Forces written entries to disk; an index only read since its last flush costs nothing. */
    public void flush() throws IOException {
        MappedByteBuffer buf = mmap;
        if (!closed && dirty && buf.capacity() > 0) {
            dirty = false; // before the force: an append meanwhile sets it again for the next flush
            buf.force();
        }
    }

    /** Flushes and cuts the file to the entries in use; lookups keep working from the new, exact mapping. */
    public void trimToValidSize() throws IOException {
        flush();
        long exact = (long) entries * entrySize;
        if (mmap.capacity() == exact && Files.size(file) == exact) {
            return; // already exact (an index released and reopened by the open-file cache)
        }
        remap(exact);
    }

    /** Flushes and trims the file. */
    public void close() throws IOException {
        if (closed) {
            return;
        }
        trimToValidSize();
        closed = true;
    }

    /** Marks the index closed and removes its file. */
    public void delete() throws IOException {
        closed = true;
        entries = 0;
        Files.deleteIfExists(file);
    }

    /** Checks the file length is a whole number of entries; subclasses add ordering checks. */
    public void sanityCheck() throws IOException {
        if (oddLength) {
            throw new IOException("Index file " + file + " has a length that is not a multiple of " + entrySize);
        }
    }

    private MappedByteBuffer remap(long newLength) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer old = mmap;
            if (newLength < old.capacity()) {
                // Map the shorter length first so the published mapping never extends past the file.
                mmap = ch.map(FileChannel.MapMode.READ_WRITE, 0, newLength);
                ch.truncate(newLength);
            } else {
                // Extending with setLength-like semantics: write nothing, let the file be sparse.
                if (ch.size() < newLength) {
                    ch.write(java.nio.ByteBuffer.allocate(1), newLength - 1);
                }
                mmap = ch.map(FileChannel.MapMode.READ_WRITE, 0, newLength);
            }
            return mmap;
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + file + ", entries=" + entries + ")";
    }
}
