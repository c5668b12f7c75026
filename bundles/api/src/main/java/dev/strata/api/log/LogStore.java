package dev.strata.api.log;

import dev.strata.api.common.TopicPartition;
import java.io.IOException;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Opens partition logs. A store implementation is an OSGi service ({@code strata.store.name} names it, for
 * example {@code segment}); the broker owns the directory layout and hands each partition its own directory, so
 * a newer store implementation can open the directories an older one wrote. Implementations are thread-safe.
 */
// Store bundles implement it, possibly third parties: a new method is a major change.
@ConsumerType
public interface LogStore {
    String PROPERTY_NAME = "strata.store.name";

    /**
     * Opens the log in {@code dir}, creating the directory when absent and recovering it when present (a torn
     * tail is cut, corrupt indexes are rebuilt).
     */
    PartitionLog open(Path dir, TopicPartition tp, LogConfig config) throws IOException;
}
