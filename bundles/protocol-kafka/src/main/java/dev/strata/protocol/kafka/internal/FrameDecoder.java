package dev.strata.protocol.kafka.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits the byte stream into Kafka request frames: a 4-byte big-endian size, then that many bytes. The size is
 * checked as soon as its 4 bytes are in: a negative size or one above {@code socket.request.max.bytes} closes the
 * connection before anything is accumulated for the frame. Emits each frame body as a retained slice.
 *
 * <p>One instance per connection; used only on that connection's event loop.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);

    private final int maxFrameBytes;
    private final RateLimitedLog log;
    private boolean rejected;

    FrameDecoder(int maxFrameBytes, RateLimitedLog log) {
        this.maxFrameBytes = maxFrameBytes;
        this.log = log;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (rejected) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < Integer.BYTES) {
            return;
        }
        int size = in.getInt(in.readerIndex());
        if (size < 0 || size > maxFrameBytes) {
            rejected = true;
            log.warn(LOG, "request-size", "Closing connection from " + ctx.channel().remoteAddress()
                    + ": request size " + size + " is " + (size < 0 ? "negative" : "too large")
                    + " (socket.request.max.bytes=" + maxFrameBytes + ")");
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        if (in.readableBytes() < Integer.BYTES + size) {
            return;
        }
        in.skipBytes(Integer.BYTES);
        out.add(in.readRetainedSlice(size));
    }
}
