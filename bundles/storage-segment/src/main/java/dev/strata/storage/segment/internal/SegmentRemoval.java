package dev.strata.storage.segment.internal;

import dev.strata.api.log.OffsetIndexFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the files of one {@link LogSegment} leave the disk: renamed with Kafka's {@code .deleted} suffix when the
 * segment leaves the log and deleted later, deleted at once (truncation, recovery), or kept open for a partition
 * directory deleted later. Kept apart from the segment because it is about file names and descriptors that outlive
 * the segment's service, not about its batches; what it shares with the segment is the file's channel (which slices
 * in flight go on reading) and its indexes.
 *
 * <p>Thread-safety: called under the owning log's lock, or by its deleter once the segment left the log.
 */
final class SegmentRemoval {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentRemoval.class);

    private final Path dir;
    private final long baseOffset;
    private final Path file;
    private final SegmentChannel channel;
    private final SegmentIndexes indexes;

    SegmentRemoval(Path dir, long baseOffset, Path file, SegmentChannel channel, SegmentIndexes indexes) {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.file = file;
        this.channel = channel;
        this.indexes = indexes;
    }

    /**
     * Takes the segment out of service once the log dropped it (under the log's lock): closes its indexes (after
     * the lookups in flight), renames its files with Kafka's {@code .deleted} suffix and removes what the index
     * factory keeps of it elsewhere, so that its base offset is free for a rewritten segment. Slices in flight go on
     * reading the renamed file; {@link #deleteRemoved} deletes it later. The segment's reader must know first
     * ({@link SegmentReader#markRemoved}).
     */
    void removeFromLog() throws IOException {
        OffsetIndexFactory factory = indexes.factory();
        indexes.retireForRemoval(10_000);
        channel.renameTo(LogFiles.withSuffix(file, LogFiles.DELETED_SUFFIX));
        for (Path index : List.of(LogFiles.indexFile(dir, baseOffset), LogFiles.timeIndexFile(dir, baseOffset))) {
            if (Files.exists(index)) { // the memory-mapped index's files: renamed as Kafka does
                Files.move(index, LogFiles.withSuffix(index, LogFiles.DELETED_SUFFIX), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        factory.delete(dir, baseOffset);
    }

    /**
     * Deletes the renamed files of a segment that left the log; the file's descriptor stays open for the slices
     * still held ({@link LogSegment#holds()}), and the caller closes it when they are released.
     */
    void deleteRemoved() throws IOException {
        channel.pin(true); // the cache must not drop the descriptor: the file cannot be reopened once unlinked
        try {
            channel.size(); // opens it again if the cache had released it
        } catch (IOException e) {
            LOG.debug("Segment {} was already gone: {}", file, e.toString());
        }
        Files.deleteIfExists(channel.file());
        Files.deleteIfExists(LogFiles.withSuffix(LogFiles.indexFile(dir, baseOffset), LogFiles.DELETED_SUFFIX));
        Files.deleteIfExists(LogFiles.withSuffix(LogFiles.timeIndexFile(dir, baseOffset), LogFiles.DELETED_SUFFIX));
    }

    /**
     * Before the partition's directory is renamed and deleted later (a deleted topic): keeps the segment file's
     * descriptor open for the slices still held (the path changes) and removes the indexes now.
     */
    void prepareDirectoryDelete() throws IOException {
        channel.pin(true);
        channel.size();
        indexes.delete();
    }

    /** Closes without flushing and removes the segment's files. */
    void delete() throws IOException {
        try {
            channel.close();
        } finally {
            indexes.delete();
            Files.deleteIfExists(file);
        }
    }
}
