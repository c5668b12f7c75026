package dev.strata.protocol.kafka.internal;

import dev.strata.api.log.LogSlice;
import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/**
 * A Netty file region over a log slice, sent with the store's {@code transferTo} (zero copy for file stores). When
 * Netty releases the region (written, failed, or the connection closed), the slice's hold on the log ends, so the
 * store may close files that were waiting for this send. Used by one connection's event loop at a time.
 */
final class LogSliceRegion extends AbstractReferenceCounted implements FileRegion {
    private final LogSlice slice;
    private long transferred;

    LogSliceRegion(LogSlice slice) {
        this.slice = slice;
    }

    /** Where the transfer starts, relative to the slice (the store's own positions stay inside the slice). */
    @Override
    public long position() {
        return 0;
    }

    @Override
    public long count() {
        return slice.size();
    }

    @Override
    public long transferred() {
        return transferred;
    }

    @Deprecated
    @Override
    public long transfered() {
        return transferred;
    }

    @Override
    public long transferTo(WritableByteChannel target, long offset) throws IOException {
        long remaining = slice.size() - offset;
        if (remaining < 0 || offset < 0) {
            throw new IllegalArgumentException("offset out of range: " + offset + " (count " + slice.size() + ")");
        }
        if (remaining == 0) {
            return 0L;
        }
        long written = slice.transferTo(offset, remaining, target); // fails rather than spin on a truncated log
        if (written > 0) {
            transferred += written;
        }
        return written;
    }

    @Override
    protected void deallocate() {
        slice.release();
    }

    @Override
    public FileRegion retain() {
        super.retain();
        return this;
    }

    @Override
    public FileRegion retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public FileRegion touch() {
        return this;
    }

    @Override
    public FileRegion touch(Object hint) {
        return this;
    }
}
