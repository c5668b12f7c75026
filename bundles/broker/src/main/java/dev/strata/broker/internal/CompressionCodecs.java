package dev.strata.broker.internal;

import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CompressionCodec} services currently available, by compression type. Codec bundles come and go at run
 * time (DS binds and unbinds them on {@link BrokerComponent}); a request looks its codec up once and keeps that
 * instance until it is done, so a codec that leaves while a batch is being (de)compressed lets that batch finish,
 * and only later requests see it missing. With several codecs for one type, the highest
 * {@code service.ranking} wins (then the lowest {@code service.id}, i.e. the oldest).
 *
 * <p>Thread-safety: thread-safe. Changes are synchronized and publish an immutable snapshot; lookups read the
 * snapshot without locking.
 */
final class CompressionCodecs {
    private static final Logger LOG = LoggerFactory.getLogger(CompressionCodecs.class);

    /** One bound codec service. */
    private record Bound(CompressionCodec codec, int ranking, long serviceId) {
    }

    private static final Comparator<Bound> BEST_FIRST = Comparator.comparingInt(Bound::ranking).reversed()
            .thenComparingLong(Bound::serviceId);

    private final Map<CompressionType, List<Bound>> bound = new EnumMap<>(CompressionType.class);
    private volatile Map<CompressionType, CompressionCodec> current = Map.of();

    /** Registry holding {@code codecs} (tests, and a broker started without OSGi). */
    static CompressionCodecs of(CompressionCodec... codecs) {
        CompressionCodecs registry = new CompressionCodecs();
        long id = 0;
        for (CompressionCodec c : codecs) {
            registry.add(c, Map.of(CompressionCodec.PROPERTY_TYPE, c.type().configName(), "service.id", ++id));
        }
        return registry;
    }

    /** The codec for {@code type}, or null when none is installed. {@link CompressionType#NONE} has none. */
    CompressionCodec get(CompressionType type) {
        return current.get(type);
    }

    /** Names of the types that have a codec now, for messages. */
    List<String> available() {
        return current.keySet().stream().map(CompressionType::configName).sorted().toList();
    }

    /**
     * Adds a codec service, keyed by its {@value CompressionCodec#PROPERTY_TYPE} property. A service whose property
     * is missing, unknown, or disagrees with {@link CompressionCodec#type()} is ignored (logged).
     */
    synchronized void add(CompressionCodec codec, Map<String, ?> properties) {
        CompressionType type = typeOf(codec, properties);
        if (type == null) {
            return;
        }
        bound.computeIfAbsent(type, t -> new ArrayList<>())
                .add(new Bound(codec, intProperty(properties, "service.ranking"), longProperty(properties)));
        publish();
        LOG.info("Compression codec {} available ({})", type.configName(), codec.getClass().getName());
    }

    /** Removes a codec service; requests already holding it finish with it. */
    synchronized void remove(CompressionCodec codec, Map<String, ?> properties) {
        for (Map.Entry<CompressionType, List<Bound>> e : bound.entrySet()) {
            if (e.getValue().removeIf(b -> b.codec() == codec)) {
                publish();
                LOG.info("Compression codec {} removed{}", e.getKey().configName(),
                        current.containsKey(e.getKey()) ? " (another one of that type remains)" : "");
                return;
            }
        }
    }

    private void publish() {
        Map<CompressionType, CompressionCodec> next = new EnumMap<>(CompressionType.class);
        bound.forEach((type, list) -> list.stream().min(BEST_FIRST).ifPresent(b -> next.put(type, b.codec())));
        current = next.isEmpty() ? Map.of() : new EnumMap<>(next);
    }

    private static CompressionType typeOf(CompressionCodec codec, Map<String, ?> properties) {
        Object name = properties.get(CompressionCodec.PROPERTY_TYPE);
        CompressionType type;
        try {
            type = name == null ? null : CompressionType.forName(name.toString());
        } catch (IllegalArgumentException e) {
            type = null;
        }
        if (type == null || type == CompressionType.NONE) {
            LOG.warn("Ignoring compression codec {}: service property {}={} names no Kafka codec",
                    codec.getClass().getName(), CompressionCodec.PROPERTY_TYPE, name);
            return null;
        }
        CompressionType implemented;
        try {
            implemented = codec.type();
        } catch (RuntimeException e) {
            LOG.warn("Ignoring compression codec {}: type() failed", codec.getClass().getName(), e);
            return null;
        }
        if (implemented != type) {
            LOG.warn("Ignoring compression codec {}: registered as {} but implements {}", codec.getClass().getName(),
                    type.configName(), implemented);
            return null;
        }
        return type;
    }

    private static int intProperty(Map<String, ?> properties, String key) {
        return properties.get(key) instanceof Integer i ? i : 0;
    }

    private static long longProperty(Map<String, ?> properties) {
        return properties.get("service.id") instanceof Number n ? n.longValue() : Long.MAX_VALUE;
    }
}
