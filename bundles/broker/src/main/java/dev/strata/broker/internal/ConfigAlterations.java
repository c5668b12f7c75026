package dev.strata.broker.internal;

import dev.strata.api.broker.ConfigEntry;
import dev.strata.api.broker.ConfigOp;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * IncrementalAlterConfigs and AlterConfigs as Kafka 4.1 checks them (ConfigAdminManager, the controller's
 * ConfigurationControlManager, LogConfig and DynamicBrokerConfig): the new set of a resource's settings is computed
 * and validated whole before anything is written, so an error changes nothing. Stateless: thread-safe.
 */
final class ConfigAlterations {

    private ConfigAlterations() {
    }

    /**
     * Applies IncrementalAlterConfigs' operations to a resource's current settings.
     *
     * @param topic whether the resource is a topic (Kafka words the APPEND/SUBTRACT refusal differently for brokers)
     * @throws StrataException INVALID_REQUEST (a key named twice, a null value), INVALID_CONFIG (APPEND or SUBTRACT
     *     on a setting that is not a list)
     */
    static Map<String, String> apply(Map<String, String> current, List<ConfigOp> ops, boolean topic) {
        Set<String> seen = new HashSet<>();
        List<String> nulls = new ArrayList<>();
        for (ConfigOp op : ops) {
            if (!seen.add(op.name())) {
                throw new StrataException(ErrorCode.INVALID_REQUEST, "Error due to duplicate config keys");
            }
            if (op.type() != ConfigOp.Type.DELETE && op.value() == null) {
                nulls.add(op.name());
            }
        }
        if (!nulls.isEmpty()) {
            throw new StrataException(ErrorCode.INVALID_REQUEST,
                    "Null value not supported for : " + String.join(", ", nulls));
        }
        Map<String, String> next = new TreeMap<>(current);
        for (ConfigOp op : ops) {
            String name = op.name();
            switch (op.type()) {
                case SET -> next.put(name, op.value());
                case DELETE -> next.remove(name);
                case APPEND, SUBTRACT -> {
                    if (!isList(name, topic)) {
                        throw new StrataException(ErrorCode.INVALID_CONFIG, topic
                                ? "Can't " + op.type() + " to key " + name + " because its type is not LIST."
                                : "Config value " + (op.type() == ConfigOp.Type.APPEND ? "append" : "subtract")
                                        + " is not allowed for config key: " + name);
                    }
                    String old = next.get(name);
                    if (old == null) {
                        old = topic ? TopicConfigs.builtInDefault(name) : BrokerConfigs.def(name).dflt();
                    }
                    List<String> items = new ArrayList<>();
                    for (String item : old == null ? new String[0] : old.split(",")) {
                        if (!item.isBlank()) {
                            items.add(item.trim());
                        }
                    }
                    for (String item : op.value().split(",")) {
                        String v = item.trim();
                        if (op.type() == ConfigOp.Type.APPEND && !items.contains(v)) {
                            items.add(v);
                        } else if (op.type() == ConfigOp.Type.SUBTRACT) {
                            items.remove(v);
                        }
                    }
                    next.put(name, String.join(",", items));
                }
                default -> throw new StrataException(ErrorCode.INVALID_REQUEST, "Unknown operation " + op.type());
            }
        }
        return next;
    }

    private static boolean isList(String name, boolean topic) {
        if (topic) {
            return TopicConfigs.isList(name);
        }
        BrokerConfigs.Def d = BrokerConfigs.def(name);
        return d != null && d.type() == ConfigEntry.Type.LIST;
    }

    /**
     * Validates a topic's new overrides; null values are refused as Kafka's controller refuses them.
     *
     * @return them normalised
     * @throws StrataException INVALID_CONFIG
     */
    static Map<String, String> validateTopic(Map<String, String> configs) {
        List<String> nulls = configs.entrySet().stream().filter(e -> e.getValue() == null).map(Map.Entry::getKey)
                .toList();
        if (!nulls.isEmpty()) {
            throw new StrataException(ErrorCode.INVALID_CONFIG,
                    "Null value not supported for topic configs: " + String.join(",", nulls));
        }
        return TopicConfigs.validate(configs);
    }

    /**
     * Validates the new dynamic settings of a broker entity: known keys only, none that Kafka keeps static
     * (read-only), valid values, and a broker configuration that still parses with them.
     *
     * @param entity {@code ""} (the cluster default) or this broker's id
     * @param layers the settings now, into which {@code configs} replaces the entity's
     * @return the settings normalised
     * @throws StrataException INVALID_CONFIG with Kafka's messages
     */
    static Map<String, String> validateBroker(String entity, Map<String, String> configs, ConfigLayers layers,
                                              Path logDir) {
        Set<String> readOnly = new TreeSet<>();
        for (String name : configs.keySet()) {
            BrokerConfigs.Def d = BrokerConfigs.def(name);
            if (d == null) {
                throw new StrataException(ErrorCode.INVALID_CONFIG, "Unknown broker config name: " + name);
            }
            if (!d.dynamic()) {
                readOnly.add(name);
            }
        }
        if (!readOnly.isEmpty()) {
            // Kafka prints a Scala Set.
            throw new StrataException(ErrorCode.INVALID_CONFIG,
                    "Cannot update these configs dynamically: Set(" + String.join(", ", readOnly) + ")");
        }
        Map<String, String> out = new TreeMap<>();
        configs.forEach((k, v) -> out.put(k, BrokerConfigs.validate(k, v)));
        ConfigLayers next = entity.isEmpty() ? layers.withDynamic(out, layers.dynamicBroker())
                : layers.withDynamic(layers.dynamicDefault(), out);
        try {
            BrokerSettings.of(next, logDir);
        } catch (IllegalArgumentException e) {
            throw new StrataException(ErrorCode.INVALID_CONFIG, e.getMessage());
        }
        return out;
    }
}
