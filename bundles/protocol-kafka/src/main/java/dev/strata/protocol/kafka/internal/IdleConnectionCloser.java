package dev.strata.protocol.kafka.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection that has neither read nor written anything for {@code connections.max.idle.ms}, as Kafka
 * brokers do, so half-dead peers do not hold sockets forever. Checks a few times per period on the connection's event
 * loop. One instance per connection; used only on its event loop.
 */
final class IdleConnectionCloser extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(IdleConnectionCloser.class);

    private final long maxIdleNanos;
    private final RateLimitedLog log;
    private long lastActivity;
    private ScheduledFuture<?> check;

    IdleConnectionCloser(long maxIdleMs, RateLimitedLog log) {
        this.maxIdleNanos = TimeUnit.MILLISECONDS.toNanos(maxIdleMs);
        this.log = log;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        lastActivity = System.nanoTime();
        long period = Math.max(1, maxIdleNanos / 4);
        check = ctx.executor().scheduleAtFixedRate(() -> closeIfIdle(ctx), period, period, TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    private void closeIfIdle(ChannelHandlerContext ctx) {
        long idle = System.nanoTime() - lastActivity;
        if (idle >= maxIdleNanos && ctx.channel().isActive()) {
            log.info(LOG, "idle", "Closing connection from " + ctx.channel().remoteAddress() + ": idle for "
                    + TimeUnit.NANOSECONDS.toMillis(idle) + " ms (connections.max.idle.ms="
                    + TimeUnit.NANOSECONDS.toMillis(maxIdleNanos) + ")");
            ctx.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        lastActivity = System.nanoTime();
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        lastActivity = System.nanoTime();
        super.write(ctx, msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (check != null) {
            check.cancel(false);
        }
        super.channelInactive(ctx);
    }
}
