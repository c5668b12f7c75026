package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A stock Apache Karaf (unpacked by the build from Maven Central) run as a child process, with its shell driven
 * through {@code bin/client} over SSH on 127.0.0.1. Each instance copies the pristine Karaf into its own directory
 * under {@code strata.itests.work}, gives it free loopback ports (SSH, JMX RMI registry and server, Kafka) and its
 * own {@code karaf.data}, enables the {@code karaf} user for the SSH client, and points pax-url-mvn at Strata's
 * distribution {@code system/} (Maven layout: every bundle the features name, and the features repository) and at
 * the build's {@code karaf-repo} (the bundles of Karaf's scr feature that Karaf's tarball lacks), with no remote
 * repository and a local repository of its own (not {@code ~/.m2}), so nothing is downloaded at test time and no
 * earlier {@code mvn install} is used.
 *
 * <p>Not thread-safe: one test thread drives an instance.
 */
final class KarafContainer implements AutoCloseable {

    static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(180);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Path home;
    private final Path data;
    private final int sshPort;
    private final int kafkaPort;
    private final ClientProcess shell;
    private Process process;

    private KarafContainer(Path home, Path data, int sshPort, int kafkaPort) throws IOException {
        this.home = home;
        this.data = data;
        this.sshPort = sshPort;
        this.kafkaPort = kafkaPort;
        this.shell = new ClientProcess(home.resolve("client-runs"), javaEnvironment());
    }

    /** Copies the unpacked Karaf into a fresh directory and configures it; does not start it. */
    static KarafContainer create(String name) throws IOException {
        Path pristine = Path.of(requiredProperty("strata.itests.karaf"));
        Path karafRepo = Path.of(requiredProperty("strata.itests.karafRepo"));
        if (!Files.isRegularFile(pristine.resolve("bin/karaf"))) {
            fail("No unpacked Karaf at " + pristine + " (the itests build unpacks org.apache.karaf:apache-karaf:tar.gz)");
        }
        Path work = Path.of(System.getProperty("strata.itests.work", "target/containers"));
        Path home = work.resolve("karaf-" + name + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet())
                .toAbsolutePath();
        copyTree(pristine, home);
        try (Stream<Path> bin = Files.list(home.resolve("bin"))) {
            bin.forEach(f -> f.toFile().setExecutable(true)); // the unpacking may drop the mode bits
        }
        Path data = Files.createDirectories(home.resolve("karaf-data"));
        Set<Integer> taken = new HashSet<>();
        int ssh = freePort(taken);
        int rmiRegistry = freePort(taken);
        int rmiServer = freePort(taken);
        int kafka = freePort(taken);
        Path etc = home.resolve("etc");
        StrataContainer.setProperties(etc.resolve("org.apache.karaf.shell.cfg"),
                Map.of("sshPort", Integer.toString(ssh), "sshHost", "127.0.0.1"));
        StrataContainer.setProperties(etc.resolve("org.apache.karaf.management.cfg"),
                Map.of("rmiRegistryPort", Integer.toString(rmiRegistry), "rmiServerPort", Integer.toString(rmiServer),
                        "rmiRegistryHost", "127.0.0.1", "rmiServerHost", "127.0.0.1"));
        Path system = StrataContainer.distribution().resolve("system").toAbsolutePath();
        // Appended: the stock values span continuation lines, and the last definition of a key wins.
        Files.writeString(etc.resolve("org.ops4j.pax.url.mvn.cfg"), "\n# KarafIT: offline; Karaf's system/, Strata's system/ and the scr bundles\n"
                + "org.ops4j.pax.url.mvn.defaultRepositories = "
                + "${karaf.home.uri}${karaf.default.repository}@id=system.repository@snapshots, "
                + system.toUri() + "@id=strata.system@snapshots, "
                + karafRepo.toAbsolutePath().toUri() + "@id=karaf.itest\n"
                + "org.ops4j.pax.url.mvn.repositories =\n"
                // Not ~/.m2: the bundles must come from this build's distribution, not from an earlier install.
                + "org.ops4j.pax.url.mvn.localRepository = " + home.resolve("m2-local") + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        // Karaf 4.4 ships its only user commented out; the SSH client logs in as karaf/karaf.
        Path users = etc.resolve("users.properties");
        String usersText = Files.readString(users, StandardCharsets.ISO_8859_1)
                .replace("#karaf = karaf,_g_:admingroup", "karaf = karaf,_g_:admingroup")
                .replace("#_g_\\:admingroup = ", "_g_\\:admingroup = ");
        Files.writeString(users, usersText, StandardCharsets.ISO_8859_1);
        // Strata's configurations, in place before the features install, so the listener binds its port at once.
        Path strataEtc = StrataContainer.distribution().resolve("etc");
        for (String pid : List.of("dev.strata.broker", "dev.strata.protocol.kafka")) {
            Files.copy(strataEtc.resolve(pid + ".cfg"), etc.resolve(pid + ".cfg"), StandardCopyOption.REPLACE_EXISTING);
        }
        StrataContainer.setProperties(etc.resolve("dev.strata.protocol.kafka.cfg"),
                Map.of("host", "127.0.0.1", "port", Integer.toString(kafka)));
        // log.dirs stays unset, as shipped: the broker puts its data in ${karaf.data}/strata (KarafIT checks).
        return new KarafContainer(home, data, ssh, kafka);
    }

    /** {@code karaf.data} of this Karaf. */
    Path data() {
        return data;
    }

    /** Starts {@code bin/karaf server} and waits until the boot features are installed (start level 100). */
    void start() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("karaf.out").toFile());
        builder.environment().putAll(javaEnvironment());
        builder.environment().put("KARAF_DATA", data.toString());
        process = builder.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("Karaf exited with " + process.exitValue() + " while starting\n" + tail(home.resolve("karaf.out")));
            }
            if (listening(sshPort)) {
                ClientProcess.Result result = runClient("system:start-level", Duration.ofSeconds(60));
                last = result.describe();
                if (result.exitCode() == 0 && result.stdout().contains("Level 100")) {
                    return;
                }
            }
            Thread.sleep(500);
        }
        fail("Karaf did not reach start level 100 within " + START_TIMEOUT + ": " + last + "\n" + tail(log()));
    }

    /** Runs one shell command and returns what it printed; fails the test when it errs or does not finish. */
    String execute(String command) throws IOException, InterruptedException {
        ClientProcess.Result result = runClient(command, COMMAND_TIMEOUT);
        String out = result.stdout();
        if (result.exitCode() != 0 || out.contains("Error executing command") || out.contains("Command not found")) {
            fail("Karaf shell: `" + command + "` failed (exit " + result.exitCode() + ")\n" + result.describe());
        }
        return out;
    }

    private ClientProcess.Result runClient(String command, Duration timeout) throws IOException, InterruptedException {
        // -b reads the commands from stdin; a command given as an argument prints nothing in a non-interactive run.
        return shell.run(List.of(home.resolve("bin/client").toString(), "-h", "127.0.0.1", "-a",
                Integer.toString(sshPort), "-u", "karaf", "-p", "karaf", "-r", "3", "-d", "2", "-b"),
                command + "\n", timeout);
    }

    String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    int kafkaPort() {
        return kafkaPort;
    }

    Path log() {
        return data.resolve("log/karaf.log");
    }

    String logText() throws IOException {
        return Files.exists(log()) ? Files.readString(log(), StandardCharsets.UTF_8) : "";
    }

    static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops Karaf through {@code bin/stop}, killing its process tree if it has not ended within the bound. */
    @Override
    public void close() throws IOException, InterruptedException {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        Collections.reverse(tree);
        tree.add(p.toHandle());
        ProcessBuilder stop = new ProcessBuilder(home.resolve("bin/stop").toString()).directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("stop.out").toFile());
        stop.environment().putAll(javaEnvironment());
        stop.environment().put("KARAF_DATA", data.toString());
        Process stopper = stop.start();
        if (!stopper.waitFor(30, TimeUnit.SECONDS)) {
            stopper.destroyForcibly();
        }
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (ProcessHandle handle : tree) {
            while (handle.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }
        boolean stopped = tree.stream().noneMatch(ProcessHandle::isAlive);
        tree.forEach(ProcessHandle::destroyForcibly);
        if (!stopped) {
            fail("Karaf did not stop within " + STOP_TIMEOUT + " (killed)");
        }
    }

    private static Map<String, String> javaEnvironment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        return environment;
    }

    private static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            fail("System property " + name + " is not set (the itests pom sets it for failsafe)");
        }
        return value;
    }

    private static int freePort(Set<Integer> taken) {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (taken.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "(no " + file + ")";
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return file + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Override
    public String toString() {
        return "KarafContainer[" + home + ", ssh=" + sshPort + ", kafka=" + kafkaPort + "]";
    }
}
