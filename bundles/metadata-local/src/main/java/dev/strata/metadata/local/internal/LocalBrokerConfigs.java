package dev.strata.metadata.local.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single broker's dynamic broker settings (AlterConfigs on a broker) in
 * {@code __strata_meta/broker-configs.properties}: {@code default.<name>} for the cluster default and
 * {@code broker.<id>.<name>} per broker, rewritten whole (temp file, fsync, atomic rename) on every change.
 *
 * <p>Thread-safety: reads are lock-free; {@link #alter} is called under the store's write lock.
 */
final class LocalBrokerConfigs {
    private static final Logger LOG = LoggerFactory.getLogger(LocalBrokerConfigs.class);
    static final String FILE = "broker-configs.properties";
    private static final String DEFAULT_PREFIX = "default.";
    private static final String BROKER_PREFIX = "broker.";

    private final Path file;
    /** Entity ("" or a broker id) to its dynamic broker settings (immutable maps). */
    private final Map<String, Map<String, String>> configs = new ConcurrentHashMap<>();

    /** @throws IOException when the file cannot be read or has another format version */
    LocalBrokerConfigs(Path metaDir) throws IOException {
        this.file = metaDir.resolve(FILE);
        load();
    }

    Map<String, String> get(String entity) {
        return configs.getOrDefault(entity, Map.of());
    }

    /** Persists the new settings of {@code entity} (empty removes them), then makes them visible. */
    void alter(String entity, Map<String, String> newConfigs) {
        Map<String, String> copy = newConfigs == null ? Map.of() : Map.copyOf(newConfigs);
        Map<String, Map<String, String>> next = new HashMap<>(configs);
        next.put(entity, copy);
        next.values().removeIf(Map::isEmpty);
        try {
            persist(next);
        } catch (IOException e) {
            LOG.error("Could not alter the dynamic broker configs of {}: writing {} failed", entityName(entity),
                    file, e);
            throw new StrataException(ErrorCode.KAFKA_STORAGE_ERROR, "Could not alter the dynamic configs of "
                    + entityName(entity) + ": " + e.getMessage(), e);
        }
        if (copy.isEmpty()) {
            configs.remove(entity);
        } else {
            configs.put(entity, copy);
        }
        LOG.info("Dynamic configs of {} now {}", entityName(entity), copy);
    }

    static String entityName(String entity) {
        return entity.isEmpty() ? "the cluster default" : "broker " + entity;
    }

    private void persist(Map<String, Map<String, String>> state) throws IOException {
        Map<String, String> props = new TreeMap<>();
        props.put("version", "1");
        state.forEach((entity, values) -> {
            String prefix = entity.isEmpty() ? DEFAULT_PREFIX : BROKER_PREFIX + entity + ".";
            values.forEach((k, v) -> props.put(prefix + k, v));
        });
        AtomicFiles.writeProperties(file, props,
                "Strata dynamic broker configs (kafka-configs --alter); do not edit while the broker runs");
    }

    private void load() throws IOException {
        Optional<Map<String, String>> stored = AtomicFiles.readProperties(file);
        if (stored.isEmpty()) {
            return;
        }
        String version = stored.get().getOrDefault("version", "1").trim();
        if (!version.equals("1")) {
            throw new IOException(file + " has format version " + version + "; this Strata reads version 1");
        }
        Map<String, Map<String, String>> byEntity = new HashMap<>();
        for (Map.Entry<String, String> e : stored.get().entrySet()) {
            String key = e.getKey();
            if (key.startsWith(DEFAULT_PREFIX)) {
                byEntity.computeIfAbsent("", k -> new TreeMap<>()).put(key.substring(DEFAULT_PREFIX.length()),
                        e.getValue());
            } else if (key.startsWith(BROKER_PREFIX) && key.indexOf('.', BROKER_PREFIX.length()) > 0) {
                int dot = key.indexOf('.', BROKER_PREFIX.length());
                byEntity.computeIfAbsent(key.substring(BROKER_PREFIX.length(), dot), k -> new TreeMap<>())
                        .put(key.substring(dot + 1), e.getValue());
            }
        }
        byEntity.forEach((entity, values) -> configs.put(entity, Map.copyOf(values)));
    }
}
