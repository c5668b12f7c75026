package dev.strata.broker.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.LogStore;
import dev.strata.api.log.PartitionLog;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import dev.strata.api.replication.Replication;
import dev.strata.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the partition logs under {@code log.dirs}: one directory {@code <topic>-<partition>} per partition, opened
 * through the {@link LogStore} with a {@link dev.strata.api.log.LogConfig} made of broker defaults and topic
 * overrides. Follows the metadata store: holds the logs of the partitions with a replica on this broker (their
 * {@link PartitionState#replicas()} name it), creates them for new topics, deletes them (files and directories)
 * with their topic, reconfigures them when settings change, and moves each partition's leadership and leader epoch
 * as {@link #partitionStatesChanged} says. The client paths reach a partition through {@link #leaderPartition}, which
 * answers NOT_LEADER_OR_FOLLOWER unless this broker leads it. The log store is only reached through this class.
 *
 * <p>The store can change while the broker runs ({@link StoreBinding}): when a store goes away, every partition
 * whose log it opened is detached at once (its log closed; appends wait, fetches find nothing new, for up to
 * {@code log.store.unavailable.wait.ms}, then get KAFKA_STORAGE_ERROR, which clients retry); when a store is
 * bound, a background thread moves the partitions to it one at a time (detach, open with the new store, attach),
 * so each partition pauses only for its own reopen.
 *
 * <p>Thread-safety: thread-safe. The partition map is concurrent; opening a partition is atomic per partition;
 * store changes of one partition are serialised by {@code swapLock}.
 */
final class LogManager implements MetadataListener, StoreBinding.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);
    /** How much of each log's tail is scanned at startup to rebuild idempotent-producer state. */
    static final long PRODUCER_STATE_WINDOW_BYTES = 64L * 1024 * 1024;
    /** Kafka's suffix for the directory of a partition being deleted. */
    static final String DELETE_SUFFIX = PartitionDirs.DELETE_SUFFIX;

    private final Path logDir;
    private final StoreBinding stores;
    /** Serialises moving a partition between stores with a store's unbinding. */
    private final ReentrantLock swapLock = new ReentrantLock();
    /** Moves partitions to a newly bound store, in the background. */
    private final ExecutorService swapper = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "strata-log-store-swap");
        t.setDaemon(true);
        return t;
    });
    private final MetadataStore metadata;
    private final int localBrokerId;
    private final Replication replication;
    private final Partition.AppendListener appendListener;
    private final LongSupplier clock;
    private final CompressionCodecs codecs;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private volatile BrokerSettings broker;
    private volatile boolean closed;

    LogManager(Path logDir, StoreBinding stores, MetadataStore metadata, BrokerSettings broker,
               Replication replication, Partition.AppendListener appendListener, LongSupplier clock,
               CompressionCodecs codecs) {
        this.codecs = codecs;
        this.logDir = logDir;
        this.stores = stores;
        this.metadata = metadata;
        this.localBrokerId = metadata.localBrokerId();
        this.broker = broker;
        this.replication = replication;
        this.appendListener = appendListener;
        this.clock = clock;
    }

    /** Opens every partition with a replica here and starts following topic and leadership changes. */
    void startup() throws IOException {
        Files.createDirectories(logDir);
        PartitionDirs.finishInterruptedDeletions(logDir);
        metadata.addListener(this);
        stores.setListener(this);
        if (stores.current() == null) {
            LOG.warn("No log store is bound: partitions open when one is (requests wait up to {} ms, then get "
                    + "KAFKA_STORAGE_ERROR)", broker.storeUnavailableWaitMs());
        }
        int opened = 0;
        int leading = 0;
        for (TopicMetadata t : metadata.topics()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                TopicPartition tp = new TopicPartition(t.name(), p);
                if (!hostedHere(metadata.partitionState(tp).orElse(null))) {
                    continue;
                }
                try {
                    leading += partition(tp).isLeader() ? 1 : 0;
                    opened++;
                } catch (StrataException e) {
                    LOG.error("Partition {}-{} stays offline: {}", t.name(), p, e.getMessage(), e.getCause());
                }
            }
        }
        PartitionDirs.warnAboutOrphans(logDir, metadata);
        LOG.info("Opened {} partition log(s) in {} ({} led by this broker){}", opened, logDir, leading,
                stores.current() == null ? "" : " with log store " + stores.current());
    }

    /** Stops following the metadata and closes every log (flushing it). */
    void shutdown() {
        closed = true;
        metadata.removeListener(this);
        stores.setListener(null);
        swapper.shutdown(); // a move under way finishes its partition; the logs are closed below
        swapLock.lock();
        swapLock.unlock();
        for (Partition p : List.copyOf(partitions.values())) {
            try {
                p.close();
            } catch (IOException | RuntimeException e) {
                LOG.error("Closing the log of {} failed", p.topicPartition(), e);
            }
        }
        partitions.clear();
    }

    /** The compression codecs installed now. */
    CompressionCodecs codecs() {
        return codecs;
    }

    Path directoryOf(TopicPartition tp) {
        return logDir.resolve(tp.topic() + "-" + tp.partition());
    }

    /**
     * The partition if this broker leads it: what produce, fetch, ListOffsets, DeleteRecords and DescribeProducers
     * serve. One map lookup while it is open and led here.
     *
     * @throws StrataException NOT_LEADER_OR_FOLLOWER when another broker (or none) leads it, or this one holds no
     *     replica of it; UNKNOWN_TOPIC_OR_PARTITION; KAFKA_STORAGE_ERROR when its log cannot be opened
     */
    Partition leaderPartition(TopicPartition tp) {
        Partition p = partitions.get(tp);
        if (p != null && p.isLeader()) {
            return p;
        }
        p = partition(tp);
        if (!p.isLeader()) {
            throw notLeader(tp);
        }
        return p;
    }

    private StrataException notLeader(TopicPartition tp) {
        return new StrataException(ErrorCode.NOT_LEADER_OR_FOLLOWER, "Leader not local for partition " + tp
                + " on broker " + localBrokerId);
    }

    /**
     * The open partition (led here or not), opening it if it has a replica here but its log is not open yet (after
     * an earlier failure, or a listener that has not run).
     *
     * @throws StrataException UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER when this broker holds no replica of
     *     it, or KAFKA_STORAGE_ERROR when the log cannot be opened
     */
    Partition partition(TopicPartition tp) {
        Partition p = partitions.get(tp);
        if (p != null) {
            return p;
        }
        if (closed) {
            throw new StrataException(ErrorCode.NOT_LEADER_OR_FOLLOWER, "The broker is shutting down");
        }
        TopicMetadata t = metadata.topic(tp.topic()).orElse(null);
        PartitionState state = t == null || tp.partition() >= t.partitionCount() ? null
                : metadata.partitionState(tp).orElse(null);
        if (state == null) {
            throw new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                    "This server does not host this topic-partition: " + tp);
        }
        if (!hostedHere(state)) {
            throw notLeader(tp);
        }
        return partitions.computeIfAbsent(tp, k -> open(k, t, state));
    }

    /** Whether this broker holds a replica of the partition. */
    private boolean hostedHere(PartitionState state) {
        return state != null && state.replicas().contains(localBrokerId);
    }

    /** The open partitions (a snapshot). */
    Collection<Partition> partitions() {
        return List.copyOf(partitions.values());
    }

    private Partition open(TopicPartition tp, TopicMetadata t, PartitionState state) {
        TopicSettings settings = TopicSettings.of(t.configs(), broker);
        Partition p = new Partition(tp, settings, state.leader() == localBrokerId, state.leaderEpoch(), replication,
                appendListener, codecs, clock.getAsLong());
        StoreRef store = stores.current();
        if (store != null) {
            swapLock.lock();
            try {
                attach(p, t, store);
            } finally {
                swapLock.unlock();
            }
        }
        return p;
    }

    /**
     * Opens the partition's log with {@code store} and attaches it. Call with {@code swapLock} held and the
     * partition detached.
     *
     * @throws StrataException KAFKA_STORAGE_ERROR when the log cannot be opened (the partition stays detached),
     *     UNKNOWN_TOPIC_OR_PARTITION when the topic was deleted meanwhile
     */
    private void attach(Partition p, TopicMetadata t, StoreRef store) {
        TopicPartition tp = p.topicPartition();
        Path dir = directoryOf(tp);
        PartitionLog log;
        try {
            log = store.store().open(dir, tp, p.settings().logConfig());
        } catch (IOException | RuntimeException e) {
            LOG.error("Could not open the log of {} in {} with store {}", tp, dir, store, e);
            throw new StrataException(ErrorCode.KAFKA_STORAGE_ERROR, "Could not open the log of " + tp, e);
        }
        boolean stillExists = metadata.topic(tp.topic()).map(now -> now.topicId().equals(t.topicId()))
                .orElse(false);
        if (!stillExists) {
            // The topic was deleted (or re-created) while this log was being opened: do not resurrect its files.
            try {
                log.delete();
            } catch (IOException e) {
                LOG.warn("Could not remove {} of a deleted topic", dir, e);
            }
            throw new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + tp.topic() + " was deleted");
        }
        boolean first = !p.offsetsKnown();
        if (!p.attach(log, store)) {
            closeQuietly(log, tp); // deleted or closed while opening
            return;
        }
        if (first) {
            try {
                p.loadProducerState(PRODUCER_STATE_WINDOW_BYTES, clock.getAsLong());
            } catch (IOException | RuntimeException e) {
                // Producers then count as unknown and are accepted at any sequence; only deduplication of retries
                // across this restart is lost.
                LOG.warn("{}: could not rebuild idempotent-producer state from the log", tp, e);
            }
        }
        appendListener.onAppend(tp, 0); // fetches held while it had no log look again now
        LOG.debug("Opened {} in {} with store {} (log {}..{})", tp, dir, store, log.logStartOffset(),
                log.logEndOffset());
    }

    private static void closeQuietly(PartitionLog log, TopicPartition tp) {
        try {
            log.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Closing a log of {} failed", tp, e);
        }
    }

    /** A store was bound (the first, or a replacement): move every partition to it in the background. */
    @Override
    public void storeBound(StoreRef store) {
        if (!closed && partitions.values().stream().noneMatch(Partition::offsetsKnown)) {
            // The first store since the broker started: open the logs now, as a start with a store does, so that
            // the container reports started once they are open.
            moveTo(store);
            return;
        }
        try {
            swapper.execute(() -> moveTo(store));
        } catch (RejectedExecutionException e) {
            LOG.debug("Broker stopping: partitions are not moved to {}", store);
        }
    }

    private void moveTo(StoreRef store) {
        List<Partition> moving = partitions().stream().filter(p -> p.logOrigin() == null
                || p.logOrigin().store() != store.store()).toList();
        if (moving.isEmpty() || closed) {
            return;
        }
        LOG.info("Log store {} bound: moving {} partition(s) to it", store, moving.size());
        long start = System.nanoTime();
        long longestPauseMs = 0;
        int moved = 0;
        int failed = 0;
        for (Partition p : moving) {
            if (closed || stores.current() != store) {
                LOG.info("Log store changed again while moving partitions to {}: {} moved, the rest follow the "
                        + "new store", store, moved);
                return;
            }
            long pauseStart = System.nanoTime();
            swapLock.lock();
            try {
                TopicMetadata t = metadata.topic(p.topicPartition().topic()).orElse(null);
                if (t == null || partitions.get(p.topicPartition()) != p) {
                    continue; // deleted meanwhile
                }
                if (p.logOrigin() != null && p.logOrigin().store() == store.store()) {
                    continue;
                }
                p.detach(clock.getAsLong());
                attach(p, t, store);
                moved++;
            } catch (IOException | RuntimeException e) {
                failed++;
                LOG.error("Moving {} to log store {} failed; it stays unavailable until a store can open it",
                        p.topicPartition(), store, e);
            } finally {
                swapLock.unlock();
            }
            longestPauseMs = Math.max(longestPauseMs, (System.nanoTime() - pauseStart) / 1_000_000);
        }
        LOG.info("Moved {} partition(s) to log store {} in {} ms (longest pause of one partition {} ms){}", moved,
                store, (System.nanoTime() - start) / 1_000_000, longestPauseMs,
                failed == 0 ? "" : "; " + failed + " could not be opened");
    }

    /** A store went away: detach every partition whose log it opened, before it stops. */
    @Override
    public void storeUnbound(StoreRef store) {
        int detached = 0;
        swapLock.lock();
        try {
            for (Partition p : partitions.values()) {
                StoreRef origin = p.logOrigin();
                if (origin != null && origin.store() == store.store()) {
                    try {
                        p.detach(clock.getAsLong());
                    } catch (IOException | RuntimeException e) {
                        LOG.error("Closing the log of {} (store {} going away) failed", p.topicPartition(), store, e);
                    }
                    detached++;
                }
            }
        } finally {
            swapLock.unlock();
        }
        if (detached > 0) {
            StoreRef next = stores.current();
            LOG.warn("Log store {} went away: {} partition(s) closed; {}", store, detached, next != null
                    ? "moving them to " + next
                    : "they wait for a log store (requests wait up to " + broker.storeUnavailableWaitMs()
                    + " ms, then get KAFKA_STORAGE_ERROR)");
        }
    }

    /** How long requests to a partition without a log wait before KAFKA_STORAGE_ERROR. */
    long storeUnavailableWaitMs() {
        return broker.storeUnavailableWaitMs();
    }

    /** Whether {@code p} has been without a log for longer than requests are held. */
    boolean heldTooLong(Partition p) {
        return p.detachedForMs(clock.getAsLong()) >= broker.storeUnavailableWaitMs();
    }

    long now() {
        return clock.getAsLong();
    }

    @Override
    public void topicCreated(TopicMetadata topic) {
        openNew(topic, 0);
    }

    /** CreatePartitions: opens the new partitions as a new topic's. */
    @Override
    public void partitionsCreated(TopicMetadata topic, int previousCount) {
        openNew(topic, previousCount);
    }

    /**
     * Opens the topic's partitions from {@code from} on that have a replica here, none of which has data yet. (A
     * cluster's store may tell the partitions' states later: {@link #partitionStatesChanged} opens them then.)
     */
    private void openNew(TopicMetadata topic, int from) {
        for (int i = from; i < topic.partitionCount(); i++) {
            TopicPartition tp = new TopicPartition(topic.name(), i);
            if (!hostedHere(metadata.partitionState(tp).orElse(null))) {
                continue;
            }
            Path dir = directoryOf(tp);
            if (Files.exists(dir) && !partitions.containsKey(tp)) {
                // A new partition has no data: this is what a deleted topic of the same name left after a crash.
                LOG.warn("Removing stale directory {} before creating {}", dir, tp);
                try {
                    PartitionDirs.deleteRecursively(dir);
                } catch (IOException e) {
                    LOG.error("Could not remove stale directory {}", dir, e);
                }
            }
            try {
                partition(tp);
            } catch (StrataException e) {
                LOG.error("New partition {} stays offline until it can be opened", tp);
            }
        }
    }

    /**
     * Deletes the topic's logs as Kafka does: each partition is closed and its directory renamed to
     * {@code <topic>-<partition>.<random id>-delete} first (quick, and atomic per directory), then the renamed
     * directories are removed. A crash in between leaves only {@code -delete} directories, which the next
     * {@link #startup} removes, instead of directories that look like partitions of no topic.
     */
    @Override
    public void topicDeleted(TopicMetadata topic) {
        List<Path> doomed = new ArrayList<>();
        for (int i = 0; i < topic.partitionCount(); i++) {
            TopicPartition tp = new TopicPartition(topic.name(), i);
            Partition p = partitions.remove(tp);
            Path dir = directoryOf(tp);
            try {
                // The log renames its directory and removes it after file.delete.delay.ms, so fetches sending
                // from it complete; without a log (no store bound) the directory goes here.
                boolean byLog = p != null && p.delete();
                if (!byLog && Files.exists(dir)) {
                    doomed.add(PartitionDirs.renameForDeletion(dir));
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("Could not delete the log of {} in {}", tp, dir, e);
            }
            appendListener.onAppend(tp, 0); // wake fetches waiting on it so they answer with the error now
        }
        AtomicFiles.fsyncDirectory(logDir);
        PartitionDirs.removeDeleted(doomed);
    }

    /**
     * Leadership moved: opens the logs of partitions newly assigned here, and has each partition held here follow
     * its leader and epoch (becoming leader opens it to replication; ceasing to lead answers its waiting requests with
     * NOT_LEADER_OR_FOLLOWER). A partition no longer assigned here is closed; its files stay.
     */
    @Override
    public void partitionStatesChanged(Collection<PartitionState> states) {
        for (PartitionState s : states) {
            TopicPartition tp = s.tp();
            Partition p = partitions.get(tp);
            if (!hostedHere(s)) {
                if (p != null && partitions.remove(tp, p)) {
                    LOG.info("{} has no replica on broker {} any more: closing its log", tp, localBrokerId);
                    closeQuietly(p);
                    appendListener.onAppend(tp, 0);
                }
                continue;
            }
            if (p == null) {
                if (closed) {
                    continue;
                }
                try {
                    p = partition(tp);
                } catch (StrataException e) {
                    if (e.error() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
                        LOG.debug("{} is assigned here before its topic is known: it opens with the topic", tp);
                    } else {
                        LOG.error("Partition {} assigned to this broker stays offline: {}", tp, e.getMessage());
                    }
                    continue;
                }
            }
            boolean wasLeader = p.isLeader();
            if (p.applyLeadership(s.leader() == localBrokerId, s.leaderEpoch())) {
                LOG.info("{}: {} leader at epoch {} (leader now {})", tp, wasLeader ? "no longer" : "now",
                        s.leaderEpoch(), s.leader() == PartitionState.NO_LEADER ? "none" : s.leader());
            }
        }
    }

    private static void closeQuietly(Partition p) {
        try {
            p.close();
        } catch (IOException | RuntimeException e) {
            LOG.error("Closing the log of {} failed", p.topicPartition(), e);
        }
    }

    @Override
    public void topicConfigChanged(TopicMetadata topic) {
        TopicSettings settings = TopicSettings.of(topic.configs(), broker);
        for (int i = 0; i < topic.partitionCount(); i++) {
            Partition p = partitions.get(new TopicPartition(topic.name(), i));
            if (p != null) {
                p.reconfigure(settings);
            }
        }
    }

    /** Applies changed broker defaults to every open log. */
    void brokerSettingsChanged(BrokerSettings next) {
        this.broker = next;
        for (TopicMetadata t : metadata.topics()) {
            topicConfigChanged(t);
        }
    }

    /** Forgets idempotent producers idle for longer than {@code maxIdleMs}. */
    void expireProducers(long maxIdleMs) {
        long now = clock.getAsLong();
        for (Partition p : partitions.values()) {
            p.expireProducers(now, maxIdleMs);
        }
    }

    /** Flushes the logs whose {@code flush.ms} has passed (run periodically). */
    void flushDueLogs() {
        long now = clock.getAsLong();
        for (Partition p : partitions.values()) {
            try {
                p.flushIfDue(now);
            } catch (IOException | RuntimeException e) {
                LOG.error("Flushing {} failed", p.topicPartition(), e);
            }
        }
    }
}
