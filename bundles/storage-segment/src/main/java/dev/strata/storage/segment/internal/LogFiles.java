package dev.strata.storage.segment.internal;

import java.nio.file.Path;
import java.util.OptionalLong;

/** Names of the files in a partition directory, Kafka's layout: {@code %020d.log|.index|.timeindex}. Stateless. */
final class LogFiles {
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    /** Written on a clean close, removed at open: its absence at open means the last run did not close cleanly. */
    static final String CLEAN_SHUTDOWN = ".clean_shutdown";
    /** Kafka's suffix of a removed segment's files, kept until {@code file.delete.delay.ms} has passed. */
    static final String DELETED_SUFFIX = ".deleted";
    /** Kafka's suffix of a segment being rewritten; one found at open is an unfinished rewrite and goes. */
    static final String CLEANED_SUFFIX = ".cleaned";
    /** Kafka's suffix of a rewritten segment committed but not yet renamed into place; open finishes the swap. */
    static final String SWAP_SUFFIX = ".swap";
    /**
     * Beside a {@code .swap}: the end offset of the segments it replaces, written before the swap exists (a
     * rewritten segment may end early or be empty, so its own batches cannot tell which segments it replaces).
     */
    static final String SWAP_END_SUFFIX = ".swap.end";
    /** The suffix the broker's log manager gives the directory of a deleted partition (Kafka's). */
    static final String DELETE_DIR_SUFFIX = "-delete";

    private LogFiles() {
    }

    static String baseName(long baseOffset) {
        return String.format("%020d", baseOffset);
    }

    static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(baseName(baseOffset) + LOG_SUFFIX);
    }

    static Path indexFile(Path dir, long baseOffset) {
        return dir.resolve(baseName(baseOffset) + INDEX_SUFFIX);
    }

    static Path timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(baseName(baseOffset) + TIME_INDEX_SUFFIX);
    }

    static Path withSuffix(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    /** The base offset a file name carries, when it is {@code <20 digits><suffix>}. */
    static OptionalLong baseOffsetOf(Path file, String suffix) {
        String name = file.getFileName().toString();
        if (!name.endsWith(suffix) || name.length() != 20 + suffix.length()) {
            return OptionalLong.empty();
        }
        String digits = name.substring(0, 20);
        for (int i = 0; i < digits.length(); i++) {
            if (!Character.isDigit(digits.charAt(i))) {
                return OptionalLong.empty();
            }
        }
        try {
            return OptionalLong.of(Long.parseLong(digits));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
