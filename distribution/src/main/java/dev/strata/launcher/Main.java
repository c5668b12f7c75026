package dev.strata.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkEvent;

/**
 * Starts a Strata container in the foreground: {@code bin/strata} runs this class with {@code -Dstrata.home}.
 *
 * <ol>
 *   <li>{@code etc/system.properties}: set as Java system properties (logging), unless given with -D;</li>
 *   <li>{@code etc/config.properties}: framework properties, {@code ${name}} expanded from system properties; a
 *       -D system property with the same key overrides the file;</li>
 *   <li>web console login generated on first start (see {@link WebConsoleCredentials});</li>
 *   <li>{@code etc/features.cfg}: the features repositories (mvn: URLs into {@code system/}) and the boot
 *       features; their configuration files are copied into place when missing, their bundles installed and
 *       started;</li>
 *   <li>prints one line per bundle, waits until every Strata DS component runs (see {@link ComponentWatch}), prints
 *       {@code Strata started in N ms}, then waits; SIGTERM or Ctrl-C stops the framework cleanly. Exits 1 with one
 *       line per cause when a bundle cannot be installed, resolved or started, or a component fails to activate
 *       or still waits for a reference when {@code strata.start.timeout.ms} ends. While running, a component
 *       that fails or stops is printed as an ERROR line.</li>
 * </ol>
 *
 * <p>Not thread-safe; only the shutdown hook runs beside the main thread, and it touches only the container.
 */
public final class Main {

    static final String HOME_PROPERTY = "strata.home";
    static final String START_TIMEOUT_PROPERTY = "strata.start.timeout.ms";
    private static final long STOP_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(30);
    private static final long DEFAULT_START_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(60);

    private Main() {
    }

    public static void main(String[] args) {
        long startNanos = System.nanoTime();
        PrintStream out = System.out;
        try {
            Path home = home();
            System.setProperty(HOME_PROPERTY, home.toString());
            int exit = run(home, startNanos, out);
            // Exit even if a bundle left a non-daemon thread behind. When a SIGTERM is being handled this
            // blocks until the shutdown hook has stopped the framework, and the JVM then ends as signalled.
            System.exit(exit);
        } catch (LaunchException e) {
            System.err.println("strata: " + e.getMessage());
            System.exit(1);
        } catch (Exception e) {
            System.err.println("strata: failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static int run(Path home, long startNanos, PrintStream out) throws Exception {
        Path etc = home.resolve("etc");
        loadSystemProperties(etc.resolve("system.properties"));
        Map<String, String> frameworkProperties = frameworkProperties(etc.resolve("config.properties"));

        WebConsoleCredentials credentials = new WebConsoleCredentials(etc, new SecureRandom());
        WebConsoleCredentials.Login login = credentials.ensure();
        // Framework properties are the console's defaults until FileInstall delivers the configuration, so the
        // well-known admin/admin login never works, not even for the first second.
        frameworkProperties.putIfAbsent("felix.webconsole.username", login.username());
        frameworkProperties.putIfAbsent("felix.webconsole.password", login.configuredPassword());
        if (System.console() == null) {
            // Without a terminal, Gogo would read end-of-input from stdin and stop the framework.
            frameworkProperties.putIfAbsent("gosh.args", "--nointeractive");
        }

        Map<String, String> featuresConfig = load(etc.resolve("features.cfg"));
        List<String> repositories = list(featuresConfig.get("featuresRepositories"));
        List<String> boot = list(featuresConfig.get("featuresBoot"));
        if (repositories.isEmpty() || boot.isEmpty()) {
            throw new LaunchException(etc.resolve("features.cfg") + " must set featuresRepositories and featuresBoot");
        }

        Container container = new Container(home, frameworkProperties);
        FeaturesRepository.Resolution resolution = resolve(container, repositories, boot);
        for (Path written : container.installConfigFiles(resolution.configFiles())) {
            out.println("Installed default configuration " + home.relativize(written));
        }

        ComponentWatch watch = new ComponentWatch(() -> StrataComponents.read(container.context()),
                System::currentTimeMillis);
        Thread hook = new Thread(() -> {
            watch.stopWatching();
            System.out.println("Strata stopping");
            stopQuietly(container);
            System.out.println("Strata stopped");
            System.out.flush();
        }, "strata-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        List<Container.Failure> failures = container.start(resolution.bundles());
        List<Bundle> bundles = container.bundles();
        for (Bundle bundle : bundles) {
            out.printf("%4d %-11s %s %s%n", bundle.getBundleId(), Container.stateName(bundle.getState()),
                    bundle.getSymbolicName(), bundle.getVersion());
        }
        List<Bundle> unhealthy = bundles.stream().filter(b -> !Container.isHealthy(b)).toList();
        if (!failures.isEmpty() || !unhealthy.isEmpty()) {
            System.err.println("strata: the container did not start completely:");
            failures.forEach(f -> System.err.println("  " + f.location() + ": " + f.reason()));
            unhealthy.forEach(b -> System.err.println("  " + b.getSymbolicName() + " " + b.getVersion() + " is "
                    + Container.stateName(b.getState())));
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                return 1; // a signal arrived during start: the hook is stopping the framework already
            }
            stopQuietly(container);
            return 1;
        }

        StrataComponents.Snapshot components = watch.awaitRunning(startTimeoutMillis());
        if (!components.allRunning()) {
            // One line per component that failed (the cause); the ones only waiting are named when nothing failed,
            // since they usually wait for the one that failed.
            Collection<StrataComponents.Problem> problems = components.failed().isEmpty()
                    ? components.waiting().values() : components.rootFailures();
            if (!components.scrPresent()) {
                out.println("strata: no Declarative Services runtime is running, so no Strata component can start");
            }
            problems.forEach(p -> out.println("strata: component " + p));
            out.flush();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                return 1;
            }
            stopQuietly(container);
            return 1;
        }
        watch.startWatching(components, out);

        if (login.generated()) {
            out.println("Generated the web console login: user " + login.username() + ", password in "
                    + credentials.credentialsFile());
        }
        out.println("Web console: http://" + frameworkProperties.getOrDefault("org.apache.felix.http.host", "0.0.0.0")
                + ":" + frameworkProperties.getOrDefault("org.osgi.service.http.port", "8080")
                + "/system/console (login: " + credentials.credentialsFile() + ")");
        out.println("Strata started in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos) + " ms");
        out.flush();

        FrameworkEvent event = container.awaitStop();
        // Stopped from inside (Gogo "stop 0", a bundle): leave without waiting for the hook's timeout.
        if (event != null && event.getType() == FrameworkEvent.ERROR) {
            System.err.println("strata: framework stopped with an error: " + event.getThrowable());
            return 1;
        }
        return 0;
    }

    /** How long the components may take to start: {@code -Dstrata.start.timeout.ms}, default 60 s. */
    static long startTimeoutMillis() {
        String configured = System.getProperty(START_TIMEOUT_PROPERTY);
        if (configured == null || configured.isBlank()) {
            return DEFAULT_START_TIMEOUT_MILLIS;
        }
        try {
            return Long.parseLong(configured.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + START_TIMEOUT_PROPERTY + " must be a number of milliseconds, not "
                    + configured);
        }
    }

    private static void stopQuietly(Container container) {
        try {
            if (!container.stop(STOP_TIMEOUT_MILLIS)) {
                System.err.println("strata: bundles did not stop within " + STOP_TIMEOUT_MILLIS + " ms");
            }
        } catch (Exception e) {
            System.err.println("strata: error while stopping: " + e);
        }
    }

    private static FeaturesRepository.Resolution resolve(Container container, List<String> repositories,
                                                         List<String> boot) throws IOException, LaunchException {
        Map<String, FeaturesRepository.Feature> all = new LinkedHashMap<>();
        for (String url : repositories) {
            FeaturesRepository repository = FeaturesRepository.read(container.artifact(url));
            all.putAll(repository.features());
        }
        // One repository view over all files, so a feature may depend on a feature of another repository.
        FeaturesRepository merged = FeaturesRepository.of(all);
        try {
            return merged.resolve(boot);
        } catch (IllegalArgumentException e) {
            throw new LaunchException("etc/features.cfg: " + e.getMessage());
        }
    }

    /** The Strata home: {@code -Dstrata.home}, else the parent of the lib/ directory holding this class. */
    static Path home() throws LaunchException {
        String configured = System.getProperty(HOME_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        try {
            Path codeSource = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return codeSource.getParent().getParent().toAbsolutePath().normalize();
        } catch (URISyntaxException | NullPointerException e) {
            throw new LaunchException("cannot tell the Strata home; set -D" + HOME_PROPERTY);
        }
    }

    private static void loadSystemProperties(Path file) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        PropertiesFiles.load(file, System::getProperty).forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
    }

    static Map<String, String> frameworkProperties(Path file) throws IOException {
        Map<String, String> properties = new LinkedHashMap<>(load(file));
        properties.replaceAll((key, value) -> System.getProperty(key, value));
        return properties;
    }

    private static Map<String, String> load(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("missing " + file);
        }
        return PropertiesFiles.load(file, System::getProperty);
    }

    static List<String> list(String value) {
        if (value == null) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toList());
    }

    /** A start-up problem with a message for the user, printed without a stack trace. */
    static final class LaunchException extends Exception {
        private static final long serialVersionUID = 1L;

        LaunchException(String message) {
            super(message);
        }
    }
}
