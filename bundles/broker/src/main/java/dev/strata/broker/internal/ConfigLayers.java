package dev.strata.broker.internal;

import dev.strata.api.broker.ConfigEntry;
import dev.strata.api.broker.ConfigEntry.Source;
import dev.strata.api.broker.ConfigEntry.Synonym;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the broker's settings come from, lowest precedence first: the built-in defaults ({@link BrokerConfigs}), the
 * static configuration (ConfigAdmin, PID {@code dev.strata.broker}, from {@code etc/*.cfg}), the dynamic cluster
 * default (entity {@code ""}) and the dynamic settings of this broker (entity = its id), both kept by the
 * MetadataStore. Describes them as Kafka's DescribeConfigs does. Immutable: thread-safe.
 *
 * @param statics the ConfigAdmin properties, blank values dropped (as FileInstall gives them, so any type)
 */
record ConfigLayers(Map<String, Object> statics, Map<String, String> dynamicDefault,
                    Map<String, String> dynamicBroker) {

    static final ConfigLayers EMPTY = new ConfigLayers(Map.of(), Map.of(), Map.of());

    ConfigLayers {
        statics = Map.copyOf(statics);
        dynamicDefault = Map.copyOf(dynamicDefault);
        dynamicBroker = Map.copyOf(dynamicBroker);
    }

    static ConfigLayers ofStatic(Map<String, ?> rawProps) {
        Map<String, Object> props = new HashMap<>();
        rawProps.forEach((k, v) -> {
            if (k != null && v != null && !(v instanceof String s && s.isBlank())) {
                props.put(k, v);
            }
        });
        return new ConfigLayers(props, Map.of(), Map.of());
    }

    ConfigLayers withDynamic(Map<String, String> dflt, Map<String, String> broker) {
        return new ConfigLayers(statics, dflt, broker);
    }

    /** Every key set at any level, the higher level winning (defaults not included). */
    Map<String, Object> merged() {
        Map<String, Object> m = new HashMap<>(statics);
        m.putAll(dynamicDefault);
        m.putAll(dynamicBroker);
        return m;
    }

    /** {@link #merged()} with values as text. */
    Map<String, String> mergedStrings() {
        Map<String, String> m = new HashMap<>();
        merged().forEach((k, v) -> m.put(k, v.toString().trim()));
        return m;
    }

    /** The static value of a key as text, or null. */
    String staticValue(String name) {
        Object v = statics.get(name);
        return v == null ? null : v.toString().trim();
    }

    /** The effective value of a known broker key: dynamic, else static, else its built-in default (maybe null). */
    String value(String name) {
        String v = dynamicBroker.get(name);
        if (v == null) {
            v = dynamicDefault.get(name);
        }
        if (v == null) {
            v = staticValue(name);
        }
        if (v == null) {
            BrokerConfigs.Def d = BrokerConfigs.def(name);
            v = d == null ? null : d.dflt();
        }
        return v;
    }

    /**
     * The places {@code names} are set, as Kafka's ConfigHelper lists them: by source (this broker's dynamic, the
     * dynamic default, static, built-in default), each in the order of {@code names}.
     */
    List<Synonym> synonyms(List<String> names) {
        List<Synonym> out = new ArrayList<>();
        names.forEach(n -> add(out, n, dynamicBroker.get(n), Source.DYNAMIC_BROKER_CONFIG));
        names.forEach(n -> add(out, n, dynamicDefault.get(n), Source.DYNAMIC_DEFAULT_BROKER_CONFIG));
        names.forEach(n -> {
            // A static value equal to this broker's dynamic one is its copy in ConfigAdmin (see BrokerComponent):
            // one change, listed once, as Kafka lists an alter.
            String v = staticValue(n);
            if (v != null && !v.equals(dynamicBroker.get(n))) {
                add(out, n, v, Source.STATIC_BROKER_CONFIG);
            }
        });
        names.forEach(n -> {
            BrokerConfigs.Def d = BrokerConfigs.def(n);
            add(out, n, d == null ? null : d.dflt(), Source.DEFAULT_CONFIG);
        });
        return out;
    }

    private static void add(List<Synonym> out, String name, String value, Source source) {
        if (value != null) {
            out.add(new Synonym(name, value, source));
        }
    }

    /**
     * DescribeConfigs of this broker: every known setting with its effective value; a synonym set elsewhere in its
     * family that comes before it (as {@code log.retention.ms} before {@code log.retention.hours}) is left out, as
     * Kafka does.
     */
    List<ConfigEntry> describeBroker() {
        List<ConfigEntry> out = new ArrayList<>();
        for (BrokerConfigs.Def d : BrokerConfigs.all().values()) {
            List<Synonym> all = synonyms(BrokerConfigs.brokerSynonyms(d.name()));
            int first = 0;
            while (first < all.size() && !all.get(first).name().equals(d.name())) {
                first++;
            }
            List<Synonym> own = all.subList(first, all.size());
            Source source = own.isEmpty() ? Source.DEFAULT_CONFIG : own.get(0).source();
            out.add(new ConfigEntry(d.name(), value(d.name()), source, !d.dynamic(), false, own, d.type(), d.doc()));
        }
        return out;
    }

    /** DescribeConfigs of the cluster default ({@code ""}): only the keys set there, as Kafka does. */
    List<ConfigEntry> describeDefault() {
        List<ConfigEntry> out = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(dynamicDefault).entrySet()) {
            BrokerConfigs.Def d = BrokerConfigs.def(e.getKey());
            List<Synonym> own = synonyms(BrokerConfigs.brokerSynonyms(e.getKey())).stream()
                    .filter(s -> s.source() == Source.DYNAMIC_DEFAULT_BROKER_CONFIG).toList();
            out.add(new ConfigEntry(e.getKey(), e.getValue(), Source.DYNAMIC_DEFAULT_BROKER_CONFIG,
                    d == null || !d.dynamic(), false, own, d == null ? ConfigEntry.Type.STRING : d.type(),
                    d == null ? null : d.doc()));
        }
        return out;
    }

    /**
     * The broker-level synonyms of a topic setting without a topic override: each broker key of its family where it
     * is set, by source, then the family's built-in default.
     */
    List<Synonym> topicSynonyms(String topicKey) {
        return synonyms(BrokerConfigs.topicSynonyms(topicKey).stream().map(BrokerConfigs.Def::name).toList());
    }
}
