package dev.strata.api.cleaner;

import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Compacts a partition log (Kafka's log cleaner): keeps the latest record of every key, keeps offsets (gaps
 * allowed), removes tombstones once {@code delete.retention.ms} has passed, and writes through
 * {@link dev.strata.api.log.PartitionLog#rewrite} so that a crash leaves the old or the cleaned segments. An OSGi
 * service ({@value #PROPERTY_NAME} names it); the broker calls it from its cleaner threads, one call per partition
 * at a time. Implementations are thread-safe.
 */
// Cleaner bundles implement it, possibly third parties (the transaction work teaches it about markers): a new
// method is a major change.
@ConsumerType
public interface LogCleaner {
    String PROPERTY_NAME = "strata.cleaner.name";

    /**
     * Cleans {@link CleanRequest#log()} below {@link CleanRequest#cleanableEndOffset()}.
     *
     * @return what was cleaned, with the offset the next cleaning of this log starts its dirty section at
     * @throws IOException when the log cannot be read or written; the log is left as it was or as partly cleaned
     *     segments that are each whole (never a half-swapped run)
     */
    CleanResult clean(CleanRequest request) throws IOException;
}
