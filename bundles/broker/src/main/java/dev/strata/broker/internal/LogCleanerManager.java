package dev.strata.broker.internal;

import dev.strata.api.cleaner.CleanRequest;
import dev.strata.api.cleaner.CleanResult;
import dev.strata.api.cleaner.LogCleaner;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.PartitionLog;
import dev.strata.api.log.SegmentInfo;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.TopicMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's {@code LogCleanerManager} and cleaner threads: chooses the dirtiest compacted log (the dirty part's share
 * of the log over {@code min.cleanable.dirty.ratio}, or older than {@code max.compaction.lag.ms}), hands it to the
 * bound {@link LogCleaner} service on one of {@code log.cleaner.threads} threads of its own, and remembers each
 * log's first dirty offset in {@value CleanerCheckpoint#FILE_NAME}. Requests never wait for it: the cleaner reads
 * and rewrites through the log's own concurrency contract ({@link PartitionLog#rewrite}).
 *
 * <p>Thread-safety: thread-safe. Choosing and the checkpoint are guarded by {@code lock}; each log is cleaned by
 * one thread at a time; {@link #reconfigure} and {@link #close} may come from any thread.
 */
final class LogCleanerManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogCleanerManager.class);
    private static final double MB = 1024.0 * 1024.0;

    /** A log worth cleaning now. */
    private record Candidate(Partition partition, PartitionLog log, long firstDirty, long cleanableEnd,
                             double ratio, CleanerSettings.Topic topic) {
    }

    private final LogManager logs;
    private final MetadataStore metadata;
    private final Supplier<LogCleaner> cleaner;
    private final LongSupplier clock;
    private final CleanerCheckpoint checkpoint;
    private final Object lock = new Object();
    /** First dirty offsets, as in the checkpoint file. Guarded by {@code lock}. */
    private final Map<TopicPartition, Long> firstDirty = new HashMap<>();
    /** Logs being cleaned now. Guarded by {@code lock}. */
    private final Set<TopicPartition> inProgress = new HashSet<>();
    private final List<Thread> threads = new ArrayList<>();
    /** The last failure logged per log, so that a lasting one is logged once. */
    private final Map<TopicPartition, String> lastFailure = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile BrokerSettings broker;
    private volatile CleanerSettings settings;
    /** Raised to stop the current threads (close, or a new thread count); each thread checks its own generation. */
    private volatile int generation;
    private volatile boolean closed;
    private volatile boolean warnedNoCleaner;
    /** Since when no LogCleaner service was seen (-1: one was); the WARN waits {@link #NO_CLEANER_GRACE_MS}. */
    private volatile long cleanerMissingSinceMs = -1;
    /** A cleaner bundle starting after the broker (plain Felix, bundle order) is not a missing cleaner. */
    static final long NO_CLEANER_GRACE_MS = 30_000;

    LogCleanerManager(Path logDir, LogManager logs, MetadataStore metadata, Supplier<LogCleaner> cleaner,
                      BrokerSettings broker, LongSupplier clock) {
        this.logs = logs;
        this.metadata = metadata;
        this.cleaner = cleaner;
        this.clock = clock;
        this.broker = broker;
        this.checkpoint = new CleanerCheckpoint(logDir);
        this.settings = parse(broker, new CleanerSettings(true, 1, CleanerSettings.DEFAULT_DEDUPE_BUFFER_SIZE,
                CleanerSettings.DEFAULT_BACKOFF_MS));
    }

    /** Reads the checkpoint and starts the cleaner threads. */
    void start() {
        synchronized (lock) {
            try {
                firstDirty.putAll(checkpoint.read());
            } catch (IOException e) {
                // Kafka, too, starts over from the log start offsets: cleaning again is only work, never loss.
                LOG.warn("Cannot read {}; every compacted log will be cleaned from its start: {}",
                        CleanerCheckpoint.FILE_NAME, e.getMessage());
            }
            startThreads(settings);
        }
    }

    private static CleanerSettings parse(BrokerSettings broker, CleanerSettings previous) {
        try {
            return CleanerSettings.of(broker);
        } catch (IllegalArgumentException e) {
            LOG.error("Invalid log cleaner setting, keeping the previous ones: {}", e.getMessage());
            return previous;
        }
    }

    /** Applies new broker settings live: a new thread count or switch restarts the threads, the rest applies next. */
    void reconfigure(BrokerSettings next) {
        broker = next;
        List<Thread> stopping = List.of();
        boolean restart;
        synchronized (lock) {
            CleanerSettings before = settings;
            CleanerSettings now = parse(next, before);
            settings = now;
            if (closed) {
                return;
            }
            restart = before.enable() != now.enable() || before.threads() != now.threads();
            if (restart) {
                stopping = stopThreads();
            }
            lock.notifyAll();
        }
        join(stopping);
        synchronized (lock) {
            if (restart && !closed && threads.isEmpty()) {
                startThreads(settings);
            }
        }
    }

    /** A LogCleaner service came or went: look at the logs again now. */
    void cleanerChanged() {
        warnedNoCleaner = false;
        cleanerMissingSinceMs = -1;
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    private void startThreads(CleanerSettings s) {
        if (!s.enable()) {
            LOG.info("Log cleaner disabled (log.cleaner.enable=false): compacted topics are not cleaned");
            return;
        }
        int gen = generation;
        for (int i = 0; i < s.threads(); i++) {
            int id = i;
            Thread t = new Thread(() -> run(id, gen), "strata-log-cleaner-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Asks the threads to stop (a cleaning in progress stops at its next batch). Called under lock. */
    private List<Thread> stopThreads() {
        generation++;
        lock.notifyAll();
        List<Thread> stopping = List.copyOf(threads);
        threads.clear();
        return stopping;
    }

    /** Waits for stopped threads, outside the lock (they take it to finish). */
    private static void join(List<Thread> stopping) {
        for (Thread t : stopping) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) {
                LOG.warn("Log cleaner thread {} did not stop within 30 s", t.getName());
            }
        }
    }

    @Override
    public void close() {
        List<Thread> stopping;
        synchronized (lock) {
            closed = true;
            stopping = stopThreads();
        }
        join(stopping);
    }

    private boolean stopped(int gen) {
        return closed || generation != gen;
    }

    private void run(int id, int gen) {
        while (!stopped(gen)) {
            Candidate c;
            try {
                c = grab();
            } catch (RuntimeException e) {
                LOG.warn("Log cleaner thread {} could not choose a log: {}", id, e.toString());
                c = null;
            }
            if (c == null) {
                synchronized (lock) {
                    if (!stopped(gen)) {
                        try {
                            lock.wait(Math.max(1, settings.backoffMs()));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
                continue;
            }
            try {
                clean(id, gen, c);
            } finally {
                synchronized (lock) {
                    inProgress.remove(c.partition().topicPartition());
                }
            }
        }
    }

    private void clean(int id, int gen, Candidate c) {
        LogCleaner service = cleaner.get();
        if (service == null) {
            return;
        }
        TopicPartition tp = c.partition().topicPartition();
        CleanerSettings s = settings;
        CleanRequest request = new CleanRequest(c.log(), c.firstDirty(), c.cleanableEnd(),
                c.topic().deleteRetentionMs(), c.topic().segmentBytes(), s.dedupeBufferPerThread(),
                clock.getAsLong(), () -> stopped(gen) || !stillServes(c));
        CleanResult r;
        try {
            r = service.clean(request);
        } catch (IOException | RuntimeException e) {
            if (stillServes(c) && !stopped(gen)) {
                // Once per distinct cause and log: a cause that lasts (a codec not started yet) is not repeated
                // every backoff.
                String cause = e.toString();
                if (!cause.equals(lastFailure.put(tp, cause))) {
                    LOG.warn("Cleaning {} failed; it is tried again later: {}", tp, cause);
                }
            }
            return;
        }
        lastFailure.remove(tp);
        synchronized (lock) {
            if (r.nextDirtyOffset() > c.firstDirty()) {
                firstDirty.put(tp, r.nextDirtyOffset());
                writeCheckpoint();
            }
        }
        if (r.segmentsRewritten() > 0) {
            double secs = Math.max(r.durationMs(), 1) / 1000.0;
            LOG.info(String.format(Locale.ROOT, "Log cleaner thread %d cleaned log %s (dirty section = [%d, %d]): "
                            + "%,.1f MB of log processed in %,.1f seconds (%,.1f MB/sec), %,.1f MB written, "
                            + "%,d of %,d records removed (%.1f%% size reduction)", id, tp, c.firstDirty(),
                    r.nextDirtyOffset(), r.bytesRead() / MB, secs, r.bytesRead() / MB / secs, r.bytesWritten() / MB,
                    r.recordsRemoved(), r.recordsRead(),
                    r.bytesRead() == 0 ? 0.0 : 100.0 * (r.bytesRead() - r.bytesWritten()) / r.bytesRead()));
        }
    }

    /** Whether the candidate's partition still serves the log being cleaned (not deleted, closed or swapped). */
    private static boolean stillServes(Candidate c) {
        try {
            return !c.partition().isOffline() && c.partition().isAttached() && c.partition().log() == c.log();
        } catch (RuntimeException e) {
            return false; // detached meanwhile
        }
    }

    private boolean exists(TopicPartition tp) {
        return metadata.topic(tp.topic()).map(t -> tp.partition() < t.partitionCount()).orElse(false);
    }

    /** Writes the checkpoint, forgetting partitions that no longer exist. Called under lock. */
    private void writeCheckpoint() {
        firstDirty.keySet().removeIf(tp -> !exists(tp));
        try {
            checkpoint.write(firstDirty);
        } catch (IOException e) {
            LOG.warn("Cannot write {}: {}", CleanerCheckpoint.FILE_NAME, e.toString());
        }
    }

    /** The dirtiest log due for cleaning, marked in progress; null when none is. */
    private Candidate grab() {
        LogCleaner service = cleaner.get();
        BrokerSettings b = broker;
        long now = clock.getAsLong();
        Candidate best = null;
        synchronized (lock) {
            // A deleted topic's offsets go now, so that a topic created again under its name starts dirty.
            if (firstDirty.keySet().removeIf(tp -> !exists(tp))) {
                writeCheckpoint();
            }
            for (Partition p : logs.partitions()) {
                TopicPartition tp = p.topicPartition();
                if (inProgress.contains(tp) || p.isOffline()) {
                    continue;
                }
                Optional<TopicMetadata> t = metadata.topic(tp.topic());
                if (t.isEmpty() || !CleanerSettings.compacted(t.get().configs(), b)) {
                    continue;
                }
                if (service == null) {
                    if (cleanerMissingSinceMs < 0) {
                        cleanerMissingSinceMs = now;
                    }
                    if (!warnedNoCleaner && now - cleanerMissingSinceMs >= NO_CLEANER_GRACE_MS) {
                        warnedNoCleaner = true;
                        LOG.warn("No LogCleaner service is installed: compacted topics such as {} are not cleaned"
                                + " (install the strata-log-cleaner feature)", tp.topic());
                    }
                    return null;
                }
                Candidate c = candidate(p, CleanerSettings.Topic.of(t.get().configs(), b), now);
                if (c != null && (best == null || c.ratio() > best.ratio())) {
                    best = c;
                }
            }
            if (best != null) {
                inProgress.add(best.partition().topicPartition());
            }
        }
        return best;
    }

    /** Kafka's {@code cleanableOffsets} and dirty ratio for one log; null when it is not due. Called under lock. */
    private Candidate candidate(Partition p, CleanerSettings.Topic topic, long now) {
        if (!p.isAttached()) {
            return null; // its store is being swapped or gone: later
        }
        PartitionLog log;
        List<SegmentInfo> segments;
        try {
            log = p.log();
            segments = log.segments();
        } catch (RuntimeException e) {
            LOG.debug("Cannot list the segments of {}: {}", p.topicPartition(), e.toString());
            return null;
        }
        if (segments.size() < 2) {
            return null;
        }
        long logStart = log.logStartOffset();
        Long saved = firstDirty.get(p.topicPartition());
        long dirty = saved == null ? logStart : saved;
        if (dirty < logStart || dirty > log.logEndOffset()) {
            // Kafka resets a checkpoint outside the log (retention passed it, or the log was truncated).
            dirty = logStart;
        }
        SegmentInfo active = segments.get(segments.size() - 1);
        long uncleanable = Math.min(active.baseOffset(), p.lastStableOffset());
        SegmentInfo firstDirtySegment = null;
        for (SegmentInfo s : segments.subList(0, segments.size() - 1)) {
            if (s.nextOffset() <= dirty) {
                continue;
            }
            if (firstDirtySegment == null) {
                firstDirtySegment = s;
            }
            if (topic.minCompactionLagMs() > 0 && s.retentionTimestamp() > now - topic.minCompactionLagMs()) {
                uncleanable = Math.min(uncleanable, s.baseOffset());
                break;
            }
        }
        if (firstDirtySegment == null || uncleanable <= dirty) {
            return null;
        }
        long cleanBytes = 0;
        long dirtyBytes = 0;
        for (SegmentInfo s : segments) {
            if (s.nextOffset() <= logStart) {
                continue;
            }
            if (s.baseOffset() < firstDirtySegment.baseOffset()) {
                cleanBytes += s.sizeInBytes();
            } else if (s.baseOffset() < uncleanable) {
                dirtyBytes += s.sizeInBytes();
            }
        }
        if (dirtyBytes == 0) {
            return null;
        }
        double ratio = (double) dirtyBytes / (cleanBytes + dirtyBytes);
        // max.compaction.lag.ms, judged by the first dirty segment's newest batch (Strata's segments do not
        // report their first batch's time): a log whose dirty part is that old is cleaned whatever its ratio.
        boolean overdue = topic.maxCompactionLagMs() < Long.MAX_VALUE
                && now - firstDirtySegment.retentionTimestamp() > topic.maxCompactionLagMs();
        if (ratio <= topic.minCleanableRatio() && !overdue) {
            return null;
        }
        return new Candidate(p, log, dirty, uncleanable, overdue ? Math.max(ratio, 1.0) : ratio, topic);
    }

    /** The first dirty offsets now (tests, the console). */
    Map<TopicPartition, Long> firstDirtyOffsets() {
        synchronized (lock) {
            return Map.copyOf(firstDirty);
        }
    }
}
