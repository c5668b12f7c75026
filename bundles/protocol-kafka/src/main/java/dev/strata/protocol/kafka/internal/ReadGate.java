package dev.strata.protocol.kafka.internal;

import io.netty.channel.Channel;

/**
 * Whether a connection reads from its socket ({@code autoRead}), for more than one reason at once: the frame decoder
 * waiting for request memory, the dispatcher's back-pressure and a quota throttle each pause reading, and it resumes only when neither
 * does, so one cannot undo the other's pause.
 *
 * <p>One per connection; used only on its event loop.
 */
final class ReadGate {
    /** The frame decoder waits for its next request's bytes from the memory pool. */
    static final int MEMORY = 1;
    /** Too many requests or response bytes outstanding on this connection. */
    static final int BACKPRESSURE = 2;
    /** The client is over a quota: muted for the throttle time its last response announced (KIP-219). */
    static final int THROTTLE = 4;

    private final Channel channel;
    private int reasons;

    ReadGate(Channel channel) {
        this.channel = channel;
    }

    void pause(int reason) {
        reasons |= reason;
        if (channel.config().isAutoRead()) {
            channel.config().setAutoRead(false);
        }
    }

    void resume(int reason) {
        reasons &= ~reason;
        if (reasons == 0 && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
    }

    boolean paused(int reason) {
        return (reasons & reason) != 0;
    }

    /** Whether reading is paused for any reason. */
    boolean paused() {
        return reasons != 0;
    }
}
