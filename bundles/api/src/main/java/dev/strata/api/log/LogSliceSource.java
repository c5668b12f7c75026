package dev.strata.api.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where the bytes of a {@link LogSlice} come from: a store's file, or anything else a store keeps batches in. A
 * source is also the slice's hold on that storage: the store keeps what the slice reads from readable (a closed
 * or deleted log keeps its files open) until {@link #release()}, so a zero-copy send in flight finishes on the
 * files it started on even when the log is closed, deleted or its store is swapped meanwhile.
 *
 * <p>Positions are the store's own (for a file store, file positions); only the slice that carries them uses
 * them. Thread-safe: reads may run concurrently; {@link #release()} may come from any thread.
 */
// Store bundles implement it, possibly third parties: a new method is a major change.
@ConsumerType
public interface LogSliceSource {

    /** Reads bytes at {@code position} into {@code dst}, like {@code FileChannel.read(dst, position)}. */
    int read(ByteBuffer dst, long position) throws IOException;

    /**
     * Writes up to {@code count} bytes from {@code position} to {@code target}, like
     * {@code FileChannel.transferTo} (zero copy where the platform can).
     *
     * @return the bytes written, possibly fewer than asked (0 when the target is full)
     */
    long transferTo(long position, long count, WritableByteChannel target) throws IOException;

    /** The bytes the storage holds now (a read past it finds nothing). */
    long size() throws IOException;

    /**
     * Ends the hold: the store may close what the slice read from once every slice of it is released. Called once
     * per {@link PartitionLog#read}, by whoever ends up owning the slice; further calls do nothing.
     */
    void release();

    /**
     * A file as a source that holds nothing ({@link #release()} does nothing): for stores whose files outlive
     * their slices, or that add the hold themselves around it.
     */
    static LogSliceSource ofChannel(FileChannel channel) {
        return new LogSliceSource() {
            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return channel.read(dst, position);
            }

            @Override
            public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
                return channel.transferTo(position, count, target);
            }

            @Override
            public long size() throws IOException {
                return channel.size();
            }

            @Override
            public void release() {
            }
        };
    }
}
