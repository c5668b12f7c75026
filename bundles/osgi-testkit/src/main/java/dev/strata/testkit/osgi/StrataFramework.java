package dev.strata.testkit.osgi;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * An embedded Felix framework running Declarative Services, ConfigAdmin and real Strata bundle jars, for tests that
 * need real services (a {@code Broker} over the segment store, a {@code GroupCoordinator}) and their DS dynamics
 * without a whole container.
 *
 * <p>The bundles are the jars (or, in a reactor build without packaging, the {@code target/classes} directories
 * with their bnd manifest) that the test's class path holds, found by Bundle-SymbolicName. The API
 * ({@code dev.strata.api.*}, exactly as the api bundle exports it), SLF4J and ConfigAdmin's API are exported by the
 * system bundle from the class path instead of being installed, so that test code and the services inside the
 * framework share those classes: a test holds a service as {@code Broker}, never through reflection.
 *
 * <p>Configurations given to {@link #start} are set before any Strata bundle starts, so a component never runs on
 * its defaults (e.g. a broker on {@code ./data}). Not thread-safe: one test thread drives it; {@link #close()}
 * stops the framework and removes its cache.
 */
public final class StrataFramework implements AutoCloseable {
    /** The bundles a broker needs: its services' default implementations and the segment store. */
    public static final List<String> BROKER_BUNDLES = List.of("dev.strata.record", "dev.strata.metadata.local",
            "dev.strata.replication.local", "dev.strata.storage.segment", "dev.strata.broker");
    /** How long {@link #service} waits by default: DS activates components on its own thread. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

    private static final List<String> RUNTIME_BUNDLES = List.of("org.osgi.util.function", "org.osgi.util.promise",
            "org.osgi.service.component", "org.apache.felix.configadmin", "org.apache.felix.scr");
    private static final String API_BUNDLE = "dev.strata.api";

    private final Framework framework;
    private final Path cache;
    private final Map<String, String> locations;

    private StrataFramework(Framework framework, Path cache, Map<String, String> locations) {
        this.framework = framework;
        this.cache = cache;
        this.locations = locations;
    }

    /**
     * Starts a framework with the DS runtime and ConfigAdmin, sets {@code configurations} (PID to properties), then
     * installs and starts {@code bundles} (symbolic names, in this order).
     *
     * @throws IllegalStateException when a bundle is not on the class path or does not resolve, naming it
     */
    public static StrataFramework start(Map<String, Map<String, ?>> configurations, List<String> bundles)
            throws IOException, BundleException {
        return start(Map.of(), configurations, bundles);
    }

    /**
     * As {@link #start(Map, List)} with more framework properties, e.g. {@code karaf.data} to run as in Karaf.
     */
    public static StrataFramework start(Map<String, String> frameworkProperties,
                                        Map<String, Map<String, ?>> configurations, List<String> bundles)
            throws IOException, BundleException {
        Map<String, String> locations = bundlesOnClassPath();
        Path cache = Files.createTempDirectory("strata-felix");
        Map<String, Object> config = new HashMap<>(frameworkProperties);
        config.put(Constants.FRAMEWORK_STORAGE, cache.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, String.join(",",
                apiPackages(), "org.slf4j;version=2.0.17", "org.slf4j.event;version=2.0.17",
                "org.slf4j.helpers;version=2.0.17", "org.slf4j.spi;version=2.0.17",
                "org.osgi.service.cm;version=1.6.1"));
        config.put("ds.loglevel", "warn");
        Felix felix = new Felix(config);
        StrataFramework f = new StrataFramework(felix, cache, locations);
        try {
            felix.init();
            felix.start();
            f.installAndStart(RUNTIME_BUNDLES);
            configurations.forEach(f::configure);
            f.installAndStart(bundles);
            return f;
        } catch (BundleException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    private void installAndStart(List<String> symbolicNames) throws BundleException {
        List<Bundle> installed = new ArrayList<>();
        for (String bsn : symbolicNames) {
            String location = locations.get(bsn);
            if (location == null) {
                throw new IllegalStateException("Bundle " + bsn + " is not on the test class path (add its module as"
                        + " a test dependency); found " + locations.keySet());
            }
            installed.add(context().installBundle(location));
        }
        for (Bundle b : installed) {
            b.start();
        }
    }

    /** Bundle-SymbolicName to install location of every bundle manifest on the class path. */
    private static Map<String, String> bundlesOnClassPath() throws IOException {
        Map<String, String> out = new HashMap<>();
        Enumeration<URL> manifests = StrataFramework.class.getClassLoader().getResources("META-INF/MANIFEST.MF");
        while (manifests.hasMoreElements()) {
            URL url = manifests.nextElement();
            String bsn;
            try (InputStream in = url.openStream()) {
                bsn = new Manifest(in).getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            }
            if (bsn == null) {
                continue;
            }
            String u = url.toString();
            String location;
            if (u.startsWith("jar:")) {
                location = u.substring("jar:".length(), u.indexOf("!/"));
            } else {
                // An exploded bundle: target/classes with the manifest bnd wrote.
                location = "reference:" + u.substring(0, u.length() - "META-INF/MANIFEST.MF".length());
            }
            out.putIfAbsent(bsn.split(";")[0].trim(), location);
        }
        return out;
    }

    /** The api bundle's Export-Package, package and version only (the system bundle exports them). */
    private static String apiPackages() throws IOException {
        Enumeration<URL> manifests = StrataFramework.class.getClassLoader().getResources("META-INF/MANIFEST.MF");
        while (manifests.hasMoreElements()) {
            try (InputStream in = manifests.nextElement().openStream()) {
                var attributes = new Manifest(in).getMainAttributes();
                String bsn = attributes.getValue(Constants.BUNDLE_SYMBOLICNAME);
                if (bsn != null && bsn.split(";")[0].trim().equals(API_BUNDLE)) {
                    return packagesAndVersions(attributes.getValue(Constants.EXPORT_PACKAGE));
                }
            }
        }
        throw new IllegalStateException("The api bundle " + API_BUNDLE + " is not on the test class path");
    }

    /** Keeps {@code pkg;version="x"} of each clause of an Export-Package header (drops uses directives). */
    static String packagesAndVersions(String header) {
        List<String> clauses = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                clauses.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        clauses.add(current.toString());
        List<String> out = new ArrayList<>();
        for (String clause : clauses) {
            String[] parts = clause.split(";");
            StringBuilder kept = new StringBuilder(parts[0].trim());
            for (int i = 1; i < parts.length; i++) {
                if (parts[i].trim().startsWith("version=")) {
                    kept.append(';').append(parts[i].trim());
                }
            }
            out.add(kept.toString());
        }
        return String.join(",", out);
    }

    public BundleContext context() {
        return framework.getBundleContext();
    }

    /** The installed bundle of that symbolic name. */
    public Bundle bundle(String symbolicName) {
        for (Bundle b : context().getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new IllegalStateException("No bundle " + symbolicName + " is installed");
    }

    /** Creates or replaces the configuration of {@code pid}; DS applies it to the components of that PID. */
    public void configure(String pid, Map<String, ?> properties) {
        ServiceReference<ConfigurationAdmin> ref = context().getServiceReference(ConfigurationAdmin.class);
        if (ref == null) {
            throw new IllegalStateException("ConfigurationAdmin is not running");
        }
        ConfigurationAdmin admin = context().getService(ref);
        try {
            Configuration c = admin.getConfiguration(pid, "?");
            Dictionary<String, Object> d = new Hashtable<>();
            properties.forEach(d::put);
            c.update(d);
        } catch (IOException e) {
            throw new IllegalStateException("Could not configure " + pid, e);
        } finally {
            context().ungetService(ref);
        }
    }

    /** The highest-ranked service of {@code type}, waiting for it up to {@link #DEFAULT_WAIT}. */
    public <T> T service(Class<T> type) {
        return service(type, DEFAULT_WAIT);
    }

    /**
     * The highest-ranked service of {@code type}, waiting up to {@code wait} for one to be registered.
     *
     * @throws IllegalStateException when none appears in time
     */
    public <T> T service(Class<T> type, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            ServiceReference<T> ref = context().getServiceReference(type);
            if (ref != null) {
                T service = context().getService(ref);
                if (service != null) {
                    return service;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("No " + type.getName() + " service within " + wait.toMillis()
                        + " ms; bundles: " + bundleStates());
            }
            pause();
        }
    }

    /**
     * The properties of the highest-ranked service registered under {@code objectClass}, waiting up to
     * {@link #DEFAULT_WAIT}: for services whose interface the test does not share with the framework (a bundle's own
     * exported API), read by name.
     */
    public Map<String, Object> serviceProperties(String objectClass) {
        long deadline = System.nanoTime() + DEFAULT_WAIT.toNanos();
        while (true) {
            // All references: the test's own copy of the interface is not the bundle's, so no class-space check.
            ServiceReference<?> ref = best(objectClass);
            if (ref != null) {
                Map<String, Object> out = new HashMap<>();
                for (String key : ref.getPropertyKeys()) {
                    out.put(key, ref.getProperty(key));
                }
                return out;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("No " + objectClass + " service within " + DEFAULT_WAIT.toMillis()
                        + " ms; bundles: " + bundleStates());
            }
            pause();
        }
    }

    private ServiceReference<?> best(String objectClass) {
        try {
            ServiceReference<?>[] refs = context().getAllServiceReferences(objectClass, null);
            if (refs == null) {
                return null;
            }
            ServiceReference<?> best = refs[0];
            for (ServiceReference<?> r : refs) {
                if (r.compareTo(best) > 0) {
                    best = r;
                }
            }
            return best;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(10); // polling with a deadline: registration happens on DS's thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a service", e);
        }
    }

    /** Whether a service of {@code type} is registered now. */
    public boolean hasService(Class<?> type) {
        return context().getServiceReference(type) != null;
    }

    private String bundleStates() {
        StringBuilder sb = new StringBuilder();
        for (Bundle b : context().getBundles()) {
            sb.append(b.getSymbolicName()).append('=').append(b.getState()).append(' ');
        }
        return sb.toString().trim();
    }

    /** Stops every bundle (DS deactivates the components, closing the broker's logs) and removes the cache. */
    @Override
    public void close() {
        try {
            framework.stop();
            framework.waitForStop(30_000);
        } catch (BundleException e) {
            throw new IllegalStateException("The framework did not stop", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deleteQuietly(cache);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a leftover in the temp dir; nothing a test can do about it
                }
            });
        } catch (IOException e) {
            // as above
        }
    }
}
