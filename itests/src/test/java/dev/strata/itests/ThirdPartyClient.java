package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A test client program on a third-party Kafka client library, run against one container: the newest librdkafka
 * ({@code src/test/c/rdkafka_client.c}) or KafkaJS ({@code src/test/js/kafkajs_client.js}). Both are built once
 * per machine by {@code clients/build.sh} into {@code target/clients} (from npm: librdkafka's source comes inside
 * {@code @confluentinc/kafka-javascript}); a failed build fails the test with the script's output, naming what is
 * missing. Each run is bounded by {@link #TIMEOUT}; its input and output are files under
 * {@code <container>/<client>/}.
 *
 * <p>Not thread-safe: one test thread uses an instance.
 */
final class ThirdPartyClient {

    /** Upper bound for one run; every client command bounds its own waits well below it. */
    static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(15);

    private static Path built; // guarded by ThirdPartyClient.class

    private final List<String> commandPrefix;
    private final ClientProcess process;

    private ThirdPartyClient(List<String> commandPrefix, ClientProcess process) {
        this.commandPrefix = commandPrefix;
        this.process = process;
    }

    /** librdkafka 2.15.1 through {@code rdkafka_client BOOTSTRAP ...}. */
    static ThirdPartyClient librdkafka(StrataContainer container) throws Exception {
        Path dir = build();
        return new ThirdPartyClient(List.of(dir.resolve("rdkafka_client").toString(), container.bootstrapServers()),
                new ClientProcess(container.home().resolve("librdkafka"), Map.of()));
    }

    /** KafkaJS 2.2.4 through {@code node kafkajs_client.js BOOTSTRAP ...}. */
    static ThirdPartyClient kafkajs(StrataContainer container) throws Exception {
        Path dir = build();
        Path node = ClientProcess.findOnPath("node");
        Path script = Path.of("src/test/js/kafkajs_client.js").toAbsolutePath();
        return new ThirdPartyClient(List.of(node.toString(), script.toString(), container.bootstrapServers()),
                new ClientProcess(container.home().resolve("kafkajs"),
                        Map.of("NODE_PATH", dir.resolve("node_modules").toString(),
                                "KAFKAJS_NO_PARTITIONER_WARNING", "1")));
    }

    /** Runs the client with {@code args}; fails the test unless it exits with 0. Returns what it printed. */
    List<String> run(String... args) throws IOException, InterruptedException {
        ClientProcess.Result result = runAllowingFailure(args);
        assertEquals(0, result.exitCode(), "exit code of " + String.join(" ", args) + "\n" + result.describe());
        return result.stdout().lines().toList();
    }

    ClientProcess.Result runAllowingFailure(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(commandPrefix);
        command.addAll(List.of(args));
        return process.run(command, "", TIMEOUT);
    }

    /** The lines of {@code output} that start with {@code word} and a space, without them. */
    static List<String> linesStartingWith(List<String> output, String word) {
        return output.stream().filter(l -> l.startsWith(word + " ")).map(l -> l.substring(word.length() + 1))
                .toList();
    }

    private static synchronized Path build() throws Exception {
        if (built != null) {
            return built;
        }
        Path dir = Path.of(System.getProperty("strata.itests.clients", "target/clients")).toAbsolutePath();
        Path script = Path.of("clients/build.sh").toAbsolutePath();
        for (String tool : List.of("bash", "npm", "node", "gcc", "make")) {
            if (ClientProcess.findOnPath(tool) == null) {
                fail(tool + " is not installed (not found on PATH=" + System.getenv("PATH") + "). The itests build"
                        + " librdkafka and KafkaJS from npm with npm, node, gcc, make and zlib's headers: on"
                        + " Debian/Ubuntu `apt-get install nodejs npm gcc make zlib1g-dev` (.ci/run does it on CI).");
            }
        }
        ClientProcess process = new ClientProcess(Files.createDirectories(dir).resolve("build-runs"), Map.of());
        ClientProcess.Result result = process.run(List.of("bash", script.toString(), dir.toString()), "",
                BUILD_TIMEOUT);
        assertEquals(0, result.exitCode(), "building the third-party clients with " + script + " failed\n"
                + result.describe());
        built = dir;
        return dir;
    }
}
