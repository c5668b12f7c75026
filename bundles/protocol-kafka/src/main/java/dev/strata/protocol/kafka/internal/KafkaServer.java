package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.api.logging.LoggerLevels;
import dev.strata.api.quota.QuotaManager;
import dev.strata.protocol.kafka.api.KafkaListener;
import dev.strata.protocol.kafka.api.ListenerLoad;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka protocol server: a Netty listener whose {@link ConnectionAcceptor} applies the connection limits, a
 * pipeline per connection of {@link IdleConnectionCloser} → {@link FrameDecoder} → {@link RequestDecoder} →
 * {@link RequestDispatcher}, the {@link RequestMemoryPool} all connections' requests share, and the request-handler
 * pool that runs broker calls off the event loops. Plain Java (no OSGi), so tests can start it directly.
 *
 * <p>Thread-safety: {@link #start} and {@link #close} are called by one thread (the component's lifecycle); the
 * accessors are safe from any thread once {@code start} returned.
 */
public final class KafkaServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaServer.class);
    static final String LISTENER_NAME = "PLAINTEXT";

    private final Broker broker;
    private final ServerSettings settings;
    private final Supplier<GroupCoordinator> groupCoordinator;
    /** How long after the listener binds the group APIs are advertised while no group coordinator is up yet. */
    static final long GROUP_COORDINATOR_START_GRACE_MS = 10_000;
    private long groupCoordinatorStartGraceMs = GROUP_COORDINATOR_START_GRACE_MS;
    private final Supplier<QuotaManager> quotaManager;
    private final Supplier<LoggerLevels> loggerLevels;
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    /** Reports what connections do wrong (bad frames, refusals, timeouts) without letting a flood fill the log. */
    private final RateLimitedLog log = new RateLimitedLog(RateLimitedLog.DEFAULT_INTERVAL_MS);
    private final ConnectionQuotas quotas;
    private final RequestMemoryPool memory;
    private EventLoopGroup acceptorGroup;
    private EventLoopGroup networkGroup;
    private ThreadPoolExecutor requestPool;
    private Channel serverChannel;
    private volatile int boundPort = -1;
    /** Set by {@link #close}, so the server channel's close listener can tell an expected close from a failure. */
    private volatile boolean closing;

    public KafkaServer(Broker broker, ServerSettings settings) {
        this(broker, settings, () -> null);
    }

    /** @param groupCoordinator the group coordinator service while there is one (read per request), else null */
    public KafkaServer(Broker broker, ServerSettings settings, Supplier<GroupCoordinator> groupCoordinator) {
        this(broker, settings, groupCoordinator, () -> null);
    }

    /** @param quotaManager the quota manager service while there is one (read per request), else null */
    public KafkaServer(Broker broker, ServerSettings settings, Supplier<GroupCoordinator> groupCoordinator,
                       Supplier<QuotaManager> quotaManager) {
        this(broker, settings, groupCoordinator, quotaManager, () -> null);
    }

    /** @param loggerLevels the logging backend's loggers while there is one (read per request), else null */
    public KafkaServer(Broker broker, ServerSettings settings, Supplier<GroupCoordinator> groupCoordinator,
                       Supplier<QuotaManager> quotaManager, Supplier<LoggerLevels> loggerLevels) {
        this.loggerLevels = loggerLevels;
        this.broker = broker;
        this.settings = settings;
        this.groupCoordinator = groupCoordinator;
        this.quotaManager = quotaManager;
        ListenerLimits limits = settings.limits();
        this.quotas = new ConnectionQuotas(limits.maxConnections(), limits.maxConnectionsPerIp(),
                limits.maxConnectionsPerIpOverrides());
        this.memory = new RequestMemoryPool(limits.queuedMaxRequestBytes());
    }

    /** Binds the listener; on failure everything started so far is stopped again. */
    /** Before {@link #start}: how long the group APIs are advertised before a coordinator is up (tests set 0). */
    KafkaServer groupCoordinatorStartGraceMs(long ms) {
        this.groupCoordinatorStartGraceMs = ms;
        return this;
    }

    public void start() {
        Listener listener = new Listener();
        KafkaApis apis = new KafkaApis(broker, listener, groupCoordinator, quotaManager, loggerLevels);
        // While the container starts, the listener binds before the group coordinator (both wait for the broker):
        // the group APIs are advertised from the start (FindCoordinator answers COORDINATOR_NOT_AVAILABLE until the
        // coordinator is up, which clients retry), so that a client connecting in between does not cache an
        // ApiVersions without them and fail. Without a coordinator after that they are not advertised.
        long graceEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(groupCoordinatorStartGraceMs);
        java.util.concurrent.atomic.AtomicBoolean coordinatorSeen = new java.util.concurrent.atomic.AtomicBoolean();
        BooleanSupplier groupsAvailable = () -> {
            if (groupCoordinator.get() != null) {
                coordinatorSeen.set(true);
                return true;
            }
            return !coordinatorSeen.get() && System.nanoTime() - graceEnd < 0;
        };
        acceptorGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("strata-kafka-acceptor", true),
                NioIoHandler.newFactory());
        networkGroup = new MultiThreadIoEventLoopGroup(settings.networkThreads(),
                new DefaultThreadFactory("strata-kafka-network", true), NioIoHandler.newFactory());
        requestPool = new ThreadPoolExecutor(settings.ioThreads(), settings.ioThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new NamedThreads("strata-kafka-request-handler"));
        try {
            ServerBootstrap bootstrap = new ServerBootstrap().group(acceptorGroup, networkGroup)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .handler(new ConnectionAcceptor(quotas, settings.limits().maxConnectionCreationRate(), log))
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.add(ch);
                            ch.closeFuture().addListener(f -> connections.remove(ch));
                            ReadGate gate = new ReadGate(ch);
                            ch.pipeline()
                                    .addLast("idle-closer", new IdleConnectionCloser(settings.maxIdleMs(), log))
                                    .addLast("frame-decoder", new FrameDecoder(settings.maxRequestBytes(), memory,
                                            gate, settings.limits().requestReadTimeoutMs(), log))
                                    .addLast("request-decoder", new RequestDecoder(groupsAvailable, log))
                                    .addLast("request-dispatcher",
                                            new RequestDispatcher(apis, requestPool, LISTENER_NAME,
                                                    settings.maxRequestBytes(), gate, log));
                        }
                    });
            ChannelFuture bind = bootstrap.bind(settings.host(), settings.port()).awaitUninterruptibly();
            if (!bind.isSuccess()) {
                // One line an operator can act on; the launcher reports the failed activation with this message.
                String message = "Kafka listener cannot bind " + settings.host() + ":" + settings.port() + ": "
                        + describe(bind.cause());
                LOG.error(message);
                throw new IllegalStateException(message, bind.cause());
            }
            serverChannel = bind.channel();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        Channel listening = serverChannel;
        listening.closeFuture().addListener(f -> {
            if (!closing) {
                LOG.error("Kafka listener on {} closed unexpectedly: no new connections are accepted until the "
                        + "component is restarted", listening.localAddress());
            }
        });
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        boundPort = bound.getPort();
        ListenerLimits limits = settings.limits();
        LOG.info("Kafka listener bound to {}:{} (advertised as {}:{}, {} network threads, {} request handler "
                        + "threads, socket.request.max.bytes={}, max.connections={}, max.connections.per.ip={}{}, "
                        + "max.connection.creation.rate={}, queued.max.request.bytes={}, "
                        + "socket.request.read.timeout.ms={})", bound.getAddress().getHostAddress(), boundPort,
                settings.advertisedHost(), boundPort, settings.networkThreads(), settings.ioThreads(),
                settings.maxRequestBytes(), limits.maxConnections(), limits.maxConnectionsPerIp(),
                limits.maxConnectionsPerIpOverrides().isEmpty() ? ""
                        : " (overrides " + limits.maxConnectionsPerIpOverrides() + ")",
                limits.maxConnectionCreationRate(),
                memory.capacity() == Long.MAX_VALUE ? "unlimited" : memory.capacity(),
                limits.requestReadTimeoutMs());
        if (memory.capacity() < settings.maxRequestBytes()) {
            LOG.warn("queued.max.request.bytes={} is below socket.request.max.bytes={}: larger requests are refused",
                    memory.capacity(), settings.maxRequestBytes());
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (memory.capacity() != Long.MAX_VALUE && heap != Long.MAX_VALUE && memory.capacity() > heap / 2) {
            LOG.warn("queued.max.request.bytes={} is more than half the heap ({} bytes): requests held in memory "
                    + "could exhaust it", memory.capacity(), heap);
        }
    }

    /** The port actually bound (the ephemeral one when configured with 0); -1 before {@link #start}. */
    public int port() {
        return boundPort;
    }

    /** What clients connect to: the advertised host and the bound port; also a {@link ListenerLoad}. */
    public KafkaListener listener() {
        return new Listener();
    }

    /** Stops accepting, closes every connection, stops the event loops and then the request handlers. */
    @Override
    public void close() {
        closing = true;
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
            serverChannel = null;
        }
        List<Channel> open = new ArrayList<>(connections);
        open.forEach(Channel::close);
        open.forEach(ch -> ch.closeFuture().awaitUninterruptibly(2, TimeUnit.SECONDS));
        shutdown(acceptorGroup);
        shutdown(networkGroup);
        acceptorGroup = null;
        networkGroup = null;
        if (requestPool != null) {
            // The connections are closed: their queued requests have no one to answer. Running ones are left to
            // finish, never interrupted, since an interrupt inside a log write closes that log's file channel.
            requestPool.getQueue().clear();
            requestPool.shutdown();
            try {
                if (!requestPool.awaitTermination(30, TimeUnit.SECONDS)) {
                    LOG.warn("Request handlers still busy after 30 s; leaving them to finish on their own");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            requestPool = null;
        }
        if (boundPort >= 0) {
            LOG.info("Kafka listener on port {} closed", boundPort);
        }
    }

    /** A bind failure's cause in a few words: "Address already in use", not a stack trace. */
    private static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown cause";
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    /** Open connections, as counted against {@code max.connections}. */
    int openConnections() {
        return quotas.open();
    }

    /** The request memory pool, for tests and health output. */
    RequestMemoryPool memory() {
        return memory;
    }

    /** Connections closed right after accept because of a limit, since start. */
    long refusedConnections() {
        return quotas.refused();
    }

    /** The listening channel, for tests that need to close it under the server. */
    Channel serverChannel() {
        return serverChannel;
    }

    private static void shutdown(EventLoopGroup group) {
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The advertised endpoint and the listener's load; reads the bound port and the counts live, so it is right
     * however early a client asks.
     */
    private final class Listener implements KafkaListener, ListenerLoad {
        @Override
        public String name() {
            return LISTENER_NAME;
        }

        @Override
        public String host() {
            return settings.advertisedHost();
        }

        @Override
        public int port() {
            return boundPort;
        }

        @Override
        public int openConnections() {
            return quotas.open();
        }

        @Override
        public int maxConnections() {
            return quotas.maxConnections();
        }

        @Override
        public long refusedConnections() {
            return quotas.refused();
        }

        @Override
        public long requestBytesInUse() {
            return memory.used();
        }

        @Override
        public long requestBytesLimit() {
            return memory.capacity();
        }

        @Override
        public String toString() {
            return name() + "://" + bootstrapServers();
        }
    }

    /** Daemon threads with a readable name, so a thread dump shows who they belong to. */
    private static final class NamedThreads implements java.util.concurrent.ThreadFactory {
        private final String prefix;
        private final AtomicInteger next = new AtomicInteger();

        NamedThreads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, prefix + "-" + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        }
    }
}
