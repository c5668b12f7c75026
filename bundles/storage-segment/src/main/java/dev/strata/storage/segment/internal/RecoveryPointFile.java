package dev.strata.storage.segment.internal;

import dev.strata.api.common.TopicPartition;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition's recovery point: the offset below which every batch is known to be on disk (fsynced), so that
 * after a crash only the segments from the one holding it on need a full check. The file has the text format of
 * Kafka's per-directory {@code recovery-point-offset-checkpoint} with the one partition it belongs to: a version
 * line {@code 0}, a count line {@code 1}, then {@code <topic> <partition> <offset>}. It is replaced atomically
 * (temporary file, fsync, rename, directory fsync). A missing, oversized or malformed file reads as absent, which
 * means a full check.
 *
 * <p>The partition's log start offset (moved by retention and DeleteRecords) is kept the same way in
 * {@value #LOG_START_NAME} (Kafka's {@code log-start-offset-checkpoint}); a missing or unreadable one means the
 * first segment's base offset. Stateless.
 */
final class RecoveryPointFile {
    static final String NAME = "recovery-point-offset-checkpoint";
    static final String LOG_START_NAME = "log-start-offset-checkpoint";
    private static final int MAX_BYTES = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryPointFile.class);

    private RecoveryPointFile() {
    }

    static OptionalLong read(Path dir, TopicPartition tp) {
        return read(dir, NAME, tp, "the whole log is checked");
    }

    /** The checkpointed log start offset, empty when there is none (or it cannot be read). */
    static OptionalLong readLogStart(Path dir, TopicPartition tp) {
        return read(dir, LOG_START_NAME, tp, "the log starts at its first segment");
    }

    static void writeLogStart(Path dir, TopicPartition tp, long offset) throws IOException {
        write(dir, LOG_START_NAME, tp, offset);
    }

    private static OptionalLong read(Path dir, String name, TopicPartition tp, String otherwise) {
        Path file = dir.resolve(name);
        try {
            if (!Files.exists(file)) {
                return OptionalLong.empty();
            }
            if (Files.size(file) > MAX_BYTES) {
                LOG.warn("Ignoring {}: larger than {} bytes; for {} {}", file, MAX_BYTES, tp, otherwise);
                return OptionalLong.empty();
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            String[] entry = lines.size() == 3 ? lines.get(2).trim().split(" ") : new String[0];
            if (!"0".equals(lines.get(0).trim()) || !"1".equals(lines.get(1).trim()) || entry.length != 3
                    || !entry[0].equals(tp.topic()) || !entry[1].equals(Integer.toString(tp.partition()))) {
                LOG.warn("Ignoring {}: not a checkpoint of {}; {}", file, tp, otherwise);
                return OptionalLong.empty();
            }
            long offset = Long.parseLong(entry[2]);
            if (offset < 0) {
                throw new NumberFormatException("negative");
            }
            return OptionalLong.of(offset);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Ignoring {} ({}); for {} {}", file, e.toString(), tp, otherwise);
            return OptionalLong.empty();
        }
    }

    static void write(Path dir, TopicPartition tp, long offset) throws IOException {
        write(dir, NAME, tp, offset);
    }

    private static void write(Path dir, String name, TopicPartition tp, long offset) throws IOException {
        Path file = dir.resolve(name);
        Path tmp = dir.resolve(name + ".tmp");
        byte[] text = ("0\n1\n" + tp.topic() + " " + tp.partition() + " " + offset + "\n")
                .getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(text));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DamagedSegment.fsyncDirectory(dir);
    }
}
