package dev.strata.protocol.kafka.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * An encoded response ready for the socket: the size-prefixed bytes, possibly split into several parts (Netty
 * {@code ByteBuf}s and {@code FileRegion}s for zero-copy record data), written in order. Owns one reference to each
 * part until {@link #writeTo} or {@link #release} hands it over or drops it. Not thread-safe: handed from the thread
 * that encodes it to the connection's event loop.
 */
final class KafkaResponse {
    /** Not a response: when its turn comes, the earlier responses are flushed and the connection is closed. */
    static final KafkaResponse CLOSE_CONNECTION = new KafkaResponse(List.of(), 0);

    private final List<Object> parts;
    private final long sizeInBytes;
    private int throttleMs;

    KafkaResponse(List<Object> parts, long sizeInBytes) {
        this.parts = List.copyOf(parts);
        this.sizeInBytes = sizeInBytes;
    }

    /** Marks the response as throttling its connection for {@code ms} after it is sent (KIP-219); returns it. */
    KafkaResponse throttled(int ms) {
        this.throttleMs = ms;
        return this;
    }

    /** How long the connection stops reading after this response, 0 for not at all. */
    int throttleMs() {
        return throttleMs;
    }

    /** Bytes on the wire including the 4-byte size prefix. */
    long sizeInBytes() {
        return sizeInBytes;
    }

    int partCount() {
        return parts.size();
    }

    /** Writes every part (without flushing); a failed write closes the connection. */
    void writeTo(Channel channel) {
        for (Object part : parts) {
            channel.write(part).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    void release() {
        for (Object part : parts) {
            ReferenceCountUtil.safeRelease(part);
        }
    }
}
