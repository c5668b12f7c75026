package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs client programs (kcat, the librdkafka and KafkaJS test clients) to completion, each run bounded in time and
 * killed when it passes it. Standard input, output and error of run N are the files {@code N.in}, {@code N.out} and
 * {@code N.err} under the work directory, kept for diagnosis.
 *
 * <p>Not thread-safe: one test thread uses an instance.
 */
final class ClientProcess {

    /** What a finished run printed and how it exited. */
    record Result(int exitCode, String stdout, String describe) {
    }

    private final Path workDir;
    private final Map<String, String> environment;
    private final AtomicInteger runs = new AtomicInteger();

    /** @param environment variables set for every run; a null value removes the variable */
    ClientProcess(Path workDir, Map<String, String> environment) throws IOException {
        this.workDir = Files.createDirectories(workDir);
        this.environment = environment;
    }

    Path workDir() {
        return workDir;
    }

    /** Runs {@code command} with {@code stdin} as input; fails the test (killing the process) after {@code timeout}. */
    Result run(List<String> command, String stdin, Duration timeout) throws IOException, InterruptedException {
        int run = runs.incrementAndGet();
        Path in = workDir.resolve(run + ".in");
        Path out = workDir.resolve(run + ".out");
        Path err = workDir.resolve(run + ".err");
        Files.writeString(in, stdin, StandardCharsets.UTF_8);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectInput(in.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        environment.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            fail(String.join(" ", command) + " did not finish within " + timeout + " (killed)\n" + describe(out, err));
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), describe(out, err));
    }

    /** The executable {@code name} on the PATH, or null. */
    static Path findOnPath(String name) {
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

    private static String describe(Path out, Path err) throws IOException {
        return "---- stderr (" + err + ") ----\n" + tail(err) + "\n---- stdout (" + out + ") ----\n" + tail(out);
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1); // any bytes: it is only shown
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
