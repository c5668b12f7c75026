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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment-file log store: each partition directory holds Kafka-style {@code %020d.log} segments with a sparse
 * offset index (from an {@link OffsetIndexFactory} service, the memory-mapped one unless configured otherwise) and
 * a time index. A scheduled check applies time-based flush policies ({@code flush.ms}) to logs that are idle.
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
                description = "LDAP filter choosing the OffsetIndexFactory service used for new and reopened logs")
        String indexFactory_target() default "(" + OffsetIndexFactory.PROPERTY_TYPE + "=mmap)";
    }

    private final OffsetIndexFactory indexFactory;
    private final LongSupplier clock;
    private final OpenFileCache files;
    private final Set<SegmentedLog> openLogs = ConcurrentHashMap.newKeySet();
    /**
     * Bounds how long a closed log keeps its files for slices still being sent. Its delayed tasks still run after
     * the store stops (the executor's default policy), so a stopped or updated store lets sends in flight finish.
     */
    private final ScheduledExecutorService closeTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "strata-segment-close-timer");
        t.setDaemon(true);
        return t;
    });
    private ScheduledExecutorService flusher;
    private volatile long checkpointIntervalMs = 60_000;
    private long lastCheckpointMs;

    /**
     * The index factory is a static, greedy reference: a better-matching factory (or a new target filter) makes
     * DS re-create this component, which closes its logs cleanly so the owner reopens them with the new index.
     */
    @Activate
    public SegmentLogStore(@Reference(name = "indexFactory", target = "(" + OffsetIndexFactory.PROPERTY_TYPE
            + "=mmap)", policyOption = org.osgi.service.component.annotations.ReferencePolicyOption.GREEDY)
                           OffsetIndexFactory indexFactory, Config config) {
        this(indexFactory, System::currentTimeMillis, config.max_open_inactive_segments());
        schedule(config);
    }

    /** For tests and plain-Java use: no scheduled flush check, an explicit clock. */
    public SegmentLogStore(OffsetIndexFactory indexFactory, LongSupplier clock) {
        this(indexFactory, clock, OpenFileCache.DEFAULT_MAX_OPEN);
    }

    /** For tests: also how many inactive segments may hold open files. */
    SegmentLogStore(OffsetIndexFactory indexFactory, LongSupplier clock, int maxOpenInactiveSegments) {
        this.indexFactory = indexFactory;
        this.clock = clock;
        this.files = new OpenFileCache(maxOpenInactiveSegments);
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
        SegmentedLog log = LogLoader.load(dir, tp, config, indexFactory, files, clock, openLogs::remove);
        log.closeFilesLaterWith(closeTimer);
        openLogs.add(log);
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
        for (SegmentedLog log : new ArrayList<>(openLogs)) {
            try {
                log.close();
            } catch (IOException | RuntimeException e) {
                LOG.error("Closing {} failed", log.topicPartition(), e);
            }
        }
    }
}
