package dev.strata.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks of the {@code log.dirs} directory shared by the parts that open it first (broker, metadata store). */
public final class LogDirs {
    private LogDirs() {
    }

    /**
     * Creates {@code dir} when absent and names what is wrong with it in words, rather than as the exception of the
     * first write.
     *
     * @throws IOException "log.dirs X is not a directory", "... cannot be created: ...", or "... is not readable and
     *     writable by this process"
     */
    public static void check(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException("log.dirs " + dir + " is not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("log.dirs " + dir + " cannot be created: " + e, e);
        }
        if (!Files.isWritable(dir) || !Files.isReadable(dir)) {
            throw new IOException("log.dirs " + dir + " is not readable and writable by this process");
        }
    }
}
