package dev.strata.storage.segment.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The file channel of one segment file that holds an open file descriptor only while it is needed: every operation
 * opens the file if it is not open, and an idle channel can be {@linkplain #release() released} (the
 * {@link OpenFileCache} does this for segments that are not active). This is the channel handed out in
 * {@code LogSlice}s, so a zero-copy send that is under way when the cache releases the file is safe: each operation
 * counts itself in and out, a release waits for the last running operation to end, and the next operation reopens
 * the file. Closing this channel (the segment is closed or deleted) is final.
 *
 * <p>Thread-safe. An interrupt that closes the underlying descriptor (Java closes a channel on an interrupted
 * blocking operation) no longer breaks the segment for everyone: the next operation reopens the file.
 */
final class SegmentChannel extends FileChannel {
    /** Where the file is now (a removed segment's is renamed): reopening uses it. Guarded by this for writes. */
    private volatile Path file;
    private final OpenFileCache cache;
    /** The open descriptor, or null while released. Guarded by this. */
    private FileChannel open;
    /** Operations running on {@link #open}. Guarded by this. */
    private int inUse;
    /** The cache asked for a release while operations ran: the last one releases. Guarded by this. */
    private boolean releasePending;
    /** Not counted by the cache (the active segment, or one being recovered or changed). Guarded by this. */
    private boolean pinned;
    private long relativePosition;
    private Runnable onRelease = () -> { };

    SegmentChannel(Path file, OpenFileCache cache, boolean pinned) {
        this.file = file;
        this.cache = cache;
        this.pinned = pinned;
    }

    Path file() {
        return file;
    }

    /**
     * Renames the file (a segment leaving the log gets Kafka's {@code .deleted} suffix). Operations running on an
     * open descriptor go on, and the next one that opens the file opens it under its new name.
     */
    synchronized void renameTo(Path target) throws IOException {
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        file = target;
    }

    /** Called after each release (with no lock held), to let the segment drop what it loaded with the file. */
    void onRelease(Runnable action) {
        this.onRelease = action;
    }

    /** Pins (never released by the cache) or unpins the channel; unpinning counts it in the cache again. */
    void pin(boolean pin) {
        boolean count;
        synchronized (this) {
            if (pinned == pin) {
                return;
            }
            pinned = pin;
            count = open != null && !pin;
        }
        if (pin) {
            cache.forget(this);
        } else if (count) {
            cache.opened(this);
        }
    }

    synchronized boolean isPinned() {
        return pinned;
    }

    /** Whether a descriptor is held now (for tests and monitoring). */
    synchronized boolean holdsDescriptor() {
        return open != null;
    }

    private FileChannel acquire() throws IOException {
        boolean fresh = false;
        boolean counted;
        FileChannel ch;
        synchronized (this) {
            if (!isOpen()) {
                throw new java.nio.channels.ClosedChannelException();
            }
            if (open == null || !open.isOpen()) {
                open = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                releasePending = false;
                fresh = true;
            }
            // A pending release stays pending: the descriptor closes when the operations running now end.
            inUse++;
            counted = !pinned;
            ch = open;
        }
        if (counted && fresh) {
            cache.opened(this);
        } else if (counted) {
            cache.touch(this);
        }
        return ch;
    }

    private void done() throws IOException {
        boolean released = false;
        synchronized (this) {
            inUse--;
            if (inUse == 0 && releasePending) {
                released = closeOpen();
            }
        }
        if (released) {
            onRelease.run();
        }
    }

    /**
     * Closes the descriptor now if no operation runs on it, else when the last one ends. The channel stays usable.
     * Pinned channels are left alone.
     */
    void release() throws IOException {
        boolean released = false;
        synchronized (this) {
            if (pinned || open == null) {
                return;
            }
            if (inUse > 0) {
                releasePending = true;
            } else {
                released = closeOpen();
            }
        }
        if (released) {
            onRelease.run();
        }
    }

    /** Closes the descriptor whatever runs on it (before the file is replaced or deleted, under the log's lock). */
    void closeDescriptor() throws IOException {
        synchronized (this) {
            closeOpen();
        }
        cache.forget(this);
    }

    private boolean closeOpen() throws IOException {
        FileChannel ch = open;
        open = null;
        releasePending = false;
        if (ch != null) {
            ch.close();
            return true;
        }
        return false;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        FileChannel ch = acquire();
        try {
            return ch.read(dst, position);
        } finally {
            done();
        }
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        FileChannel ch = acquire();
        try {
            return ch.write(src, position);
        } finally {
            done();
        }
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        FileChannel ch = acquire();
        try {
            return ch.transferTo(position, count, target);
        } finally {
            done();
        }
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        FileChannel ch = acquire();
        try {
            return ch.transferFrom(src, position, count);
        } finally {
            done();
        }
    }

    @Override
    public long size() throws IOException {
        FileChannel ch = acquire();
        try {
            return ch.size();
        } finally {
            done();
        }
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        FileChannel ch = acquire();
        try {
            ch.truncate(size);
            return this;
        } finally {
            done();
        }
    }

    @Override
    public void force(boolean metaData) throws IOException {
        FileChannel ch = acquire();
        try {
            ch.force(metaData); // fsync is per file, so a descriptor opened now flushes earlier writes too
        } finally {
            done();
        }
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        FileChannel ch = acquire();
        try {
            return ch.map(mode, position, size);
        } finally {
            done();
        }
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        int n = read(dst, relativePosition);
        if (n > 0) {
            relativePosition += n;
        }
        return n;
    }

    @Override
    public synchronized long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            int n = read(dsts[i]);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
            if (dsts[i].hasRemaining()) {
                break;
            }
        }
        return total;
    }

    @Override
    public synchronized int write(ByteBuffer src) throws IOException {
        int n = write(src, relativePosition);
        relativePosition += n;
        return n;
    }

    @Override
    public synchronized long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(srcs[i]);
        }
        return total;
    }

    @Override
    public synchronized long position() {
        return relativePosition;
    }

    @Override
    public synchronized FileChannel position(long newPosition) {
        relativePosition = newPosition;
        return this;
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) {
        throw new UnsupportedOperationException("Segment files are not locked");
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
        throw new UnsupportedOperationException("Segment files are not locked");
    }

    @Override
    protected void implCloseChannel() throws IOException {
        synchronized (this) {
            closeOpen();
        }
        cache.forget(this);
    }

    @Override
    public String toString() {
        return "SegmentChannel(" + file + ")";
    }
}
