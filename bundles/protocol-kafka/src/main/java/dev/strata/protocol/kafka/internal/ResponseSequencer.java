package dev.strata.protocol.kafka.internal;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * Keeps one connection's responses in request order. Each request takes the next sequence number when it is read;
 * its response may complete on any thread and in any order, and is held until every earlier response is written. A
 * request without a response (Produce with acks=0) completes with {@code null}, which only advances the sequence;
 * {@link KafkaResponse#CLOSE_CONNECTION} closes the connection once the responses before it are written.
 *
 * <p>Thread-safety: {@link #complete} may be called from any thread and hops to the channel's event loop; every
 * other method must be called on that event loop.
 */
final class ResponseSequencer {
    /** Marks a request that is finished but writes nothing. */
    private static final KafkaResponse NO_RESPONSE = new KafkaResponse(java.util.List.of(), 0);

    private final Channel channel;
    private final Runnable onWritten;
    private final Map<Long, KafkaResponse> completed = new HashMap<>();
    private long nextToAssign;
    private long nextToWrite;
    private boolean closed;

    /** @param onWritten called on the event loop after responses were written (to resume reading). */
    ResponseSequencer(Channel channel, Runnable onWritten) {
        this.channel = channel;
        this.onWritten = onWritten;
    }

    long nextSequence() {
        return nextToAssign++;
    }

    /** Requests read but not yet answered on the wire. */
    long inFlight() {
        return nextToAssign - nextToWrite;
    }

    /** Hands in the response of request {@code sequence}; {@code null} means "no response". Any thread. */
    void complete(long sequence, KafkaResponse response) {
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            onComplete(sequence, response);
            return;
        }
        try {
            loop.execute(() -> onComplete(sequence, response));
        } catch (RejectedExecutionException e) {
            // The event loop is shut down: the connection is gone with it.
            if (response != null) {
                response.release();
            }
        }
    }

    private void onComplete(long sequence, KafkaResponse response) {
        if (closed) {
            if (response != null) {
                response.release();
            }
            return;
        }
        completed.put(sequence, response == null ? NO_RESPONSE : response);
        boolean wrote = false;
        KafkaResponse next;
        while ((next = completed.remove(nextToWrite)) != null) {
            nextToWrite++;
            if (next == KafkaResponse.CLOSE_CONNECTION) {
                channel.flush();
                channel.close();
                close();
                return;
            }
            if (next != NO_RESPONSE) {
                next.writeTo(channel);
                wrote = true;
            }
        }
        if (wrote) {
            channel.flush();
        }
        onWritten.run();
    }

    /** The connection closed: drop held responses and any that complete later. */
    void close() {
        closed = true;
        completed.values().forEach(KafkaResponse::release);
        completed.clear();
    }
}
