package dev.strata.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleRevision;

/**
 * One OSGi framework and the features it boots: creates the framework with the given properties, copies missing
 * configuration files into place, installs every bundle of the boot features from {@code system/} and starts the
 * ones that are not fragments.
 *
 * <p>Thread-safe for {@link #stop}, which the shutdown hook may call while the main thread waits in
 * {@link #awaitStop}; {@link #start} is called once, by the main thread.
 */
final class Container {

    /** A bundle that could not be installed or started, and why. */
    record Failure(String location, String reason) { }

    private final Path home;
    private final Path system;
    private final Map<String, String> frameworkProperties;
    private volatile Framework framework;

    Container(Path home, Map<String, String> frameworkProperties) {
        this.home = home;
        this.system = home.resolve("system");
        this.frameworkProperties = Map.copyOf(frameworkProperties);
    }

    /** Copies each configuration file to its final name unless the file is there already (or override is set). */
    List<Path> installConfigFiles(List<FeaturesRepository.ConfigFile> configFiles) throws IOException {
        List<Path> written = new ArrayList<>();
        for (FeaturesRepository.ConfigFile configFile : configFiles) {
            String finalName = configFile.finalName().replaceFirst("^/+", "");
            Path target = home.resolve(finalName).normalize();
            if (!target.startsWith(home)) {
                throw new IOException("configfile finalname leaves the Strata home: " + configFile.finalName());
            }
            if (Files.exists(target) && !configFile.override()) {
                continue;
            }
            Path source = artifact(configFile.url());
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            written.add(target);
        }
        return written;
    }

    /** Resolves a mvn: URL in {@code system/}, failing clearly when the file is missing. */
    Path artifact(String url) throws IOException {
        Path file = MavenUrl.parse(url).resolveIn(system);
        if (!Files.isRegularFile(file)) {
            throw new IOException(url + " is not in the distribution (expected " + file + ")");
        }
        return file;
    }

    /**
     * Starts the framework, installs the bundles in order and starts all that are not fragments (and not marked
     * {@code start="false"}). Returns the failures; the framework is running either way.
     */
    List<Failure> start(List<FeaturesRepository.BundleRef> bundles) throws BundleException, IOException {
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class, Container.class.getClassLoader())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No OSGi FrameworkFactory on the class path (lib/)"));
        Framework created = factory.newFramework(new HashMap<>(frameworkProperties));
        created.init();
        framework = created;
        List<Failure> failures = new ArrayList<>();
        List<Bundle> toStart = new ArrayList<>();
        for (FeaturesRepository.BundleRef ref : bundles) {
            try {
                Path file = artifact(ref.url());
                Bundle bundle;
                try (InputStream in = Files.newInputStream(file)) {
                    bundle = created.getBundleContext().installBundle(ref.url(), in);
                }
                if (ref.start() && !isFragment(bundle)) {
                    toStart.add(bundle);
                }
            } catch (IOException | BundleException e) {
                failures.add(new Failure(ref.url(), e.getMessage()));
            }
        }
        created.start();
        for (Bundle bundle : toStart) {
            try {
                bundle.start();
            } catch (BundleException | RuntimeException e) {
                failures.add(new Failure(bundle.getLocation(), e.getMessage()));
            }
        }
        return failures;
    }

    static boolean isFragment(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        return revision != null && (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
    }

    /** Every installed bundle: the fragments are fine when RESOLVED, every other bundle must be ACTIVE. */
    List<Bundle> bundles() {
        Framework current = framework;
        return current == null ? List.of() : List.of(current.getBundleContext().getBundles());
    }

    /** The framework's own context, to read service and component state; null before {@link #start}. */
    BundleContext context() {
        Framework current = framework;
        return current == null ? null : current.getBundleContext();
    }

    static boolean isHealthy(Bundle bundle) {
        if (bundle.getBundleId() == 0) {
            return bundle.getState() == Bundle.ACTIVE;
        }
        return isFragment(bundle) ? bundle.getState() == Bundle.RESOLVED : bundle.getState() == Bundle.ACTIVE;
    }

    static String stateName(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "STATE-" + state;
        };
    }

    /** Blocks until the framework has stopped (by {@link #stop}, a shell command, or a bundle). */
    FrameworkEvent awaitStop() throws InterruptedException {
        Framework current = framework;
        return current == null ? null : current.waitForStop(0);
    }

    /** Stops the framework and waits up to {@code timeoutMillis} for every bundle to stop. */
    boolean stop(long timeoutMillis) throws BundleException, InterruptedException {
        Framework current = framework;
        if (current == null) {
            return true;
        }
        current.stop();
        return current.waitForStop(timeoutMillis).getType() != FrameworkEvent.WAIT_TIMEDOUT;
    }
}
