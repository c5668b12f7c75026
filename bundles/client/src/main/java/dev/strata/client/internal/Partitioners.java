package dev.strata.client.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.partition.Partitioner;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Partitioner} services by {@value Partitioner#PROPERTY_NAME}, and the fallback rule: a name that is
 * not installed falls back to {@value #DEFAULT} with one WARN per name (again after it was installed and removed).
 * Falling back rather than failing is deliberate: a partitioner decides placement, not whether data is accepted,
 * and a vendor bundle being replaced in {@code deploy/} must not stop producers. Thread-safe.
 */
final class Partitioners {
    static final String DEFAULT = "default";
    private static final Logger LOG = LoggerFactory.getLogger(Partitioners.class);

    /** What serves a record: the partitioner and the name it is registered under. */
    record Chosen(String name, Partitioner partitioner) {
    }

    private final RankedServices<Partitioner> services = new RankedServices<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    void add(Partitioner partitioner, Map<String, ?> properties) {
        Object name = properties.get(Partitioner.PROPERTY_NAME);
        if (!(name instanceof String s) || s.isBlank()) {
            LOG.warn("Ignoring partitioner {}: it has no service property {}", partitioner.getClass().getName(),
                    Partitioner.PROPERTY_NAME);
            return;
        }
        services.add(s.trim(), partitioner, properties);
        warned.remove(s.trim());
        LOG.info("Partitioner {} available ({})", s.trim(), partitioner.getClass().getName());
    }

    void remove(Partitioner partitioner, Map<String, ?> properties) {
        boolean remains = services.remove(partitioner);
        LOG.info("Partitioner {} removed{}", properties.get(Partitioner.PROPERTY_NAME),
                remains ? " (another one of that name remains)" : "");
    }

    /**
     * The partitioner named {@code name} (null or blank: {@value #DEFAULT}), else the default.
     *
     * @throws StrataException UNKNOWN_SERVER_ERROR when not even the default is installed
     */
    Chosen choose(String name) {
        String wanted = name == null || name.isBlank() ? DEFAULT : name.trim();
        Partitioner p = services.get(wanted);
        if (p != null) {
            return new Chosen(wanted, p);
        }
        Partitioner fallback = services.get(DEFAULT);
        if (fallback == null) {
            throw new StrataException(ErrorCode.UNKNOWN_SERVER_ERROR, "No partitioner named '" + wanted + "'"
                    + (wanted.equals(DEFAULT) ? "" : " nor '" + DEFAULT + "'") + " is installed (installed: "
                    + services.names() + "; the feature strata-partitioner-default brings '" + DEFAULT
                    + "'): give the record a partition or install one");
        }
        if (warned.add(wanted)) {
            LOG.warn("Partitioner '{}' is not installed (installed: {}); records that name it are placed by '{}'"
                    + " until it is", wanted, services.names(), DEFAULT);
        }
        return new Chosen(DEFAULT, fallback);
    }
}
