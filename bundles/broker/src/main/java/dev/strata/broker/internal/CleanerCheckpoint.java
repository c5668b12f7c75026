package dev.strata.broker.internal;

import dev.strata.api.common.TopicPartition;
import dev.strata.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Kafka's {@code cleaner-offset-checkpoint} in the log directory: each compacted partition's first dirty offset, so
 * that a restart does not clean the whole log again. Kafka's checkpoint format (version 0, the entry count, then
 * {@code topic partition offset} lines), written through {@link AtomicFiles#write} (temporary file, fsync, rename,
 * directory fsync), so a crash leaves the old or the new file. Not thread-safe: the cleaner manager calls it
 * under its lock.
 */
final class CleanerCheckpoint {
    static final String FILE_NAME = "cleaner-offset-checkpoint";

    private final Path file;

    CleanerCheckpoint(Path logDir) {
        this.file = logDir.resolve(FILE_NAME);
    }

    /** The offsets on disk; empty when there is no file yet. A malformed file is an IOException. */
    Map<TopicPartition, Long> read() throws IOException {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        if (!Files.exists(file)) {
            return offsets;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        try {
            if (lines.size() < 2 || !lines.get(0).trim().equals("0")) {
                throw new IOException("Unrecognised version or truncated file " + file);
            }
            int count = Integer.parseInt(lines.get(1).trim());
            if (lines.size() < 2 + count) {
                throw new IOException("Expected " + count + " entries in " + file + ", found " + (lines.size() - 2));
            }
            for (String line : lines.subList(2, 2 + count)) {
                String[] f = line.trim().split(" ");
                if (f.length != 3) {
                    throw new IOException("Malformed line in " + file + ": " + line);
                }
                offsets.put(new TopicPartition(f[0], Integer.parseInt(f[1])), Long.parseLong(f[2]));
            }
        } catch (NumberFormatException e) {
            throw new IOException("Malformed number in " + file + ": " + e.getMessage(), e);
        }
        return offsets;
    }

    void write(Map<TopicPartition, Long> offsets) throws IOException {
        StringBuilder text = new StringBuilder("0\n").append(offsets.size()).append('\n');
        for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            text.append(e.getKey().topic()).append(' ').append(e.getKey().partition()).append(' ')
                    .append(e.getValue()).append('\n');
        }
        AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
