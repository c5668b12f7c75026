package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Runs kcat (the command line client built on librdkafka, Debian package {@code kcat}) against a container. Every
 * run is bounded by {@link #TIMEOUT} and killed when it passes it; stdin, stdout and stderr of each run are files
 * under {@code <container>/kcat/} (kept for diagnosis). kcat reads no configuration of the caller's: each run gets
 * an empty {@code -F} file.
 *
 * <p>Not thread-safe: one test thread runs it.
 */
final class Kcat {

    /** Upper bound for one kcat run. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Output format for consumed records: partition, offset, key and value, one record a line. */
    static final String RECORD_FORMAT = "%p|%o|%k|%s\\n";

    private final Path executable;
    private final StrataContainer container;
    private final Path workDir;
    private final AtomicInteger runs = new AtomicInteger();

    private Kcat(Path executable, StrataContainer container, Path workDir) {
        this.executable = executable;
        this.container = container;
        this.workDir = workDir;
    }

    /** A kcat for the container; fails the test, saying how to install it, when kcat is not on the PATH. */
    static Kcat forContainer(StrataContainer container) throws IOException {
        Path executable = findOnPath("kcat");
        if (executable == null) {
            fail("kcat is not installed (not found on PATH=" + System.getenv("PATH") + "). The itests drive the"
                    + " container with kcat to show that librdkafka clients work: install it with"
                    + " `apt-get install kcat` (Debian/Ubuntu; .ci/run installs it on CI).");
        }
        Path workDir = Files.createDirectories(container.home().resolve("kcat"));
        Files.writeString(workDir.resolve("empty.conf"), "");
        return new Kcat(executable, container, workDir);
    }

    private static Path findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /**
     * Runs {@code kcat -b <container> <args>} with {@code stdin} as its input and returns its stdout; fails the test
     * if it does not exit with 0 within {@link #TIMEOUT} (killing it then).
     */
    String run(String stdin, String... args) throws IOException, InterruptedException {
        int run = runs.incrementAndGet();
        Path in = workDir.resolve(run + ".in");
        Path out = workDir.resolve(run + ".out");
        Path err = workDir.resolve(run + ".err");
        Files.writeString(in, stdin, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of(executable.toString(),
                "-F", workDir.resolve("empty.conf").toString(), "-b", container.bootstrapServers()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectInput(in.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().remove("KCAT_CONFIG");
        Process process = builder.start();
        if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            fail("kcat did not finish within " + TIMEOUT + " (killed): " + String.join(" ", command) + "\n"
                    + describe(out, err));
        }
        assertEquals(0, process.exitValue(), "exit code of " + String.join(" ", command) + "\n" + describe(out, err));
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** Consumed records printed with {@link #RECORD_FORMAT}, as kafka-clients records of {@code topic}. */
    static List<ConsumerRecord<String, String>> parseRecords(String topic, String output) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split("\\|", 4);
            if (fields.length != 4) {
                fail("kcat printed a line that is not partition|offset|key|value: " + line);
            }
            records.add(new ConsumerRecord<>(topic, Integer.parseInt(fields[0]), Long.parseLong(fields[1]),
                    fields[2], fields[3]));
        }
        return records;
    }

    private static String describe(Path out, Path err) throws IOException {
        return "---- stderr (" + err + ") ----\n" + tail(err) + "\n---- stdout (" + out + ") ----\n" + tail(out);
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1); // any bytes: it is only shown
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
