package dev.strata.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.function.UnaryOperator;

/**
 * The {@code log.dirs} directory as the parts that open it (broker, metadata store) read and check it: both resolve
 * a value, and the default when none is configured, the same way, so they always agree on the directory.
 */
public final class LogDirs {
    /** The setting, in the broker's configuration (PID dev.strata.broker). */
    public static final String LOG_DIRS = "log.dirs";
    /** The framework property Apache Karaf sets to its data directory. */
    public static final String KARAF_DATA = "karaf.data";

    private LogDirs() {
    }

    /**
     * The directory used when {@code log.dirs} is not configured: {@code ${karaf.data}/strata} in Karaf (the
     * container's data directory, where Karaf keeps its own state), else {@code data} in the working directory
     * (Strata's distribution, a plain Felix framework). Not the framework's bundle storage area: it belongs to one
     * bundle, is deleted with it, and a framework set to clean its storage at start would delete the topics.
     *
     * @param frameworkProperty a framework property by name ({@code BundleContext::getProperty}), null when unset
     */
    public static Path defaultDir(UnaryOperator<String> frameworkProperty) {
        String karafData = frameworkProperty.apply(KARAF_DATA);
        if (karafData != null && !karafData.isBlank()) {
            return Paths.get(karafData.trim(), "strata").toAbsolutePath().normalize();
        }
        return Paths.get("data").toAbsolutePath().normalize();
    }

    /**
     * A {@code log.dirs} value as a directory: exactly one, resolved against the working directory; null or blank
     * is {@code defaultDir}.
     *
     * @throws IllegalArgumentException when the value names more than one directory
     */
    public static Path resolve(Object configured, Path defaultDir) {
        if (configured == null || configured.toString().isBlank()) {
            return defaultDir;
        }
        String dirs = configured.toString().trim();
        if (dirs.contains(",")) {
            throw new IllegalArgumentException(LOG_DIRS + " must name exactly one directory: " + dirs);
        }
        return Paths.get(dirs).toAbsolutePath().normalize();
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
