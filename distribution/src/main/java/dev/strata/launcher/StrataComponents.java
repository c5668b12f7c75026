package dev.strata.launcher;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The state of the Declarative Services components of Strata's own bundles ({@code dev.strata.*}), read from SCR's
 * {@code ServiceComponentRuntime} service: which ones failed to activate, and which wait for a reference or a
 * configuration.
 *
 * <p>The launcher lives on the class path, outside the framework, and the DS runtime API is a bundle's package
 * inside it, so the service is called through its public interface by reflection. Sharing the package from the
 * class path instead would split {@code org.osgi.util.promise}, which that API's methods return, between two
 * class loaders. Stateless; thread-safe.
 */
final class StrataComponents {
    static final String SCR_SERVICE = "org.osgi.service.component.runtime.ServiceComponentRuntime";
    private static final String STRATA_PREFIX = "dev.strata.";
    private static final String CONSEQUENTIAL_FAILURE = "Unable to get service for reference";
    // ComponentConfigurationDTO states (OSGi Compendium 112.12).
    private static final int UNSATISFIED_CONFIGURATION = 1;
    private static final int UNSATISFIED_REFERENCE = 2;
    private static final int FAILED_ACTIVATION = 16;

    /** One component that is not running, and why, in words for the operator. */
    record Problem(String component, String cause) {
        @Override
        public String toString() {
            return component + ": " + cause;
        }
    }

    /**
     * Components that failed to activate, and components not running yet (waiting for a reference or a
     * configuration); both keyed by component name. {@code scrPresent} is false when no DS runtime runs at all.
     */
    record Snapshot(boolean scrPresent, Map<String, Problem> failed, Map<String, Problem> waiting) {
        boolean allRunning() {
            return scrPresent && failed.isEmpty() && waiting.isEmpty();
        }

        /**
         * The failures that are causes: a component that failed only because a service it needs is gone (DS says
         * "Unable to get service for reference") is left out while another failure explains it.
         */
        List<Problem> rootFailures() {
            List<Problem> roots = failed.values().stream()
                    .filter(p -> !p.cause().contains(CONSEQUENTIAL_FAILURE)).toList();
            return roots.isEmpty() ? List.copyOf(failed.values()) : roots;
        }
    }

    private StrataComponents() {
    }

    static Snapshot read(BundleContext context) {
        ServiceReference<?> ref = context.getServiceReference(SCR_SERVICE);
        Object scr = ref == null ? null : context.getService(ref);
        if (scr == null) {
            return new Snapshot(false, Map.of(), Map.of());
        }
        try {
            return read(scr, strataBundles(context));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the DS runtime's component states: " + e, e);
        } finally {
            context.ungetService(ref);
        }
    }

    private static Bundle[] strataBundles(BundleContext context) {
        List<Bundle> ours = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith(STRATA_PREFIX)) {
                ours.add(b);
            }
        }
        return ours.toArray(new Bundle[0]);
    }

    private static Snapshot read(Object scr, Bundle[] bundles) throws ReflectiveOperationException {
        Map<String, Problem> failed = new TreeMap<>();
        Map<String, Problem> waiting = new TreeMap<>();
        if (bundles.length == 0) {
            return new Snapshot(true, failed, waiting); // an empty array would mean "every bundle"
        }
        Class<?> api = apiInterface(scr.getClass());
        Method descriptions = api.getMethod("getComponentDescriptionDTOs", Bundle[].class);
        Class<?> descriptionType = api.getClassLoader()
                .loadClass("org.osgi.service.component.runtime.dto.ComponentDescriptionDTO");
        Method enabled = api.getMethod("isComponentEnabled", descriptionType);
        Method configurations = api.getMethod("getComponentConfigurationDTOs", descriptionType);
        for (Object description : (Collection<?>) invoke(descriptions, scr, (Object) bundles)) {
            if (!(Boolean) invoke(enabled, scr, description)) {
                continue;
            }
            String name = (String) field(description, "name");
            Collection<?> configs = (Collection<?>) invoke(configurations, scr, description);
            if (configs.isEmpty()) {
                waiting.put(name, new Problem(name, "waits for its configuration (pid "
                        + String.join(", ", (String[]) field(description, "configurationPid")) + ")"));
            }
            for (Object config : configs) {
                int state = (Integer) field(config, "state");
                if (state == FAILED_ACTIVATION) {
                    failed.put(name, new Problem(name, "failed to activate: " + cause((String) field(config,
                            "failure"))));
                } else if (state == UNSATISFIED_REFERENCE) {
                    waiting.put(name, new Problem(name, "waits for " + unsatisfied(field(config,
                            "unsatisfiedReferences"))));
                } else if (state == UNSATISFIED_CONFIGURATION) {
                    waiting.put(name, new Problem(name, "waits for its configuration"));
                }
            }
        }
        return new Snapshot(true, failed, waiting);
    }

    /** The ServiceComponentRuntime interface the service object implements (its class is SCR's private one). */
    private static Class<?> apiInterface(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().equals(SCR_SERVICE)) {
                    return i;
                }
            }
        }
        throw new IllegalStateException(type + " does not implement " + SCR_SERVICE);
    }

    private static String unsatisfied(Object references) throws ReflectiveOperationException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < Array.getLength(references); i++) {
            Object ref = Array.get(references, i);
            String target = (String) field(ref, "target");
            names.add("reference '" + field(ref, "name") + "'" + (target == null ? "" : " (target " + target + ")"));
        }
        return names.isEmpty() ? "a reference" : String.join(", ", names);
    }

    /**
     * One line from SCR's failure text (a stack trace): the most telling message of the exception chain. That is
     * the deepest cause's, unless a wrapper repeats it with context ("Kafka listener cannot bind 127.0.0.1:9092:
     * Address already in use" over "BindException: Address already in use"); wrappers that only repeat it add
     * nothing.
     */
    static String cause(String failure) {
        if (failure == null || failure.isBlank()) {
            return "no reason given";
        }
        List<String> chain = new ArrayList<>();
        failure.lines().map(String::trim).forEach(line -> {
            if (chain.isEmpty()) {
                chain.add(line);
            } else if (line.startsWith("Caused by: ")) {
                chain.add(line.substring("Caused by: ".length()));
            }
        });
        String root = chain.get(chain.size() - 1);
        String rootMessage = message(root);
        if (rootMessage.isEmpty()) {
            return root;
        }
        String best = root;
        for (String line : chain) {
            String m = message(line);
            if (m.contains(rootMessage) && m.length() > message(best).length()) {
                best = line;
            }
        }
        return best == root ? root : message(best);
    }

    /** The message of a "some.Exception: message" line, without the leading exception class names. */
    private static String message(String line) {
        String rest = line;
        while (true) {
            int colon = rest.indexOf(": ");
            if (colon < 0 || !rest.substring(0, colon).matches("[\\w$.]+(Exception|Error|Throwable)")) {
                return colon < 0 && rest.matches("[\\w$.]+(Exception|Error|Throwable)") ? "" : rest;
            }
            rest = rest.substring(colon + 2);
        }
    }

    private static Object field(Object dto, String name) throws ReflectiveOperationException {
        Field f = dto.getClass().getField(name);
        return f.get(dto);
    }

    private static Object invoke(Method method, Object target, Object... args) throws ReflectiveOperationException {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
