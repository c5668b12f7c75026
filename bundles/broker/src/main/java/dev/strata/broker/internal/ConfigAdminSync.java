package dev.strata.broker.internal;

import dev.strata.api.metadata.MetadataStore;
import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.osgi.framework.Constants;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ConfigAdmin edit (the web console, or the file changed while running) and an Admin alter of this broker's
 * settings are one change, seen by both: an alter is written to the configuration {@code dev.strata.broker}, and a
 * changed value of a dynamically updatable key in that configuration is recorded as this broker's dynamic setting.
 * No loop: each side records a change only when the value differs from what is in force, and the other side's
 * echo finds it in force. Stateless: thread-safe.
 */
final class ConfigAdminSync {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigAdminSync.class);

    private ConfigAdminSync() {
    }

    /** Whether DS gave a ConfigAdmin configuration (FileInstall's or the console's), not just the defaults. */
    static boolean fromConfiguration(Map<String, Object> properties) {
        return properties.containsKey(Constants.SERVICE_PID);
    }

    /** This broker's dynamic settings whose value the configuration does not hold. */
    static Map<String, String> notShown(Map<String, Object> properties, Map<String, String> dynamic) {
        ConfigLayers statics = ConfigLayers.ofStatic(properties);
        Map<String, String> differing = new TreeMap<>();
        dynamic.forEach((k, v) -> {
            if (!v.equals(statics.staticValue(k))) {
                differing.put(k, v);
            }
        });
        return differing;
    }

    /**
     * The dynamic keys whose configured value changed to something not in force now: key to the new value (null:
     * removed, when what it had made is still this broker's dynamic setting).
     */
    static Map<String, String> consoleEdits(Map<String, Object> before, Map<String, Object> after,
                                            BrokerSettings now) {
        ConfigLayers was = ConfigLayers.ofStatic(before);
        ConfigLayers is = ConfigLayers.ofStatic(after);
        Map<String, String> edits = new TreeMap<>();
        for (BrokerConfigs.Def d : BrokerConfigs.all().values()) {
            String old = was.staticValue(d.name());
            String neu = is.staticValue(d.name());
            if (!d.dynamic() || Objects.equals(old, neu)) {
                continue;
            }
            if (neu == null) {
                String dynamicNow = now.layers().dynamicBroker().get(d.name());
                if (dynamicNow != null && dynamicNow.equals(old)) {
                    edits.put(d.name(), null);
                }
                continue;
            }
            try {
                String value = BrokerConfigs.validate(d.name(), neu);
                Map<String, String> with = now.layers().mergedStrings();
                with.put(d.name(), value);
                if (!Objects.equals(inForce(d, now.layers().mergedStrings()), inForce(d, with))) {
                    edits.put(d.name(), value);
                }
            } catch (RuntimeException e) {
                // the broker refused the whole configuration already (BrokerSettings.of)
            }
        }
        return edits;
    }

    /**
     * What a key makes the broker do: the topic default it supplies (log.roll.ms=604800000 changes nothing while
     * log.roll.hours is 168; a form saving its shown defaults records nothing), else its own value or default.
     */
    private static String inForce(BrokerConfigs.Def d, Map<String, String> merged) {
        if (d.topicKey() != null) {
            String v = BrokerConfigs.topicDefault(d.topicKey(), merged, false);
            return v != null ? v : TopicConfigs.builtInDefault(d.topicKey());
        }
        String v = merged.get(d.name());
        return v != null ? v : d.dflt();
    }

    /** Records console edits as this broker's dynamic settings (the store tells the broker, which applies them). */
    static void record(MetadataStore metadata, Map<String, String> edits) {
        String entity = Integer.toString(metadata.localBrokerId());
        Map<String, String> next = new TreeMap<>(metadata.dynamicBrokerConfigs(entity));
        edits.forEach((k, v) -> {
            if (v == null) {
                next.remove(k);
            } else {
                next.put(k, v);
            }
        });
        LOG.info("Console edit of dynamic broker settings {} recorded for broker {}", edits, entity);
        metadata.alterDynamicBrokerConfigs(entity, next);
    }

    /**
     * Writes changed settings (null: removed) to the configuration {@code pid}, so the console shows them. Not to
     * {@code etc/} (FileInstall's write-back is off; the metadata store keeps them, and the broker shows them again
     * at the next start). The modified() it causes finds the values in force and records nothing.
     *
     * @param ca null while there is no ConfigAdmin: then nothing is shown
     */
    static void write(ConfigurationAdmin ca, String pid, Map<String, String> changed) {
        if (ca == null) {
            return;
        }
        try {
            Configuration cfg = ca.getConfiguration(pid, "?");
            Dictionary<String, Object> props = cfg.getProperties();
            if (props == null) {
                props = new Hashtable<>();
            }
            for (Map.Entry<String, String> e : changed.entrySet()) {
                if (e.getValue() == null) {
                    props.remove(e.getKey());
                } else {
                    props.put(e.getKey(), e.getValue());
                }
            }
            cfg.updateIfDifferent(props);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not write the altered broker settings {} to configuration {}: {}", changed.keySet(), pid,
                    e.toString());
        }
    }
}
