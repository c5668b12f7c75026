package dev.strata.itests;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs one of Kafka's own command-line tools (the classes behind {@code kafka-topics.sh}, {@code
 * kafka-delete-records.sh}, {@code kafka-log-dirs.sh}, {@code kafka-transactions.sh}; kafka-tools 4.1.1 from Maven
 * Central) in a child JVM on the test class path, as the shell scripts run them: what it prints on standard output
 * and its exit code are what an operator sees. Each run is bounded in time. Not thread-safe.
 */
final class KafkaTool {
    static final String TOPICS = "org.apache.kafka.tools.TopicCommand";
    static final String DELETE_RECORDS = "org.apache.kafka.tools.DeleteRecordsCommand";
    static final String LOG_DIRS = "org.apache.kafka.tools.LogDirsCommand";
    static final String TRANSACTIONS = "org.apache.kafka.tools.TransactionsCommand";
    static final String LEADER_ELECTION = "org.apache.kafka.tools.LeaderElectionCommand";

    private final ClientProcess process;

    KafkaTool(Path workDir) throws IOException {
        this.process = new ClientProcess(workDir, Map.of());
    }

    Path workDir() {
        return process.workDir();
    }

    /** Runs {@code mainClass} with {@code args}; fails the test if it does not end within a minute. */
    ClientProcess.Result run(String mainClass, String... args) throws IOException, InterruptedException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-cp", classPath, mainClass));
        command.addAll(List.of(args));
        return process.run(command, "", Duration.ofSeconds(60));
    }

    /** The non-empty lines of a run's standard output. */
    static List<String> lines(ClientProcess.Result result) {
        return result.stdout().lines().filter(l -> !l.isBlank()).toList();
    }
}
