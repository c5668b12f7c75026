package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    private final ClientProcess process;

    private Kcat(Path executable, StrataContainer container, ClientProcess process) {
        this.executable = executable;
        this.container = container;
        this.process = process;
    }

    /** A kcat for the container; fails the test, saying how to install it, when kcat is not on the PATH. */
    static Kcat forContainer(StrataContainer container) throws IOException {
        Path executable = ClientProcess.findOnPath("kcat");
        if (executable == null) {
            fail("kcat is not installed (not found on PATH=" + System.getenv("PATH") + "). The itests drive the"
                    + " container with kcat to show that librdkafka clients work: install it with"
                    + " `apt-get install kcat` (Debian/Ubuntu; .ci/run installs it on CI).");
        }
        Map<String, String> environment = new HashMap<>();
        environment.put("KCAT_CONFIG", null);
        ClientProcess process = new ClientProcess(container.home().resolve("kcat"), environment);
        Files.writeString(process.workDir().resolve("empty.conf"), "");
        return new Kcat(executable, container, process);
    }

    /**
     * Runs {@code kcat -b <container> <args>} with {@code stdin} as its input and returns its stdout; fails the test
     * if it does not exit with 0 within {@link #TIMEOUT} (killing it then).
     */
    String run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(executable.toString(),
                "-F", process.workDir().resolve("empty.conf").toString(), "-b", container.bootstrapServers()));
        command.addAll(List.of(args));
        ClientProcess.Result result = process.run(command, stdin, TIMEOUT);
        assertEquals(0, result.exitCode(), "exit code of " + String.join(" ", command) + "\n" + result.describe());
        return result.stdout();
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
}
