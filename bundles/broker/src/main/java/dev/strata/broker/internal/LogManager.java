package dev.strata.broker.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.LogStore;
import dev.strata.api.log.PartitionLog;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.TopicMetadata;
import dev.strata.api.replication.Replication;
import dev.strata.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the partition logs under {@code log.dirs}: one directory {@code <topic>-<partition>} per partition, opened
 * through the {@link LogStore} with a {@link dev.strata.api.log.LogConfig} made of broker defaults and topic
 * overrides. Follows the metadata store: creates logs for new topics, deletes them (files and directories) with
 * their topic, reconfigures them when settings change. The store is only reached through this class, so swapping
 * stores later touches one place.
 *
 * <p>Thread-safety: thread-safe. The partition map is concurrent; opening a partition is atomic per partition.
 */
final class LogManager implements MetadataListener {
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);
    /** How much of each log's tail is scanned at startup to rebuild idempotent-producer state. */
    static final long PRODUCER_STATE_WINDOW_BYTES = 64L * 1024 * 1024;
    private static final Pattern PARTITION_DIR = Pattern.compile("(.+)-(0|[1-9][0-9]{0,8})");
    /** Kafka's suffix for the directory of a partition being deleted. */
    static final String DELETE_SUFFIX = "-delete";

    private final Path logDir;
    private final LogStore store;
    private final MetadataStore metadata;
    private final Replication replication;
    private final Partition.AppendListener appendListener;
    private final LongSupplier clock;
    private final CompressionCodecs codecs;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private volatile BrokerSettings broker;
    private volatile boolean closed;

    LogManager(Path logDir, LogStore store, MetadataStore metadata, BrokerSettings broker, Replication replication,
               Partition.AppendListener appendListener, LongSupplier clock, CompressionCodecs codecs) {
        this.codecs = codecs;
        this.logDir = logDir;
        this.store = store;
        this.metadata = metadata;
        this.broker = broker;
        this.replication = replication;
        this.appendListener = appendListener;
        this.clock = clock;
    }

    /** Opens every partition the metadata knows and starts following topic changes. */
    void startup() throws IOException {
        Files.createDirectories(logDir);
        finishInterruptedDeletions();
        metadata.addListener(this);
        int opened = 0;
        for (TopicMetadata t : metadata.topics()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                try {
                    partition(new TopicPartition(t.name(), p));
                    opened++;
                } catch (StrataException e) {
                    LOG.error("Partition {}-{} stays offline: {}", t.name(), p, e.getMessage(), e.getCause());
                }
            }
        }
        warnAboutOrphans();
        LOG.info("Opened {} partition log(s) in {}", opened, logDir);
    }

    /** One line for all partition directories of no known topic (a crash before their rename, a copied dir). */
    private void warnAboutOrphans() {
        List<String> orphans = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(logDir, Files::isDirectory)) {
            for (Path d : dirs) {
                var m = PARTITION_DIR.matcher(d.getFileName().toString());
                if (m.matches()) {
                    TopicPartition tp = new TopicPartition(m.group(1), Integer.parseInt(m.group(2)));
                    if (metadata.partitionState(tp).isEmpty()) {
                        orphans.add(d.getFileName().toString());
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not list {}", logDir, e);
        }
        if (!orphans.isEmpty()) {
            java.util.Collections.sort(orphans);
            LOG.warn("{} director{} in {} belong to no known topic and are left alone (removed if a topic of that "
                    + "name is created): {}{}", orphans.size(), orphans.size() == 1 ? "y" : "ies", logDir,
                    String.join(", ", orphans.subList(0, Math.min(10, orphans.size()))),
                    orphans.size() > 10 ? ", ..." : "");
        }
    }

    /** Stops following the metadata and closes every log (flushing it). */
    void shutdown() {
        closed = true;
        metadata.removeListener(this);
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
     * The open partition, opening it if the metadata knows it but its log is not open yet (after an earlier
     * failure, or a listener that has not run).
     *
     * @throws StrataException UNKNOWN_TOPIC_OR_PARTITION, or KAFKA_STORAGE_ERROR when the log cannot be opened
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
        if (t == null || tp.partition() >= t.partitionCount()) {
            throw new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                    "This server does not host this topic-partition: " + tp);
        }
        return partitions.computeIfAbsent(tp, k -> open(k, t));
    }

    /** The open partitions (a snapshot). */
    Collection<Partition> partitions() {
        return List.copyOf(partitions.values());
    }

    private Partition open(TopicPartition tp, TopicMetadata t) {
        TopicSettings settings = TopicSettings.of(t.configs(), broker);
        Path dir = directoryOf(tp);
        PartitionLog log;
        try {
            log = store.open(dir, tp, settings.logConfig());
        } catch (IOException | RuntimeException e) {
            LOG.error("Could not open the log of {} in {}", tp, dir, e);
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
        int leaderEpoch = metadata.partitionState(tp).map(s -> s.leaderEpoch()).orElse(0);
        Partition p = new Partition(tp, log, settings, leaderEpoch, replication, appendListener, codecs);
        try {
            p.loadProducerState(PRODUCER_STATE_WINDOW_BYTES, clock.getAsLong());
        } catch (IOException | RuntimeException e) {
            // Producers then count as unknown and are accepted at any sequence; only deduplication of retries
            // across this restart is lost.
            LOG.warn("{}: could not rebuild idempotent-producer state from the log", tp, e);
        }
        LOG.debug("Opened {} in {} (log {}..{})", tp, dir, log.logStartOffset(), log.logEndOffset());
        return p;
    }

    @Override
    public void topicCreated(TopicMetadata topic) {
        for (int i = 0; i < topic.partitionCount(); i++) {
            TopicPartition tp = new TopicPartition(topic.name(), i);
            Path dir = directoryOf(tp);
            if (Files.exists(dir) && !partitions.containsKey(tp)) {
                // A new topic has no data: this is what a deleted topic of the same name left after a crash.
                LOG.warn("Removing stale directory {} before creating {}", dir, tp);
                try {
                    deleteRecursively(dir);
                } catch (IOException e) {
                    LOG.error("Could not remove stale directory {}", dir, e);
                }
            }
            try {
                partition(tp);
            } catch (StrataException e) {
                LOG.error("Partition {} of new topic stays offline until it can be opened", tp);
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
                if (p != null) {
                    p.close();
                }
                if (Files.exists(dir)) {
                    Path renamed = logDir.resolve(dir.getFileName() + "."
                            + java.util.UUID.randomUUID().toString().replace("-", "") + DELETE_SUFFIX);
                    Files.move(dir, renamed, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    doomed.add(renamed);
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("Could not delete the log of {} in {}", tp, dir, e);
            }
            appendListener.onAppend(tp, 0); // wake fetches waiting on it so they answer with the error now
        }
        AtomicFiles.fsyncDirectory(logDir);
        removeDeleted(doomed);
    }

    private static void removeDeleted(List<Path> dirs) {
        for (Path d : dirs) {
            try {
                deleteRecursively(d);
            } catch (IOException e) {
                LOG.error("Could not remove {} (it is removed again at the next start)", d, e);
            }
        }
    }

    /** Finishes deletions a crash interrupted: every {@code -delete} directory left in {@code log.dirs}. */
    private void finishInterruptedDeletions() throws IOException {
        List<Path> left = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(logDir,
                d -> Files.isDirectory(d) && d.getFileName().toString().endsWith(DELETE_SUFFIX))) {
            dirs.forEach(left::add);
        }
        if (!left.isEmpty()) {
            LOG.info("Finishing the deletion of {} partition director{} of deleted topics", left.size(),
                    left.size() == 1 ? "y" : "ies");
            removeDeleted(left);
            AtomicFiles.fsyncDirectory(logDir);
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

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<IOException> failures = new ArrayList<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                try {
                    Files.delete(file);
                } catch (IOException e) {
                    failures.add(e);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }
}
