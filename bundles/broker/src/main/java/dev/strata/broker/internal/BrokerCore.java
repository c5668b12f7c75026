package dev.strata.broker.internal;

import dev.strata.api.log.LogStore;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.replication.Replication;
import dev.strata.files.LogDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running broker over one data directory, one log store, one metadata store and one replication service: the
 * log manager, the fetch purgatory, the producer-id manager, the request logic and the shared scheduler. Built by {@link BrokerComponent}
 * (and directly by tests, without OSGi).
 *
 * <p>Thread-safety: thread-safe once started; {@link #close()} is called once, by the owner.
 */
final class BrokerCore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerCore.class);
    /** Kafka's producer.id.expiration.ms default: forget idle idempotent producers after a day. */
    static final long PRODUCER_ID_EXPIRATION_MS = 24L * 60 * 60 * 1000;

    final MetadataStore metadata;
    final LogManager logs;
    final DelayedFetchPurgatory purgatory;
    final BrokerService broker;
    private final ScheduledThreadPoolExecutor scheduler;

    private BrokerCore(MetadataStore metadata, LogManager logs, DelayedFetchPurgatory purgatory,
                       BrokerService broker, ScheduledThreadPoolExecutor scheduler) {
        this.metadata = metadata;
        this.logs = logs;
        this.purgatory = purgatory;
        this.broker = broker;
        this.scheduler = scheduler;
    }

    /**
     * Opens every log the metadata knows and starts the timers.
     *
     * @param metadata the cluster metadata of this broker (the {@code MetadataStore} service)
     * @param replication what commits appends (the {@code Replication} service)
     * @param codecs the codecs installed now and later (the component's live registry)
     */
    static BrokerCore start(BrokerSettings settings, LogStore store, MetadataStore metadata, Replication replication,
                            CompressionCodecs codecs, LongSupplier clock) throws IOException {
        return start(settings, StoreBinding.of(store), metadata, replication, codecs, clock);
    }

    /** @param stores the log store bound now and later (the component's live binding) */
    static BrokerCore start(BrokerSettings settings, StoreBinding stores, MetadataStore metadata,
                            Replication replication, CompressionCodecs codecs, LongSupplier clock)
            throws IOException {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, daemonThreads());
        scheduler.setRemoveOnCancelPolicy(true); // completed fetches cancel their timeouts; do not keep them queued
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        try {
            LogDirs.check(settings.logDir());
            ProducerIdManager producerIds = new ProducerIdManager(metadata);
            DelayedFetchPurgatory[] purgatoryRef = new DelayedFetchPurgatory[1];
            // The log manager tells the purgatory about appends; the purgatory reads through the log manager.
            LogManager logs = new LogManager(settings.logDir(), stores, metadata, settings, replication,
                    (tp, bytes) -> purgatoryRef[0].onAppend(tp, bytes), clock, codecs);
            FetchReader reader = new FetchReader(logs);
            purgatoryRef[0] = new DelayedFetchPurgatory(reader, scheduler);
            logs.startup();
            BrokerService broker = new BrokerService(settings, metadata, logs, reader, purgatoryRef[0], producerIds,
                    scheduler, clock);
            scheduler.scheduleWithFixedDelay(logs::flushDueLogs, 1, 1, TimeUnit.SECONDS);
            scheduler.scheduleWithFixedDelay(() -> logs.expireProducers(PRODUCER_ID_EXPIRATION_MS), 10, 10,
                    TimeUnit.MINUTES);
            LogRetention retention = new LogRetention(clock);
            long retentionCheckMs = settings.longValue(LogRetention.CHECK_INTERVAL_MS,
                    LogRetention.DEFAULT_CHECK_INTERVAL_MS, 1);
            scheduler.scheduleWithFixedDelay(() -> retention.run(logs.partitions()), retentionCheckMs,
                    retentionCheckMs, TimeUnit.MILLISECONDS);
            LOG.info("Broker {} started on {} (cluster {})", settings.brokerId(), settings.logDir(),
                    metadata.clusterId());
            return new BrokerCore(metadata, logs, purgatoryRef[0], broker, scheduler);
        } catch (IOException | RuntimeException e) {
            scheduler.shutdownNow();
            throw e;
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "strata-broker-scheduler-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Applies settings that need no restart (defaults for topics, limits, switches). */
    void reconfigure(BrokerSettings next) {
        broker.updateSettings(next);
        logs.brokerSettingsChanged(next);
    }

    /**
     * Asks the controller to move this broker's leaderships to other in-sync replicas (the broker is stopping), while
     * the logs still serve, and logs how many moved and how many stayed. Call before {@link #close()}.
     */
    void controlledShutdown(long timeoutMs) {
        long leading = logs.partitions().stream().filter(Partition::isLeader).count();
        long start = System.nanoTime();
        try {
            int remaining = metadata.controlledShutdown(timeoutMs);
            LOG.info("Controlled shutdown of broker {} in {} ms: {} leadership(s) moved, {} stayed (no other in-sync "
                    + "replica)", metadata.localBrokerId(), (System.nanoTime() - start) / 1_000_000,
                    Math.max(0, leading - remaining), remaining);
        } catch (RuntimeException e) {
            LOG.warn("Controlled shutdown of broker {} failed ({}); stopping with its {} leadership(s)",
                    metadata.localBrokerId(), e.getMessage(), leading);
        }
    }

    /** Answers waiting fetches, stops the timers, closes (and so flushes) every log. The metadata store stays open. */
    @Override
    public void close() {
        purgatory.shutdown();
        // shutdown(), not shutdownNow(): interrupting a thread inside FileChannel I/O would close the log's channel.
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        logs.shutdown();
        LOG.info("Broker {} stopped", metadata.localBrokerId());
    }
}
