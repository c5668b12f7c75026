package dev.strata.protocol.kafka.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits on the listening channel, before Netty hands accepted connections to the network threads, and applies the
 * connection limits:
 * <ul>
 *   <li>{@code max.connection.creation.rate}: as in Kafka, accepting is <em>delayed</em>, not refused. A token bucket
 *       (one second's worth of burst) decides when the next accepted connection may go on; until then the listener
 *       stops accepting (the kernel's backlog holds new ones) and the few already accepted wait here.</li>
 *   <li>{@code max.connections} and {@code max.connections.per.ip} (with overrides): a connection over a limit is
 *       closed right after accept, with one rate-limited log line. Kafka blocks accepting at {@code max.connections}
 *       instead; closing tells the client at once (kafka-clients reconnects with its backoff) and keeps the accept
 *       queue moving, so the connections of other clients are not stuck behind the flood in the backlog.</li>
 * </ul>
 *
 * <p>Used only on the acceptor's event loop; the counts it keeps in {@link ConnectionQuotas} are released on close
 * from any thread.
 */
final class ConnectionAcceptor extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionAcceptor.class);

    private final ConnectionQuotas quotas;
    private final RateLimitedLog log;
    private final int ratePerSecond;
    private final Queue<Channel> waiting = new ArrayDeque<>();
    private double tokens;
    private long lastRefill = System.nanoTime();
    private ScheduledFuture<?> resume;

    /** @param ratePerSecond {@code max.connection.creation.rate}; {@code Integer.MAX_VALUE} turns the throttle off */
    ConnectionAcceptor(ConnectionQuotas quotas, int ratePerSecond, RateLimitedLog log) {
        this.quotas = quotas;
        this.ratePerSecond = ratePerSecond;
        this.tokens = ratePerSecond;
        this.log = log;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        waiting.add((Channel) msg);
        drain(ctx);
    }

    private void drain(ChannelHandlerContext ctx) {
        resume = null;
        Channel next;
        while ((next = waiting.peek()) != null) {
            long delay = takeToken();
            if (delay > 0) {
                // Stop accepting until the bucket refills; those accepted already wait in order.
                ctx.channel().config().setAutoRead(false);
                resume = ctx.executor().schedule(() -> drain(ctx), delay, TimeUnit.NANOSECONDS);
                return;
            }
            waiting.poll();
            admit(ctx, next);
        }
        if (!ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** 0 if a connection may go on now (and takes its token), else the nanoseconds until one may. */
    private long takeToken() {
        if (ratePerSecond == Integer.MAX_VALUE) {
            return 0;
        }
        long now = System.nanoTime();
        tokens = Math.min(ratePerSecond, tokens + (now - lastRefill) / 1e9 * ratePerSecond);
        lastRefill = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) ((1 - tokens) * 1e9 / ratePerSecond));
    }

    private void admit(ChannelHandlerContext ctx, Channel child) {
        if (!(child.remoteAddress() instanceof InetSocketAddress remote)) {
            child.unsafe().closeForcibly(); // reset before we got to it: no peer to count
            return;
        }
        InetAddress address = remote.getAddress();
        ConnectionQuotas.Refusal refusal = quotas.tryAcquire(address);
        if (refusal == null) {
            child.closeFuture().addListener(f -> quotas.release(address));
            ctx.fireChannelRead(child);
            return;
        }
        if (refusal == ConnectionQuotas.Refusal.MAX_CONNECTIONS) {
            log.warn(LOG, "max.connections", "Refusing connection from " + child.remoteAddress() + ": "
                    + quotas.open() + " connections open (max.connections=" + quotas.maxConnections() + ")");
        } else {
            log.warn(LOG, "max.connections.per.ip", "Refusing connection from " + child.remoteAddress() + ": "
                    + quotas.open(address) + " connections open from " + address.getHostAddress()
                    + " (max.connections.per.ip=" + quotas.maxFor(address) + ")");
        }
        // Not registered with an event loop yet: close the socket directly.
        child.unsafe().closeForcibly();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (resume != null) {
            resume.cancel(false);
        }
        Channel child;
        while ((child = waiting.poll()) != null) {
            child.unsafe().closeForcibly();
        }
        super.channelInactive(ctx);
    }
}
