package dev.strata.storage.segment.internal;

import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.LogConfig;
import dev.strata.api.log.LogStore;
import dev.strata.api.log.OffsetIndexFactory;
import dev.strata.api.log.PartitionLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment-file log store: each partition directory holds Kafka-style {@code %020d.log} segments with a sparse
 * offset index and a time index from an {@link OffsetIndexFactory} service (the memory-mapped one unless
 * {@code indexFactory.target} says otherwise). A scheduled check applies time-based flush policies
 * ({@code flush.ms}) to logs that are idle.
 *
 * <p>The index factory is a dynamic, greedy, mandatory reference: when DS binds another one (the target filter
 * changed, or a better-ranked factory appeared) every open log moves its indexes to it in the background while
 * reads and appends go on ({@link SegmentedLog#switchIndexes}); the unbind of the old factory waits for that, so
 * the old indexes stay usable until nothing uses them. With no matching factory DS deactivates the store, which
 * closes its logs.
 *
 * <p>Thread-safe. Logs opened by this store are closed (flushed, marked clean) when the component deactivates.
 */
@Component(service = LogStore.class, property = LogStore.PROPERTY_NAME + "=segment",
        configurationPid = SegmentLogStore.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = SegmentLogStore.Config.class)
public final class SegmentLogStore implements LogStore {
    static final String PID = "dev.strata.storage.segment";
    private static final Logger LOG = LoggerFactory.getLogger(SegmentLogStore.class);

    /** Settings of the segment store; per-partition settings come with each {@code open} as a LogConfig. */
    @ObjectClassDefinition(name = "Strata segment log store",
            description = "Kafka-style segment files with memory-mapped sparse offset and time indexes")
    public @interface Config {
        @AttributeDefinition(name = "Flush check interval (ms)",
                description = "How often idle logs are checked against their flush.ms policy; 0 turns it off")
        long flush_check_interval_ms() default 1000;

        @AttributeDefinition(name = "Recovery point checkpoint interval (ms)",
                description = "How often each log's recovery point (the offset below which everything is fsynced) "
                        + "is written to its recovery-point-offset-checkpoint file, besides on roll and close")
        long recovery_point_checkpoint_interval_ms() default 60_000;

        @AttributeDefinition(name = "Open files of inactive segments",
                description = "How many segments that are not active may hold an open file (and mapped indexes) at "
                        + "once, over all logs; the least recently used are closed and reopened on demand. Active "
                        + "segments (one per partition) are not counted")
        int max_open_inactive_segments() default OpenFileCache.DEFAULT_MAX_OPEN;

        @AttributeDefinition(name = "Offset index service filter",
                description = "LDAP filter choosing the OffsetIndexFactory service: (strata.index.type=mmap) or "
                        + "(strata.index.type=rocksdb). A change moves the indexes of every open log to the new "
                        + "implementation while they serve (rebuilt from the segment files)")
        String indexFactory_target() default "(" + OffsetIndexFactory.PROPERTY_TYPE + "=mmap)";
    }

    /** The bound index factory and its type, replaced by DS. */
    private volatile IndexChoice index;
    /** Runs index swaps one after the other. */
    private final ExecutorService swapper = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "strata-index-swap");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;
    private final LongSupplier clock;
    private final OpenFileCache files;
    private final Set<SegmentedLog> openLogs = ConcurrentHashMap.newKeySet();
    /**
     * Bounds how long a closed log keeps its files for slices still being sent, and deletes the files of removed
     * segments and deleted logs {@code file.delete.delay.ms} later ({@link SegmentDeleter}). Its delayed tasks still
     * run after the store stops (the executor's default policy), so a stopped or updated store lets sends in flight
     * finish.
     */
    private final ScheduledExecutorService closeTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "strata-segment-close-timer");
        t.setDaemon(true);
        return t;
    });
    private ScheduledExecutorService flusher;
    private volatile long checkpointIntervalMs = 60_000;
    private long lastCheckpointMs;

    /** An index factory and its {@code strata.index.type}. */
    record IndexChoice(OffsetIndexFactory factory, String type) {
    }

    /** DS binds the index factory (see {@link #bindIndexFactory}) right after this. */
    @Activate
    public SegmentLogStore(Config config) {
        this(null, System::currentTimeMillis, config.max_open_inactive_segments());
        schedule(config);
    }

    /** For tests and plain-Java use: no scheduled flush check, an explicit clock. */
    public SegmentLogStore(OffsetIndexFactory indexFactory, LongSupplier clock) {
        this(indexFactory, clock, OpenFileCache.DEFAULT_MAX_OPEN);
    }

    /** For tests: also how many inactive segments may hold open files. */
    SegmentLogStore(OffsetIndexFactory indexFactory, LongSupplier clock, int maxOpenInactiveSegments) {
        this.index = indexFactory == null ? null : new IndexChoice(indexFactory,
                indexFactory instanceof MmapOffsetIndexFactory ? "mmap" : indexFactory.getClass().getSimpleName());
        this.clock = clock;
        this.files = new OpenFileCache(maxOpenInactiveSegments);
    }

    /**
     * Binds the index factory; a replacement starts moving every open log to it (in the background, one swap at a
     * time).
     */
    @Reference(name = "indexFactory", policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            cardinality = ReferenceCardinality.MANDATORY,
            target = "(" + OffsetIndexFactory.PROPERTY_TYPE + "=mmap)")
    void bindIndexFactory(OffsetIndexFactory factory, Map<String, Object> properties) {
        Object type = properties.get(OffsetIndexFactory.PROPERTY_TYPE);
        useIndexFactory(factory, type == null ? factory.getClass().getName() : type.toString());
    }

    /** Waits until no open log uses {@code factory} any more, so its indexes stay usable until then. */
    void unbindIndexFactory(OffsetIndexFactory factory) {
        IndexChoice now = index;
        if (now != null && now.factory() == factory) {
            return; // no replacement: DS deactivates this store (its logs are closed)
        }
        awaitSwaps();
    }

    /**
     * Makes {@code factory} the index of new logs and moves the open ones to it in the background.
     *
     * @return the swap, done when every log open now has moved
     */
    public Future<?> useIndexFactory(OffsetIndexFactory factory, String type) {
        IndexChoice from;
        IndexChoice to = new IndexChoice(factory, type);
        synchronized (this) {
            from = index;
            index = to;
        }
        if (from == null || from.factory() == factory) {
            return CompletableFuture.completedFuture(null);
        }
        if (from.factory() instanceof MmapOffsetIndexFactory && factory instanceof MmapOffsetIndexFactory) {
            // Another instance over the same files (the component re-created): nothing to rebuild; the logs open now
            // keep the old instance, which is plain Java and works on.
            return CompletableFuture.completedFuture(null);
        }
        return swapper.submit(() -> swapAll(from, to));
    }

    /** Waits for the swaps started so far. */
    public void awaitSwaps() {
        try {
            swapper.submit(() -> { }).get();
        } catch (RejectedExecutionException e) {
            // deactivated: no swap runs any more
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.error("Index swap failed", e.getCause());
        }
    }

    private void swapAll(IndexChoice from, IndexChoice to) {
        List<SegmentedLog> logs = List.copyOf(openLogs);
        long started = System.nanoTime();
        LOG.info("Index swap {} -> {} started for {} open log(s)", from.type(), to.type(), logs.size());
        int moved = 0;
        int failed = 0;
        long entries = 0;
        long segmentCount = 0;
        for (SegmentedLog log : logs) {
            if (stopping) {
                break;
            }
            try {
                long built = log.switchIndexes(to.factory(), to.type(), () -> stopping);
                if (built >= 0) {
                    moved++;
                    entries += built;
                    segmentCount += log.segmentCount();
                }
            } catch (IOException | RuntimeException e) {
                failed++;
                LOG.error("Index swap {} -> {} of {} failed; it keeps its {} indexes", from.type(), to.type(),
                        log.topicPartition(), from.type(), e);
            }
        }
        LOG.info("Index swap {} -> {} finished in {} ms: {} log(s) moved ({} segment(s), {} index entries built), "
                + "{} failed{}", from.type(), to.type(), (System.nanoTime() - started) / 1_000_000, moved,
                segmentCount, entries, failed, stopping ? ", stopped by the store's deactivation" : "");
    }

    @Modified
    void modified(Config config) {
        files.setMaxOpen(config.max_open_inactive_segments());
        schedule(config);
    }

    private synchronized void schedule(Config config) {
        stopFlusher();
        checkpointIntervalMs = config.recovery_point_checkpoint_interval_ms();
        long interval = config.flush_check_interval_ms();
        if (interval > 0) {
            flusher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "strata-segment-flusher");
                t.setDaemon(true);
                return t;
            });
            flusher.scheduleWithFixedDelay(this::flushDueLogs, interval, interval, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Stops the flush check without interrupting it: an interrupt inside FileChannel.force closes the segment's
     * channel for every user of the log, so a running check is left to finish.
     */
    private void stopFlusher() {
        if (flusher == null) {
            return;
        }
        flusher.shutdown();
        try {
            if (!flusher.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("The scheduled flush check did not finish within 30 s; leaving it to end on its own");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flusher = null;
    }

    void flushDueLogs() {
        long now = clock.getAsLong();
        boolean checkpoint = now - lastCheckpointMs >= checkpointIntervalMs;
        if (checkpoint) {
            lastCheckpointMs = now;
        }
        for (SegmentedLog log : openLogs) {
            try {
                log.flushIfDue();
                if (checkpoint) {
                    log.checkpointRecoveryPoint();
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("Scheduled flush of {} failed", log.topicPartition(), e);
            }
        }
    }

    @Override
    public PartitionLog open(Path dir, TopicPartition tp, LogConfig config) throws IOException {
        Path normalized = dir.toAbsolutePath().normalize();
        for (SegmentedLog log : openLogs) {
            if (log.dir().toAbsolutePath().normalize().equals(normalized)) {
                throw new IOException("Log directory " + dir + " is already open as " + log.topicPartition());
            }
        }
        IndexChoice choice = index;
        SegmentedLog log = LogLoader.load(dir, tp, config, choice.factory(), choice.type(), files, clock,
                openLogs::remove);
        log.closeFilesLaterWith(closeTimer);
        openLogs.add(log);
        IndexChoice now = index;
        if (now != choice) {
            // A swap started while this log loaded and may not have seen it: move it now.
            log.switchIndexes(now.factory(), now.type(), () -> stopping);
        }
        return log;
    }

    /** The logs open now (for {@code strata:verify}). */
    List<SegmentedLog> openLogs() {
        return List.copyOf(openLogs);
    }

    /** Inactive segments holding an open file now (for tests and monitoring). */
    int openInactiveSegments() {
        return files.size();
    }

    /** Closes every log still open so its data is flushed and its next open is a clean one. */
    @Deactivate
    public void deactivate() {
        synchronized (this) {
            stopFlusher();
        }
        closeTimer.shutdown(); // pending grace timeouts still run, then the thread ends
        // A running swap stops between segments (and leaves its log on the old indexes); not interrupted, as an
        // interrupt inside a FileChannel read closes the segment's channel for every user of the log.
        stopping = true;
        swapper.shutdown();
        try {
            if (!swapper.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("An index swap did not stop within 60 s; closing the logs anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SegmentedLog log : new ArrayList<>(openLogs)) {
            try {
                log.close();
            } catch (IOException | RuntimeException e) {
                LOG.error("Closing {} failed", log.topicPartition(), e);
            }
        }
    }
}
