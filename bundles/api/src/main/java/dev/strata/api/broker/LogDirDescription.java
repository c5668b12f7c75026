package dev.strata.api.broker;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import java.util.List;

/**
 * A log directory as DescribeLogDirs reports it.
 *
 * @param path the directory as configured ({@code log.dirs})
 * @param totalBytes the file system's size, -1 when unknown
 * @param usableBytes the file system's free bytes usable by the broker, -1 when unknown
 */
public record LogDirDescription(String path, ErrorCode error, long totalBytes, long usableBytes,
                                List<Replica> replicas) {

    public LogDirDescription {
        replicas = List.copyOf(replicas);
    }

    /**
     * A partition in the directory.
     *
     * @param sizeBytes bytes of its segments
     * @param offsetLag how far it is behind its leader (0 on the leader)
     * @param future whether it is a copy being moved here (never, yet)
     */
    public record Replica(TopicPartition partition, long sizeBytes, long offsetLag, boolean future) {
    }
}
