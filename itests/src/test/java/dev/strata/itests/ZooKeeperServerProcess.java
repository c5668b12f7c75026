package dev.strata.itests;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The ZooKeeper server the distribution ships, as a child process: the distribution's {@code bin/zookeeper run
 * <port>} (which execs the JVM, so the process is the server) on a free loopback port, with its data in a
 * directory of its own under {@code target/zookeeper/}. {@link #start()} returns once the server answers {@code srvr}
 * with "Mode: standalone" (it serves sessions; {@code ruok} answers even while a start is failing). It can be
 * stopped (SIGTERM), killed (SIGKILL) and started again on the same port and data; {@link #close()} stops it, and a
 * JVM shutdown hook kills it if a test leaves it running. Its output goes to {@link #logFile()}, kept after the run.
 *
 * <p>Not thread-safe: one test thread starts and stops it. The accessors are safe from any thread.
 */
public final class ZooKeeperServerProcess implements AutoCloseable {

    /** Upper bound for a start until the server answers. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** How long a SIGTERM may take before the server is killed. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final Path logFile;
    private final int port;
    private volatile Process process;

    private ZooKeeperServerProcess(Path dir, int port) {
        this.dir = dir;
        this.logFile = dir.resolve("zookeeper.log");
        this.port = port;
        Runtime.getRuntime().addShutdownHook(new Thread(this::killQuietly, "zookeeper-reaper-" + port));
    }

    /** A server on a free loopback port with an empty data directory; not started. */
    public static ZooKeeperServerProcess create(String name) throws IOException {
        Path work = Paths.get(System.getProperty("strata.itests.zookeeper", "target/zookeeper")).toAbsolutePath();
        Files.createDirectories(work);
        return new ZooKeeperServerProcess(Files.createTempDirectory(work, name + "-"), StrataContainer.freePort());
    }

    /** Starts the server (on the same port and data as before, if it ran) and waits until it answers. */
    public ZooKeeperServerProcess start() throws IOException, InterruptedException {
        if (isRunning()) {
            throw new IllegalStateException("ZooKeeper on port " + port + " is already running");
        }
        Path script = StrataContainer.distribution().resolve("bin/zookeeper");
        Files.writeString(logFile, "==== itests: start at " + Instant.now() + " ====\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(List.of("/bin/sh", script.toString(), "run",
                Integer.toString(port)))
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().remove("STRATA_HOME");
        builder.environment().put("ZOOKEEPER_DIR", dir.toString());
        process = builder.start();

        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!answers()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("ZooKeeper exited with code " + process.exitValue()
                        + " during its start.\n" + logTail(40));
            }
            if (System.nanoTime() > deadline) {
                killQuietly();
                throw new IllegalStateException("ZooKeeper did not answer on 127.0.0.1:" + port + " within "
                        + START_TIMEOUT + ".\n" + logTail(40));
            }
            Thread.sleep(100);
        }
        return this;
    }

    /** Whether the server answers {@code srvr} as a serving standalone server, within 2 s. */
    public boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return reply.contains("Mode: standalone");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * SIGTERM, then waits for the exit.
     *
     * @return true if it ended within {@link #STOP_TIMEOUT}; false if it had to be killed
     */
    public boolean stop() throws InterruptedException {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return true;
        }
        p.destroy();
        if (awaitExit(p, STOP_TIMEOUT)) {
            return true;
        }
        p.destroyForcibly();
        awaitExit(p, Duration.ofSeconds(10));
        return false;
    }

    /** SIGKILL, then waits (10 s at most) for the exit. */
    public void kill() throws InterruptedException {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        if (!awaitExit(p, Duration.ofSeconds(10))) {
            throw new IllegalStateException("ZooKeeper still alive 10 s after SIGKILL: pid " + p.pid());
        }
    }

    /** Stops it and starts it again on the same port and data. */
    public ZooKeeperServerProcess restart() throws IOException, InterruptedException {
        stop();
        return start();
    }

    private static boolean awaitExit(Process p, Duration timeout) throws InterruptedException {
        try {
            p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            killQuietly();
            Thread.currentThread().interrupt();
        }
    }

    private void killQuietly() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                awaitExit(p, Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** The server's process id (the JVM: bin/zookeeper execs it); -1 before the first start. */
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:<port>}. */
    public String connectString() {
        return "127.0.0.1:" + port;
    }

    /** A broker's {@code zookeeper.connect} for the chroot {@code chroot} (e.g. "/strata"). */
    public String connectString(String chroot) {
        return connectString() + chroot;
    }

    /** The server's directory: zoo.cfg, data/, zookeeper.log. */
    public Path dir() {
        return dir;
    }

    public Path logFile() {
        return logFile;
    }

    /** The last {@code lines} lines of the server's output, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return "---- last lines of " + logFile + " ----\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    @Override
    public String toString() {
        return "ZooKeeperServerProcess[127.0.0.1:" + port + ", " + dir + "]";
    }
}
