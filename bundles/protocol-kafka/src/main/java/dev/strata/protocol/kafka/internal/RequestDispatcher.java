package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.RequestContext;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last inbound handler: numbers each request, hands it to the request-handler pool (never running broker code on
 * the event loop) through a per-connection {@link SerialExecutor}, and passes the results to the connection's
 * {@link ResponseSequencer}. A failure while handling a request is logged and closes only this connection. When too
 * many requests, or too many request bytes (one {@code socket.request.max.bytes} worth), are outstanding, the
 * connection stops reading until they drain (back-pressure), so one client cannot queue unbounded memory.
 *
 * <p>One instance per connection. Netty callbacks run on the connection's event loop; handler completions arrive on
 * other threads and go through the sequencer.
 */
final class RequestDispatcher extends SimpleChannelInboundHandler<KafkaRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(RequestDispatcher.class);

    /** Kafka clients keep at most 5 requests in flight; anything far beyond that is a misbehaving peer. */
    static final int MAX_IN_FLIGHT = 64;

    private final KafkaApis apis;
    private final SerialExecutor executor;
    private final String listenerName;
    private final long maxInFlightBytes;
    private final ReadGate gate;
    private final RateLimitedLog log;
    /** Bytes of requests read but not yet handled; added on the event loop, released on handler threads. */
    private final AtomicLong inFlightBytes = new AtomicLong();
    private ResponseSequencer sequencer;
    private String peer = "?";
    /** The end of the current quota throttle; event loop only. */
    private long throttledUntilNanos;
    private boolean throttleScheduled;

    RequestDispatcher(KafkaApis apis, Executor requestPool, String listenerName, int maxInFlightBytes,
                      ReadGate gate, RateLimitedLog log) {
        this.apis = apis;
        this.gate = gate;
        this.log = log;
        this.executor = new SerialExecutor(requestPool);
        this.listenerName = listenerName;
        this.maxInFlightBytes = maxInFlightBytes;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        peer = String.valueOf(ctx.channel().remoteAddress());
        sequencer = new ResponseSequencer(ctx.channel(), () -> resumeReadingIfDrained(ctx));
        LOG.debug("Connection from {}", peer);
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, KafkaRequest request) {
        long sequence = sequencer.nextSequence();
        LOG.trace("Received {} from {}", request, peer);
        long bytes = inFlightBytes.addAndGet(request.sizeInBytes());
        if (sequencer.inFlight() >= MAX_IN_FLIGHT || bytes >= maxInFlightBytes || !ctx.channel().isWritable()) {
            gate.pause(ReadGate.BACKPRESSURE);
        }
        RequestContext context = new RequestContext(request.clientId(), RequestContext.ANONYMOUS, peer,
                listenerName);
        // The request (and its memory reservation) lives until it is handled; this handler releases it on return.
        request.retain();
        try {
            executor.execute(() -> handle(ctx, sequence, request, context));
        } catch (RejectedExecutionException e) {
            request.release();
            LOG.debug("Server is stopping; closing connection from {}", peer);
            ctx.close();
        }
    }

    private void handle(ChannelHandlerContext ctx, long sequence, KafkaRequest request, RequestContext context) {
        CompletableFuture<KafkaResponse> response;
        try {
            response = apis.handle(request, context);
        } catch (Throwable t) {
            inFlightBytes.addAndGet(-request.sizeInBytes());
            request.release();
            fail(ctx, request, t);
            return;
        }
        response.whenComplete((result, error) -> {
            inFlightBytes.addAndGet(-request.sizeInBytes());
            request.release();
            if (error != null) {
                fail(ctx, request, error);
            } else {
                int throttleMs = result == null ? 0 : result.throttleMs(); // read before the sequencer owns it
                if (throttleMs > 0) {
                    // Queued before the response's write: the client must not get a request read in between.
                    ctx.executor().execute(() -> throttle(ctx, throttleMs));
                }
                sequencer.complete(sequence, result);
            }
        });
    }

    private void fail(ChannelHandlerContext ctx, KafkaRequest request, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof InvalidRequestException) {
            // The client's fault, found by a handler (as Kafka's handlers throw it): no stack trace.
            log.warn(LOG, "invalid-request", "Closing connection from " + peer + ": invalid " + request + ": "
                    + cause.getMessage());
        } else if (cause instanceof org.apache.kafka.common.errors.CoordinatorNotAvailableException) {
            LOG.info("Closing connection from {}: {} needs the group coordinator, which is not available", peer,
                    request);
        } else {
            LOG.error("Failed to handle {} from {}; closing the connection", request, peer, error);
        }
        ctx.channel().close();
    }

    /**
     * KIP-219: the response carrying the throttle time is sent at once, and the connection is not read until the
     * throttle ends (the latest end when throttles overlap). Paused just before that response is written, so that
     * no request the client sends after reading it gets in. On the event loop.
     */
    private void throttle(ChannelHandlerContext ctx, int throttleMs) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(throttleMs);
        gate.pause(ReadGate.THROTTLE);
        if (until - throttledUntilNanos > 0 || !throttleScheduled) {
            throttledUntilNanos = until;
        }
        if (!throttleScheduled) {
            throttleScheduled = true;
            ctx.executor().schedule(() -> endThrottle(ctx), throttleMs, TimeUnit.MILLISECONDS);
        }
    }

    private void endThrottle(ChannelHandlerContext ctx) {
        long left = throttledUntilNanos - System.nanoTime();
        if (left > 0) {
            ctx.executor().schedule(() -> endThrottle(ctx), left, TimeUnit.NANOSECONDS);
            return;
        }
        throttleScheduled = false;
        gate.resume(ReadGate.THROTTLE);
    }

    /**
     * A client that sends without reading its responses must not make them pile up in the outbound buffer: like
     * Kafka muting a connection until its response is sent, stop reading while the channel is not writable.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (!ctx.channel().isWritable()) {
            gate.pause(ReadGate.BACKPRESSURE);
        } else {
            resumeReadingIfDrained(ctx);
        }
        super.channelWritabilityChanged(ctx);
    }

    private void resumeReadingIfDrained(ChannelHandlerContext ctx) {
        if (gate.paused(ReadGate.BACKPRESSURE) && ctx.channel().isWritable()
                && sequencer.inFlight() < MAX_IN_FLIGHT / 2
                && inFlightBytes.get() < maxInFlightBytes / 2) {
            gate.resume(ReadGate.BACKPRESSURE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (sequencer != null) {
            sequencer.close();
        }
        LOG.debug("Connection from {} closed", peer);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("I/O error on connection from {}: {}", peer, cause.toString());
        } else {
            // One stack trace per kind and interval: a failure that hits every connection must not flood the log.
            log.warn(LOG, "connection-error", "Closing connection from " + peer + " after an error: " + cause, cause);
        }
        ctx.close();
    }
}
