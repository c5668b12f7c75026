package dev.strata.protocol.kafka.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits the byte stream into Kafka request frames: a 4-byte big-endian size, then that many bytes. Emits each frame
 * as a {@link PooledFrame}. Memory is bounded across all connections:
 * <ul>
 *   <li>As soon as the 4 size bytes are in, a negative size, one above {@code socket.request.max.bytes} or one above
 *       the whole request memory pool closes the connection before anything is allocated for the frame.</li>
 *   <li>Otherwise the size is reserved in the {@link RequestMemoryPool} before any of the body is read. When the
 *       pool is exhausted the connection stops reading ({@link ReadGate#MEMORY}) and waits in line; what it had
 *       already read past the size (at most one socket read) is kept aside. The frame's bytes are copied straight
 *       into an array of exactly its size, so nothing else grows with a partial frame.</li>
 *   <li>A frame must arrive within {@code socket.request.read.timeout.ms} of its first byte while the connection is
 *       reading (time spent paused, waiting for memory or back-pressure, does not count): a peer trickling a large
 *       frame a byte at a time cannot keep its reservation. {@code connections.max.idle.ms} does not catch it,
 *       since every byte counts as traffic.</li>
 * </ul>
 *
 * <p>One instance per connection; used only on that connection's event loop, except the pool's grant callback, which
 * hops onto it.
 */
final class FrameDecoder extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);

    private final int maxFrameBytes;
    private final RequestMemoryPool pool;
    private final ReadGate gate;
    private final long readTimeoutNanos;
    private final RateLimitedLog log;

    /** Size bytes read so far of the current frame (0-4), and the size they make. */
    private int sizeBytes;
    private int size;
    /** The body being filled, once its bytes are reserved. */
    private PooledFrame frame;
    /** Waiting for the pool to reserve {@link #size}; null otherwise. */
    private Waiter waiter;
    /** Input that arrived after the size prefix while waiting for memory. */
    private ByteBuf pending;
    /** When the current frame's first byte (or its memory) arrived; 0 between frames. */
    private long frameStarted;
    private boolean closed;
    private ScheduledFuture<?> timeoutCheck;

    FrameDecoder(int maxFrameBytes, RequestMemoryPool pool, ReadGate gate, long readTimeoutMs, RateLimitedLog log) {
        this.maxFrameBytes = maxFrameBytes;
        this.pool = pool;
        this.gate = gate;
        this.readTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(readTimeoutMs);
        this.log = log;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), readTimeoutNanos / 4);
        timeoutCheck = ctx.executor().scheduleAtFixedRate(() -> checkReadTimeout(ctx), period, period,
                TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (closed) {
            in.release();
            return;
        }
        if (waiter != null) {
            // Reading is paused; this is the tail of a read already under way.
            pending = pending == null ? in : Unpooled.wrappedBuffer(pending, in);
            return;
        }
        try {
            decode(ctx, in);
        } finally {
            in.release();
        }
    }

    private void decode(ChannelHandlerContext ctx, ByteBuf in) {
        // A handler downstream may have closed the connection (a malformed request): read no further frames.
        while (in.isReadable() && !closed && ctx.channel().isOpen()) {
            if (frame == null) {
                if (sizeBytes == 0) {
                    frameStarted = System.nanoTime();
                }
                while (sizeBytes < Integer.BYTES && in.isReadable()) {
                    size = size << 8 | in.readUnsignedByte();
                    sizeBytes++;
                }
                if (sizeBytes < Integer.BYTES || !reserve(ctx)) {
                    if (waiter != null && in.isReadable()) {
                        pending = in.readRetainedSlice(in.readableBytes());
                    }
                    return;
                }
            } else {
                frame.writeBytes(in, Math.min(in.readableBytes(), frame.writableBytes()));
                emitIfFull(ctx);
            }
        }
    }

    /** Checks the size just read and reserves it: true if the body may be read now. */
    private boolean reserve(ChannelHandlerContext ctx) {
        if (size < 0 || size > maxFrameBytes) {
            refuse(ctx, "request-size", "request size " + size + " is " + (size < 0 ? "negative" : "too large")
                    + " (socket.request.max.bytes=" + maxFrameBytes + ")");
            return false;
        }
        if (size > pool.capacity()) {
            refuse(ctx, "request-size", "request size " + size + " is larger than all the memory for requests "
                    + "(queued.max.request.bytes=" + pool.capacity() + ")");
            return false;
        }
        Waiter w = new Waiter(ctx, size);
        if (!pool.reserveOrWait(w)) {
            waiter = w;
            gate.pause(ReadGate.MEMORY);
            return false;
        }
        startBody(ctx);
        return true;
    }

    private void startBody(ChannelHandlerContext ctx) {
        try {
            frame = new PooledFrame(pool, size);
        } catch (OutOfMemoryError e) {
            // The pool is larger than the heap can hold: refuse this request rather than fail the event loop.
            pool.release(size);
            LOG.error("Closing connection from {}: no heap for a request of {} bytes (queued.max.request.bytes={} "
                    + "is too large for this JVM's heap)", ctx.channel().remoteAddress(), size, pool.capacity());
            close(ctx);
            return;
        }
        emitIfFull(ctx);
    }

    private void emitIfFull(ChannelHandlerContext ctx) {
        if (frame != null && frame.full()) {
            PooledFrame complete = frame;
            frame = null;
            sizeBytes = 0;
            size = 0;
            frameStarted = 0;
            ctx.fireChannelRead(complete);
        }
    }

    /** On the event loop: the pool reserved this connection's bytes; read on. */
    private void granted(ChannelHandlerContext ctx, Waiter granted) {
        if (closed || waiter != granted) {
            pool.release(granted.bytes);
            return;
        }
        waiter = null;
        frameStarted = System.nanoTime();
        startBody(ctx);
        ByteBuf held = pending;
        pending = null;
        if (held != null) {
            try {
                decode(ctx, held);
            } finally {
                held.release();
            }
        }
        if (waiter == null && !closed) {
            gate.resume(ReadGate.MEMORY);
        }
    }

    private void checkReadTimeout(ChannelHandlerContext ctx) {
        if (closed || frameStarted == 0) {
            return;
        }
        long now = System.nanoTime();
        if (gate.paused()) {
            frameStarted = now; // not reading: the peer is not the one being slow
            return;
        }
        if (now - frameStarted >= readTimeoutNanos) {
            String received = frame == null ? sizeBytes + " of the 4 size bytes"
                    : frame.writerIndex() + " of " + size + " bytes";
            refuse(ctx, "request-read-timeout", "request not received within "
                    + TimeUnit.NANOSECONDS.toMillis(readTimeoutNanos) + " ms (" + received
                    + " arrived; socket.request.read.timeout.ms)");
        }
    }

    private void refuse(ChannelHandlerContext ctx, String kind, String reason) {
        log.warn(LOG, kind, "Closing connection from " + ctx.channel().remoteAddress() + ": " + reason);
        close(ctx);
    }

    private void close(ChannelHandlerContext ctx) {
        releaseAll();
        ctx.close();
    }

    /** Gives back whatever this connection holds: its partial frame, its place in line, input kept aside. */
    private void releaseAll() {
        if (closed) {
            return;
        }
        closed = true;
        if (timeoutCheck != null) {
            timeoutCheck.cancel(false);
        }
        if (frame != null) {
            frame.release();
            frame = null;
        }
        if (waiter != null) {
            // If it was granted meanwhile, the grant arrives on this event loop later and is released there.
            pool.cancel(waiter);
            waiter = null;
        }
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseAll();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseAll();
    }

    /** A reservation in line for this connection; {@link #granted} hops onto the connection's event loop. */
    private final class Waiter implements RequestMemoryPool.Waiter {
        private final ChannelHandlerContext ctx;
        private final int bytes;

        Waiter(ChannelHandlerContext ctx, int bytes) {
            this.ctx = ctx;
            this.bytes = bytes;
        }

        @Override
        public int bytes() {
            return bytes;
        }

        @Override
        public void granted() {
            try {
                ctx.executor().execute(() -> FrameDecoder.this.granted(ctx, this));
            } catch (RejectedExecutionException e) {
                pool.release(bytes); // the event loop is gone, and the connection with it
            }
        }
    }
}
