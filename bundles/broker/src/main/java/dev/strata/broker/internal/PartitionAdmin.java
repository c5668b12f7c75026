package dev.strata.broker.internal;

import dev.strata.api.broker.DeleteRecordsResult;
import dev.strata.api.broker.LogDirDescription;
import dev.strata.api.broker.ProducerDescription;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.TopicMetadata;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeleteRecords, DescribeLogDirs and DescribeProducers: the partition-level admin calls, with Kafka's checks and
 * messages ({@code ReplicaManager.deleteRecords}, {@code describeLogDirs}, {@code activeProducerState}). Stateless
 * apart from its collaborators: thread-safe.
 */
final class PartitionAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionAdmin.class);
    /** Kafka's {@code DeleteRecordsRequest.HIGH_WATERMARK}: delete up to the high watermark. */
    static final long HIGH_WATERMARK = -1L;

    private final MetadataStore metadata;
    private final LogManager logs;
    private final Supplier<BrokerSettings> settings;

    PartitionAdmin(MetadataStore metadata, LogManager logs, Supplier<BrokerSettings> settings) {
        this.metadata = metadata;
        this.logs = logs;
        this.settings = settings;
    }

    /** Never throws: every refusal is a result with its error (the response has no room for a message). */
    DeleteRecordsResult deleteRecords(TopicPartition tp, long offset) {
        if (InternalTopics.isInternal(tp.topic())) {
            LOG.debug("Cannot delete records of internal topic {}", tp.topic());
            return refused(ErrorCode.INVALID_TOPIC_EXCEPTION);
        }
        try {
            Partition p = leaderPartition(tp);
            TopicMetadata t = metadata.topic(tp.topic()).orElseThrow(() -> unknown(tp));
            if (!deletePolicy(t)) {
                LOG.debug("Records of partition {} can not be deleted due to the configured policy", tp);
                return refused(ErrorCode.POLICY_VIOLATION);
            }
            long target = offset == HIGH_WATERMARK ? p.highWatermark() : offset;
            if (target < 0) {
                LOG.debug("The offset {} for partition {} is not valid", target, tp);
                return refused(ErrorCode.OFFSET_OUT_OF_RANGE);
            }
            return new DeleteRecordsResult(ErrorCode.NONE, p.deleteRecords(target));
        } catch (StrataException e) {
            LOG.debug("DeleteRecords on {} at {} refused: {} {}", tp, offset, e.error(), e.getMessage());
            return refused(e.error());
        } catch (IOException | RuntimeException e) {
            LOG.error("Error processing delete records operation on partition {}", tp, e);
            return refused(ErrorCode.KAFKA_STORAGE_ERROR);
        }
    }

    private static DeleteRecordsResult refused(ErrorCode error) {
        return new DeleteRecordsResult(error, -1);
    }

    /** Whether {@code cleanup.policy} lets records be deleted (Kafka: it contains {@code delete}). */
    private boolean deletePolicy(TopicMetadata t) {
        return TopicConfigs.cleanupPolicyIncludes("delete", t.configs(), settings.get());
    }

    /**
     * The one log directory ({@code log.dirs}) as Kafka reports it: its absolute path, its file system's total and
     * usable bytes, and each open partition's size. A directory that is gone or not writable is reported with
     * KAFKA_STORAGE_ERROR, as Kafka reports an offline one.
     *
     * @param partitions the partitions to report, or null for all
     */
    List<LogDirDescription> describeLogDirs(Collection<TopicPartition> partitions) {
        Path dir = settings.get().logDir().toAbsolutePath();
        String path = dir.toString();
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            LOG.warn("Log directory {} is offline (not a writable directory)", path);
            return List.of(offline(path));
        }
        long total;
        long usable;
        try {
            FileStore store = Files.getFileStore(dir);
            total = nonNegative(store.getTotalSpace());
            usable = nonNegative(store.getUsableSpace());
        } catch (IOException e) {
            LOG.warn("Unable to describe replica dirs for {}", path, e);
            return List.of(offline(path));
        }
        Set<TopicPartition> wanted = partitions == null ? null : Set.copyOf(partitions);
        List<LogDirDescription.Replica> replicas = new ArrayList<>();
        for (Partition p : logs.partitions()) {
            TopicPartition tp = p.topicPartition();
            if ((wanted != null && !wanted.contains(tp)) || p.isOffline() || !p.isAttached()) {
                continue; // a partition whose store is being swapped has no size to tell until it is back
            }
            try {
                replicas.add(new LogDirDescription.Replica(tp, p.log().sizeInBytes(), 0, false));
            } catch (StrataException e) {
                // detached or deleted meanwhile: left out, as above
            }
        }
        replicas.sort(Comparator.comparing((LogDirDescription.Replica r) -> r.partition().topic())
                .thenComparingInt(r -> r.partition().partition()));
        return List.of(new LogDirDescription(path, ErrorCode.NONE, total, usable, replicas));
    }

    private static LogDirDescription offline(String path) {
        return new LogDirDescription(path, ErrorCode.KAFKA_STORAGE_ERROR, -1, -1, List.of());
    }

    /** A file system larger than Long.MAX_VALUE bytes reports a negative size (JDK-8162520); Kafka caps it. */
    private static long nonNegative(long bytes) {
        return bytes < 0 ? Long.MAX_VALUE : bytes;
    }

    /**
     * The idempotent producers with state on a partition this broker leads; no transactions yet, so the
     * coordinator epoch and the open transaction's first offset are -1.
     *
     * @throws StrataException UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER
     */
    List<ProducerDescription> describeProducers(TopicPartition tp) {
        Partition p = leaderPartition(tp);
        List<ProducerDescription> out = new ArrayList<>();
        for (ProducerStateManager.Snapshot s : p.producers()) {
            out.add(new ProducerDescription(s.producerId(), s.epoch(), s.lastSequence(), s.lastTimestamp(), -1, -1));
        }
        return out;
    }

    /**
     * The partition, led here and open.
     *
     * @throws StrataException UNKNOWN_TOPIC_OR_PARTITION for a partition the metadata does not know,
     *     NOT_LEADER_OR_FOLLOWER when another broker leads it or it is closing (Kafka's
     *     {@code ReplicaManager.getPartitionOrError})
     */
    private Partition leaderPartition(TopicPartition tp) {
        Partition p = logs.leaderPartition(tp);
        if (p.isOffline()) {
            throw new StrataException(ErrorCode.NOT_LEADER_OR_FOLLOWER, "Leader not local for partition " + tp
                    + " on broker " + metadata.localBrokerId());
        }
        return p;
    }

    private static StrataException unknown(TopicPartition tp) {
        return new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                "This server does not host this topic-partition: " + tp);
    }
}
