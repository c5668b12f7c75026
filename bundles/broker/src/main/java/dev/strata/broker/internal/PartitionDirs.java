package dev.strata.broker.internal;

import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition directories under {@code log.dirs} as files: Kafka's two-step deletion (rename to
 * {@code <topic>-<partition>.<id>-delete}, then remove), finishing deletions a crash interrupted, and the warning
 * about directories of no known topic. Stateless: thread-safe.
 */
final class PartitionDirs {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionDirs.class);
    private static final Pattern PARTITION_DIR = Pattern.compile("(.+)-(0|[1-9][0-9]{0,8})");
    /** Kafka's suffix for the directory of a partition being deleted. */
    static final String DELETE_SUFFIX = "-delete";

    private PartitionDirs() {
    }

    /** Renames a partition's directory for deletion (atomic); the caller removes the returned one. */
    static Path renameForDeletion(Path dir) throws IOException {
        Path renamed = dir.resolveSibling(dir.getFileName() + "." + UUID.randomUUID().toString().replace("-", "")
                + DELETE_SUFFIX);
        Files.move(dir, renamed, StandardCopyOption.ATOMIC_MOVE);
        return renamed;
    }

    /** One line for all partition directories of no known topic (a crash before their rename, a copied dir). */
    static void warnAboutOrphans(Path logDir, MetadataStore metadata) {
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
            Collections.sort(orphans);
            LOG.warn("{} director{} in {} belong to no known topic and are left alone (removed if a topic of that "
                    + "name is created): {}{}", orphans.size(), orphans.size() == 1 ? "y" : "ies", logDir,
                    String.join(", ", orphans.subList(0, Math.min(10, orphans.size()))),
                    orphans.size() > 10 ? ", ..." : "");
        }
    }

    static void removeDeleted(List<Path> dirs) {
        for (Path d : dirs) {
            try {
                deleteRecursively(d);
            } catch (IOException e) {
                LOG.error("Could not remove {} (it is removed again at the next start)", d, e);
            }
        }
    }

    /** Finishes deletions a crash interrupted: every {@code -delete} directory left in {@code log.dirs}. */
    static void finishInterruptedDeletions(Path logDir) throws IOException {
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
