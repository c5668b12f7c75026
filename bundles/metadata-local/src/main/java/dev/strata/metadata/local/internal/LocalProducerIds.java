package dev.strata.metadata.local.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The single broker's producer-id reservations: {@code __strata_meta/producer-ids.properties} holds
 * {@code next.block.start}, advanced past a block before any id of it is handed out, so ids never repeat across
 * restarts (the unused rest of a block is skipped). The broker wrote this file itself before ids moved behind the
 * metadata SPI; the format is unchanged. Thread-safety: thread-safe (synchronized).
 */
final class LocalProducerIds {
    static final String FILE = "producer-ids.properties";
    static final String NEXT_BLOCK_START = "next.block.start";

    private final Path file;
    private long next;

    LocalProducerIds(Path metaDir) throws IOException {
        this.file = metaDir.resolve(FILE);
        Optional<Map<String, String>> props = AtomicFiles.readProperties(file);
        long start = 0;
        if (props.isPresent()) {
            String v = props.get().get(NEXT_BLOCK_START);
            try {
                start = Long.parseLong(v == null ? "" : v.trim());
            } catch (NumberFormatException e) {
                throw new IOException(file + ": " + NEXT_BLOCK_START + " is not a number: " + v, e);
            }
            if (start < 0) {
                throw new IOException(file + ": negative " + NEXT_BLOCK_START + " " + start);
            }
        }
        this.next = start;
    }

    /** @throws StrataException KAFKA_STORAGE_ERROR when the reservation cannot be written */
    synchronized long allocate(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be positive: " + count);
        }
        long start = next;
        long end = start + count;
        if (end < 0) {
            throw new StrataException(ErrorCode.UNKNOWN_SERVER_ERROR, "Producer ids exhausted");
        }
        try {
            AtomicFiles.writeProperties(file, Map.of(NEXT_BLOCK_START, Long.toString(end)),
                    "Strata producer-id reservation; ids below next.block.start may have been used");
        } catch (IOException e) {
            throw new StrataException(ErrorCode.KAFKA_STORAGE_ERROR, "Could not reserve producer ids in " + file
                    + ": " + e.getMessage(), e);
        }
        next = end;
        return start;
    }
}
