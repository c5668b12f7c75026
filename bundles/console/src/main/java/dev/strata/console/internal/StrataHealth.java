package dev.strata.console.internal;

import dev.strata.protocol.kafka.api.KafkaListener;
import dev.strata.protocol.kafka.api.ListenerLoad;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.apache.felix.inventory.Format;
import org.apache.felix.inventory.InventoryPrinter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * The health report: Gogo {@code strata:health}, and "Strata health" on the web console's Status tab (an
 * inventory printer). It reads the state of every DS component of Strata's bundles from SCR and the Kafka
 * listeners registered as services, so a listener that is not bound (port taken, component failed) shows.
 *
 * <p>Thread-safe: stateless; each call reads the current state.
 */
@Component(service = {StrataHealth.class, InventoryPrinter.class}, property = {
    "osgi.command.scope=strata",
    "osgi.command.function=health",
    InventoryPrinter.NAME + "=strata-health",
    InventoryPrinter.TITLE + "=Strata health",
    InventoryPrinter.FORMAT + "=TEXT"})
public final class StrataHealth implements InventoryPrinter {
    private static final String STRATA_PREFIX = "dev.strata.";

    private final ServiceComponentRuntime scr;
    private final BundleContext context;

    @Activate
    public StrataHealth(@Reference(name = "scr") ServiceComponentRuntime scr, BundleContext context) {
        this.scr = scr;
        this.context = context;
    }

    /** Gogo: {@code strata:health}. */
    public String health() {
        return report().toText();
    }

    @Override
    public void print(PrintWriter printWriter, Format format, boolean isZip) {
        printWriter.print(report().toText());
    }

    HealthReport report() {
        return new HealthReport(components(), listeners());
    }

    private List<HealthReport.ComponentLine> components() {
        List<Bundle> ours = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith(STRATA_PREFIX)) {
                ours.add(b);
            }
        }
        List<HealthReport.ComponentLine> lines = new ArrayList<>();
        if (ours.isEmpty()) {
            return lines;
        }
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(ours.toArray(new Bundle[0]))) {
            if (!scr.isComponentEnabled(d)) {
                lines.add(new HealthReport.ComponentLine(d.name, "DISABLED", null));
                continue;
            }
            Collection<ComponentConfigurationDTO> configs = scr.getComponentConfigurationDTOs(d);
            if (configs.isEmpty()) {
                lines.add(new HealthReport.ComponentLine(d.name, "WAITING",
                        "waits for its configuration (pid " + String.join(", ", d.configurationPid) + ")"));
            }
            for (ComponentConfigurationDTO c : configs) {
                lines.add(line(d.name, c));
            }
        }
        lines.sort(Comparator.comparing(HealthReport.ComponentLine::name));
        return lines;
    }

    private static HealthReport.ComponentLine line(String name, ComponentConfigurationDTO c) {
        return switch (c.state) {
            case ComponentConfigurationDTO.ACTIVE -> new HealthReport.ComponentLine(name, "ACTIVE", null);
            case ComponentConfigurationDTO.SATISFIED -> new HealthReport.ComponentLine(name, "SATISFIED", null);
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> new HealthReport.ComponentLine(name, "FAILED",
                    "failed to activate: " + firstLine(c.failure));
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> new HealthReport.ComponentLine(name, "WAITING",
                    "waits for " + references(c.unsatisfiedReferences));
            default -> new HealthReport.ComponentLine(name, "WAITING", "waits for its configuration");
        };
    }

    private static String references(UnsatisfiedReferenceDTO[] refs) {
        List<String> names = new ArrayList<>();
        for (UnsatisfiedReferenceDTO r : refs) {
            names.add("reference '" + r.name + "'");
        }
        return names.isEmpty() ? "a reference" : String.join(", ", names);
    }

    /**
     * The first exception of SCR's failure text (a stack trace) that is not a wrapper: the one the component
     * threw, which names what went wrong, rather than the reflective call or DS exception that carried it.
     */
    static String firstLine(String failure) {
        if (failure == null || failure.isBlank()) {
            return "no reason given";
        }
        String last = null;
        for (String l : (Iterable<String>) failure.lines()::iterator) {
            String t = l.trim();
            if (last != null && !t.startsWith("Caused by: ")) {
                continue;
            }
            last = t.startsWith("Caused by: ") ? t.substring("Caused by: ".length()) : t;
            if (!isWrapper(last)) {
                return last;
            }
        }
        return last;
    }

    private static boolean isWrapper(String line) {
        String type = line.split(":", 2)[0].trim();
        return type.equals("java.lang.reflect.InvocationTargetException")
                || type.equals("org.osgi.service.component.ComponentException")
                || type.equals("java.util.concurrent.CompletionException")
                || type.equals("java.util.concurrent.ExecutionException");
    }

    private List<HealthReport.ListenerLine> listeners() {
        List<HealthReport.ListenerLine> lines = new ArrayList<>();
        try {
            for (ServiceReference<ListenerLoad> r : context.getServiceReferences(ListenerLoad.class, null)) {
                ListenerLoad load = context.getService(r);
                if (load == null) {
                    continue; // unregistered meanwhile
                }
                try {
                    lines.add(new HealthReport.ListenerLine(String.valueOf(r.getProperty(KafkaListener.PROP_NAME)),
                            String.valueOf(r.getProperty(KafkaListener.PROP_HOST)),
                            r.getProperty(KafkaListener.PROP_PORT), load.openConnections(), load.maxConnections(),
                            load.refusedConnections(), load.requestBytesInUse(), load.requestBytesLimit()));
                } finally {
                    context.ungetService(r);
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e); // no filter is passed
        }
        return lines;
    }
}
