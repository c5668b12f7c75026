package dev.strata.itests;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.kafka.common.message.ApiVersionsResponseData;

/**
 * One Strata container for a test: a private copy of the assembled distribution ({@code bin/strata}) run as a child
 * process on free loopback ports, with its data directory inside the copy. The copy survives {@link #stop()} and
 * {@link #kill()}, so {@link #start()} boots again on the same data. Logs (stdout and stderr of every start) go to
 * {@link #logFile()} and are kept after the test for diagnosis.
 *
 * <p>Not thread-safe: one test thread starts, stops and kills it. The accessors are safe from any thread.
 */
public final class StrataContainer implements AutoCloseable {

    /** Upper bound for a start until the Kafka port answers ApiVersions. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long a SIGTERM may take to end the container before it is killed. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    static final String BROKER_PID = "dev.strata.broker";
    static final String PROTOCOL_PID = "dev.strata.protocol.kafka";
    static final String WEB_CONSOLE_PID = "org.apache.felix.webconsole.internal.servlet.OsgiManager";

    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** Run-time state a distribution directory may hold if someone started it in place; never copied. */
    private static final Set<String> SKIPPED_TOP_LEVEL = Set.of("data", "work", "felix-cache", "log", "logs",
            "cluster", "zookeeper"); // the last two: bin/cluster's and bin/zookeeper's instances and data
    /** Generated at first start (so each container makes its own), never copied. */
    private static final Set<String> SKIPPED_FILES = Set.of("etc/webconsole.credentials",
            "etc/" + WEB_CONSOLE_PID + ".cfg");

    private final String name;
    private final Path home;
    private final Path dataDir;
    private final Path logFile;
    private final int kafkaPort;
    private final int httpPort;
    private final boolean launcherWasExecutable;
    private volatile Process process;
    private int starts;
    private int openFileLimit;
    /** Set in etc/ at every start, after the harness's own keys (cluster members: broker.id, zookeeper.connect...). */
    private final Map<String, String> brokerSettings = new LinkedHashMap<>();
    private final Map<String, String> protocolSettings = new LinkedHashMap<>();

    private StrataContainer(String name, Path home, int kafkaPort, int httpPort, boolean launcherWasExecutable) {
        this.name = name;
        this.home = home;
        this.dataDir = home.resolve("data");
        this.logFile = home.resolve("container.log");
        this.kafkaPort = kafkaPort;
        this.httpPort = httpPort;
        this.launcherWasExecutable = launcherWasExecutable;
        Runtime.getRuntime().addShutdownHook(new Thread(this::killQuietly, "strata-container-reaper-" + name));
    }

    /** The assembled distribution these tests run: system property {@code strata.distribution}. */
    public static Path distribution() {
        Path dist = Paths.get(System.getProperty("strata.distribution", "../distribution/target/strata"))
                .toAbsolutePath().normalize();
        if (!Files.isRegularFile(dist.resolve("bin/strata"))) {
            throw new IllegalStateException("No assembled distribution at " + dist
                    + " (bin/strata missing): run `mvn install -DskipTests` first");
        }
        return dist;
    }

    /** Copies the distribution to a fresh directory and configures it; does not start it. */
    public static StrataContainer create(String name) throws IOException {
        Path dist = distribution();
        Path work = Paths.get(System.getProperty("strata.itests.work", "target/containers")).toAbsolutePath();
        Files.createDirectories(work);
        Path home = Files.createTempDirectory(work, name + "-" + COUNTER.incrementAndGet() + "-");
        copyTree(dist, home);

        Path launcher = home.resolve("bin/strata");
        boolean executable = Files.isExecutable(launcher);
        if (!executable) {
            // A packaging defect (DistributionLayoutIT reports it); run the copy anyway so the other tests still say
            // something about the broker.
            System.err.println("WARNING: " + dist.resolve("bin/strata") + " is not executable; the copy is made so");
            launcher.toFile().setExecutable(true);
        }

        int kafkaPort = freePort();
        int httpPort = freePort();
        while (httpPort == kafkaPort) {
            httpPort = freePort();
        }
        StrataContainer container = new StrataContainer(name, home, kafkaPort, httpPort, executable);
        container.configure();
        return container;
    }

    private void configure() throws IOException {
        Path etc = home.resolve("etc");
        Map<String, String> protocol = new LinkedHashMap<>();
        protocol.put("host", "127.0.0.1");
        protocol.put("port", Integer.toString(kafkaPort));
        protocol.putAll(protocolSettings);
        setProperties(etc.resolve(PROTOCOL_PID + ".cfg"), protocol);
        Map<String, String> broker = new LinkedHashMap<>(brokerSettings);
        broker.put("log.dirs", dataDir.toString());
        setProperties(etc.resolve(BROKER_PID + ".cfg"), broker);
        Map<String, String> framework = new LinkedHashMap<>();
        framework.put("org.osgi.service.http.port", Integer.toString(httpPort));
        framework.put("org.apache.felix.http.host", "127.0.0.1");
        setProperties(etc.resolve("config.properties"), framework);
    }

    /** Starts {@code bin/strata} and waits until the Kafka port answers ApiVersions. */
    public StrataContainer start() throws IOException, InterruptedException {
        launch();
        awaitKafkaReady();
        return this;
    }

    /**
     * Starts {@code bin/strata} for a start that must fail: waits up to {@code timeout} for the launcher to exit
     * and returns its exit code (the container is killed and the test fails if it is still running then).
     */
    public int startExpectingExit(Duration timeout) throws IOException, InterruptedException {
        launch();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            String tail = logTail(40);
            killQuietly();
            throw new IllegalStateException(name + ": still running " + timeout + " after a start that should have "
                    + "failed.\n" + tail);
        }
        return process.exitValue();
    }

    private void launch() throws IOException {
        if (isRunning()) {
            throw new IllegalStateException(name + " is already running");
        }
        starts++;
        configure(); // again: a start that failed may have left the files rewritten
        Files.writeString(logFile, "==== itests: start #" + starts + " at " + Instant.now() + " ====\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        List<String> command = openFileLimit > 0
                // The shell lowers its soft limit and execs the launcher, which execs java: one process.
                ? List.of("/bin/sh", "-c", "ulimit -n " + openFileLimit + " && exec \"$0\"",
                        home.resolve("bin/strata").toString())
                : List.of(home.resolve("bin/strata").toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        // The copy is the installation: nothing from the caller's environment may point elsewhere.
        builder.environment().remove("STRATA_HOME");
        builder.environment().remove("STRATA_OPTS");
        process = builder.start();
    }

    private void awaitKafkaReady() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Exception last = null;
        boolean ready = false;
        while (!ready && System.nanoTime() < deadline) {
            Process p = process;
            if (!p.isAlive()) {
                throw new IllegalStateException(name + ": bin/strata exited with code " + p.exitValue()
                        + " before the Kafka port answered.\n" + logTail(60));
            }
            failIfSettingsLost();
            try (RawKafkaConnection connection = RawKafkaConnection.open(kafkaPort, Duration.ofSeconds(2))) {
                ApiVersionsResponseData versions = connection.apiVersions();
                ready = versions.errorCode() == 0;
                last = ready ? null : new IllegalStateException("ApiVersions error code " + versions.errorCode());
            } catch (Exception e) {
                last = e;
            }
            if (!ready) {
                Thread.sleep(200);
            }
        }
        if (!ready) {
            String tail = logTail(80);
            killQuietly();
            throw new IllegalStateException(name + ": Kafka port " + kafkaPort + " did not answer ApiVersions within "
                    + START_TIMEOUT + " (last error: " + last + ").\n" + tail);
        }
        failIfSettingsLost();
    }

    private void failIfSettingsLost() throws InterruptedException {
        String lost = lostSettings();
        if (lost != null) {
            Thread.sleep(300); // a file caught in the middle of a rewrite is not lost: look again
            lost = lostSettings();
        }
        if (lost != null) {
            String tail = logTail(30);
            killQuietly();
            throw new IllegalStateException(name + ": " + lost + "\n" + tail);
        }
    }

    /**
     * Whether the container rewrote a configuration file the harness set, dropping the setting (seen with
     * FileInstall's write-back of etc/*.cfg at start); null if both settings are in place.
     */
    private String lostSettings() {
        try {
            String port = readProperties("etc/" + PROTOCOL_PID + ".cfg").getProperty("port");
            String logDirs = readProperties("etc/" + BROKER_PID + ".cfg").getProperty("log.dirs");
            if (!Integer.toString(kafkaPort).equals(port == null ? null : port.trim())) {
                return "etc/" + PROTOCOL_PID + ".cfg no longer sets port=" + kafkaPort + " (now " + port
                        + "): the container rewrote it during start; the file now reads:\n"
                        + Files.readString(home.resolve("etc/" + PROTOCOL_PID + ".cfg"));
            }
            if (!dataDir.toString().equals(logDirs == null ? null : logDirs.trim())) {
                return "etc/" + BROKER_PID + ".cfg no longer sets log.dirs=" + dataDir + " (now " + logDirs
                        + "): the container rewrote it during start";
            }
            return null;
        } catch (IOException e) {
            return null; // being rewritten right now; the next look decides
        }
    }

    /**
     * Sends SIGTERM to the container (the launcher and every process under it) and waits for it to end.
     *
     * @return true if it ended by itself within {@link #STOP_TIMEOUT}; false if it had to be killed
     */
    public boolean stop() throws InterruptedException {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return true;
        }
        List<ProcessHandle> tree = processTree(p);
        tree.forEach(ProcessHandle::destroy);
        boolean clean = awaitExit(tree, STOP_TIMEOUT);
        if (!clean) {
            System.err.println("WARNING: " + name + " did not exit within " + STOP_TIMEOUT + " of SIGTERM; killing it."
                    + " See " + logFile);
            tree.forEach(ProcessHandle::destroyForcibly);
            awaitExit(tree, Duration.ofSeconds(10));
        }
        return clean;
    }

    /** SIGKILL to the launcher and every process under it (the JVM gets no chance to flush or clean up). */
    public void kill() throws InterruptedException {
        Process p = process;
        if (p == null) {
            return;
        }
        List<ProcessHandle> tree = processTree(p);
        tree.forEach(ProcessHandle::destroyForcibly);
        if (!awaitExit(tree, Duration.ofSeconds(10))) {
            throw new IllegalStateException(name + ": processes still alive 10 s after SIGKILL: " + tree);
        }
    }

    /** {@link #stop()}; if interrupted meanwhile, kills the container and keeps the interrupt. */
    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            killQuietly();
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL to the tree, waiting up to 10 s for it to end; for failure paths and the JVM's shutdown. */
    private void killQuietly() {
        Process p = process;
        if (p != null && p.isAlive()) {
            List<ProcessHandle> tree = processTree(p);
            tree.forEach(ProcessHandle::destroyForcibly);
            try {
                awaitExit(tree, Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The launcher and its descendants, deepest first; captured before signalling, as orphans get re-parented. */
    private static List<ProcessHandle> processTree(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        java.util.Collections.reverse(tree);
        tree.add(p.toHandle());
        return tree;
    }

    private static boolean awaitExit(List<ProcessHandle> tree, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle handle : tree) {
            long remaining = deadline - System.nanoTime();
            try {
                handle.onExit().get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
        return true;
    }

    /**
     * The highest peak resident memory (VmHWM, KiB) among the container's processes, from /proc; -1 where there is
     * no /proc or the container is not running.
     */
    public long peakRssKiB() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return -1;
        }
        long peak = -1;
        for (ProcessHandle handle : processTree(p)) {
            try {
                for (String line : Files.readAllLines(Paths.get("/proc", Long.toString(handle.pid()), "status"))) {
                    if (line.startsWith("VmHWM:")) {
                        peak = Math.max(peak, Long.parseLong(line.replaceAll("[^0-9]", "")));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // gone, or not Linux
            }
        }
        return peak;
    }

    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** Starts the container with this soft limit of open files ({@code ulimit -n}) from the next start on. */
    public StrataContainer withOpenFileLimit(int limit) {
        this.openFileLimit = limit;
        return this;
    }

    /**
     * Broker settings ({@code etc/dev.strata.broker.cfg}) written at every start from the next one on, e.g. broker.id
     * and zookeeper.connect; {@code log.dirs} stays the harness's.
     */
    public StrataContainer withBrokerSettings(Map<String, String> settings) {
        brokerSettings.putAll(settings);
        return this;
    }

    /** Kafka listener settings ({@code etc/dev.strata.protocol.kafka.cfg}) written at every start from the next on. */
    public StrataContainer withProtocolSettings(Map<String, String> settings) {
        protocolSettings.putAll(settings);
        return this;
    }

    /** The container's process id (the JVM: bin/strata execs it); -1 before the first start. */
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    /** The JVM's command line (bin/strata execs java, so the launched process is the JVM). */
    public java.util.List<String> jvmArguments() {
        Process p = process;
        return p == null ? java.util.List.of() : java.util.List.of(p.info().arguments().orElse(new String[0]));
    }

    public int kafkaPort() {
        return kafkaPort;
    }

    /** A raw connection to the Kafka port, for single hand-built requests; {@code timeout} bounds every read. */
    public RawKafkaConnection rawConnection(Duration timeout) throws IOException {
        return RawKafkaConnection.open(kafkaPort, timeout);
    }

    /**
     * Runs one Gogo command line in the container through the web console's Gogo tab (strata-console) and returns
     * what it printed and returned. Waits for the console to accept the generated login first.
     */
    public String gogo(String commandLine) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10)).build();
        WebConsoleLogin login = WebConsoleLogin.await(this, http, "/system/console/bundles");
        String form = "command=" + java.net.URLEncoder.encode(commandLine, StandardCharsets.UTF_8);
        java.net.http.HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + httpPort + "/system/console/gogo"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Authorization", login.authorization())
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("Gogo '" + commandLine + "': HTTP " + response.statusCode() + "\n"
                    + response.body());
        }
        return response.body();
    }

    public int httpPort() {
        return httpPort;
    }

    /** {@code log.dirs} of the broker. */
    public Path dataDir() {
        return dataDir;
    }

    /** The container's own directory (the copied distribution). */
    public Path home() {
        return home;
    }

    public Path logFile() {
        return logFile;
    }

    /** Whether {@code bin/strata} in the distribution was executable as shipped. */
    public boolean launcherWasExecutable() {
        return launcherWasExecutable;
    }

    /** The last {@code lines} lines of the container's output, for failure messages. */
    public String logTail(int lines) {
        try {
            if (!Files.exists(logFile)) {
                return "(no container log at " + logFile + ")";
            }
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            List<String> tail = all.subList(Math.max(0, all.size() - lines), all.size());
            return "---- last " + tail.size() + " lines of " + logFile + " ----\n" + String.join("\n", tail);
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /** Everything the container has written to its output so far. */
    public String log() throws IOException {
        return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
    }

    /** Reads a properties file of the container (e.g. {@code etc/...cfg}); empty if the file does not exist. */
    public Properties readProperties(String relativePath) throws IOException {
        Properties props = new Properties();
        Path file = home.resolve(relativePath);
        if (Files.exists(file)) {
            try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(in);
            }
        }
        return props;
    }

    /** Sets keys in a properties file, keeping every other line (comments included); creates the file if needed. */
    static void setProperties(Path file, Map<String, String> values) throws IOException {
        List<String> lines = Files.exists(file)
                ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8)) : new ArrayList<>();
        Map<String, String> missing = new LinkedHashMap<>(values);
        for (int i = 0; i < lines.size(); i++) {
            for (Map.Entry<String, String> entry : values.entrySet()) {
                Pattern keyLine = Pattern.compile("^\\s*" + Pattern.quote(entry.getKey()) + "\\s*[=:\\s].*$");
                if (keyLine.matcher(lines.get(i)).matches() || lines.get(i).trim().equals(entry.getKey())) {
                    lines.set(i, entry.getKey() + "=" + entry.getValue());
                    missing.remove(entry.getKey());
                }
            }
        }
        missing.forEach((key, value) -> lines.add(key + "=" + value));
        Files.createDirectories(file.getParent());
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.getParent() != null && dir.getParent().equals(from)
                        && SKIPPED_TOP_LEVEL.contains(dir.getFileName().toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (SKIPPED_FILES.contains(from.relativize(file).toString())) {
                    return FileVisitResult.CONTINUE;
                }
                Files.copy(file, to.resolve(from.relativize(file).toString()),
                        StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "StrataContainer[" + name + ", " + home + ", kafka=" + kafkaPort + ", http=" + httpPort + "]";
    }
}
