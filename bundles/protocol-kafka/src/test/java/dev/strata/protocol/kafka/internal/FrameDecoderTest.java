package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * FrameDecoder's reservation dance on Netty's EmbeddedChannel: reading stops while the pool cannot cover a frame,
 * the dispatcher's back-pressure cannot undo that pause, a grant resumes reading with the bytes kept aside, and a
 * close gives everything back.
 */
class FrameDecoderTest {
    private final List<String> logged = new ArrayList<>();
    private final RateLimitedLog log = new RateLimitedLog((logger, warn, line, error) -> logged.add(line), 10_000,
            System::nanoTime);

    private record Hold(int bytes) implements RequestMemoryPool.Waiter {
        @Override
        public void granted() {
        }
    }

    private static ByteBuf bytes(byte[] b) {
        return Unpooled.wrappedBuffer(b);
    }

    private static byte[] frame(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    @Test
    void waitsForMemoryWithoutReadingAndResumesWhenGranted() {
        RequestMemoryPool pool = new RequestMemoryPool(100);
        assertTrue(pool.reserveOrWait(new Hold(60)));
        EmbeddedChannel channel = new EmbeddedChannel();
        ReadGate gate = new ReadGate(channel);
        channel.pipeline().addLast(new FrameDecoder(1000, pool, gate, 60_000, log));

        byte[] body = new byte[50];
        Arrays.fill(body, (byte) 7);
        byte[] wire = frame(body);
        // The size prefix and the first 10 body bytes arrive: 50 bytes do not fit in the 40 left.
        channel.writeInbound(bytes(Arrays.copyOf(wire, 14)));
        assertFalse(channel.config().isAutoRead(), "stops reading while waiting for memory");
        assertEquals(1, pool.waiting());
        assertEquals(60, pool.used());
        assertNull(channel.readInbound());

        // The dispatcher's back-pressure pauses and resumes; the memory pause stands.
        gate.pause(ReadGate.BACKPRESSURE);
        gate.resume(ReadGate.BACKPRESSURE);
        assertFalse(channel.config().isAutoRead(), "back-pressure does not undo the memory pause");

        pool.release(60); // grants the waiter, which hops onto the channel's event loop
        channel.runPendingTasks();
        assertTrue(channel.config().isAutoRead(), "reading resumes once the bytes are reserved");
        assertEquals(50, pool.used());
        channel.writeInbound(bytes(Arrays.copyOfRange(wire, 14, wire.length)));
        ByteBuf frame = channel.readInbound();
        byte[] got = new byte[frame.readableBytes()];
        frame.readBytes(got);
        assertArrayEquals(body, got, "the bytes kept aside while waiting come first");
        assertEquals(50, pool.used(), "reserved until the request is released");
        frame.release();
        assertEquals(0, pool.used());
        assertFalse(channel.finish());
    }

    @Test
    void closingGivesBackThePartialFrameAndThePlaceInLine() {
        RequestMemoryPool pool = new RequestMemoryPool(100);
        EmbeddedChannel first = new EmbeddedChannel();
        first.pipeline().addLast(new FrameDecoder(1000, pool, new ReadGate(first), 60_000, log));
        first.writeInbound(bytes(Arrays.copyOf(frame(new byte[80]), 30))); // 80 reserved, 26 bytes in
        assertEquals(80, pool.used());

        EmbeddedChannel second = new EmbeddedChannel();
        second.pipeline().addLast(new FrameDecoder(1000, pool, new ReadGate(second), 60_000, log));
        second.writeInbound(bytes(Arrays.copyOf(frame(new byte[30]), 8))); // waits: 30 > 20 left
        assertEquals(1, pool.waiting());

        second.close();
        assertEquals(0, pool.waiting(), "a closed connection leaves the line");
        first.close();
        assertEquals(0, pool.used(), "a closed connection's partial frame is released");
    }

    @Test
    void aSizeAboveThePoolClosesTheConnectionAtOnce() {
        RequestMemoryPool pool = new RequestMemoryPool(100);
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new FrameDecoder(1000, pool, new ReadGate(channel), 60_000, log));
        channel.writeInbound(bytes(ByteBuffer.allocate(4).putInt(101).array()));
        assertFalse(channel.isOpen());
        assertEquals(0, pool.used());
        assertEquals(1, logged.size());
        assertTrue(logged.get(0).contains("request size 101 is larger than all the memory for requests "
                + "(queued.max.request.bytes=100)"), logged.get(0));
    }
}
