package dev.strata.broker.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out producer ids for idempotent producers. Ids come from blocks reserved durably in
 * {@code <log.dirs>/__strata_meta/producer-ids.properties} ({@code next.block.start}): the file is advanced past a
 * block before any id of it is handed out, so ids never repeat across restarts (the unused rest of a block is
 * skipped). Thread-safety: thread-safe (synchronized).
 */
final class ProducerIdManager {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerIdManager.class);
    /** The metadata directory of the local metadata store, where this file has always been (kept for old data). */
    static final String META_DIR = "__strata_meta";
    static final String FILE = "producer-ids.properties";
    static final String NEXT_BLOCK_START = "next.block.start";
    static final long BLOCK_SIZE = 1000;

    private final Path file;
    private long nextId;
    private long blockEnd;

    ProducerIdManager(Path metaDir) throws IOException {
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
        this.nextId = start;
        this.blockEnd = start; // nothing reserved yet: the first request reserves a block
    }

    /** @throws StrataException KAFKA_STORAGE_ERROR when the reservation cannot be written */
    synchronized long nextProducerId() {
        if (nextId >= blockEnd) {
            long start = nextId;
            long end = start + BLOCK_SIZE;
            if (end < 0) {
                throw new StrataException(ErrorCode.UNKNOWN_SERVER_ERROR, "Producer ids exhausted");
            }
            try {
                AtomicFiles.writeProperties(file, Map.of(NEXT_BLOCK_START, Long.toString(end)),
                        "Strata producer-id reservation; ids below next.block.start may have been used");
            } catch (IOException e) {
                LOG.error("Could not reserve producer ids in {}", file, e);
                throw new StrataException(ErrorCode.KAFKA_STORAGE_ERROR, "Could not reserve producer ids", e);
            }
            blockEnd = end;
            LOG.debug("Reserved producer ids [{}, {})", start, end);
        }
        return nextId++;
    }
}
