package dev.strata.protocol.kafka.internal;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A Netty file region over part of a log segment, sent with {@code FileChannel.transferTo} (zero copy). Unlike
 * Netty's {@code DefaultFileRegion} it never closes the channel when released: the file belongs to the log.
 * Used by one connection's event loop at a time.
 */
final class LogSliceRegion extends AbstractReferenceCounted implements FileRegion {
    private final FileChannel file;
    private final long position;
    private final long count;
    private long transferred;

    LogSliceRegion(FileChannel file, long position, long count) {
        this.file = file;
        this.position = position;
        this.count = count;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public long count() {
        return count;
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
        long remaining = count - offset;
        if (remaining < 0 || offset < 0) {
            throw new IllegalArgumentException("offset out of range: " + offset + " (count " + count + ")");
        }
        if (remaining == 0) {
            return 0L;
        }
        long written = file.transferTo(position + offset, remaining, target);
        if (written > 0) {
            transferred += written;
        } else if (file.size() < position + count) {
            // Without this check a truncated segment would make Netty spin on a region that can never finish.
            throw new IOException("log file is shorter (" + file.size() + " bytes) than the fetched slice ends ("
                    + (position + count) + ")");
        }
        return written;
    }

    @Override
    protected void deallocate() {
        // The channel is owned by the log; nothing to free.
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
