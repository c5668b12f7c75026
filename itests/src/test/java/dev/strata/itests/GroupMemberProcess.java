package dev.strata.itests;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A group member in a child JVM, so a test can kill it for real (SIGKILL: no LeaveGroup, no more heartbeats).
 * {@link #main} runs the member and reports on stdout, one line per event: {@code MEMBER <id>} after its first
 * assignment, {@code ASSIGNED <p>,<p>...} on every assignment, {@code PROCESSED <partition> <offset>} for each
 * record once its commit succeeded. The outer class is the test side: it starts the JVM with the test class path
 * and follows those lines. Thread-safe (test side): the reader thread publishes through concurrent structures.
 */
final class GroupMemberProcess implements AutoCloseable {

    /** The processed records as the child reported them. */
    record Processed(int partition, long offset) {
    }

    private final Process process;
    private final Thread reader;
    private final AtomicReference<Set<Integer>> assignment = new AtomicReference<>(Set.of());
    private final AtomicReference<String> memberId = new AtomicReference<>();
    private final List<Processed> processed = new CopyOnWriteArrayList<>();

    private GroupMemberProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::follow, "group-member-process-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code java -cp <test class path> GroupMemberProcess ...}; its stderr goes to {@code stderrFile}. */
    static GroupMemberProcess start(StrataContainer container, String group, String topic, int sessionTimeoutMs,
                                    Path stderrFile) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx128m", "-cp", classPath,
                GroupMemberProcess.class.getName(), container.bootstrapServers(), group, topic,
                Integer.toString(sessionTimeoutMs)));
        Process p = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()))
                .start();
        return new GroupMemberProcess(p);
    }

    private void follow() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] parts = line.split(" ");
                switch (parts[0]) {
                    case "MEMBER" -> memberId.set(parts[1]);
                    case "ASSIGNED" -> {
                        Set<Integer> ids = new TreeSet<>();
                        if (parts.length > 1 && !parts[1].isEmpty()) {
                            for (String p : parts[1].split(",")) {
                                ids.add(Integer.parseInt(p));
                            }
                        }
                        assignment.set(Set.copyOf(ids));
                    }
                    case "PROCESSED" -> processed.add(new Processed(Integer.parseInt(parts[1]),
                            Long.parseLong(parts[2])));
                    default -> { }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended
        }
    }

    Set<Integer> assignment() {
        return assignment.get();
    }

    /** The member id the coordinator gave it, null until its first assignment. */
    String memberId() {
        return memberId.get();
    }

    List<Processed> processed() {
        return List.copyOf(processed);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the member gets no chance to leave the group. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
        reader.join(5000);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                kill();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The child: {@code <bootstrap> <group> <topic> <session.timeout.ms>}. */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, args[1]);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "child-member");
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, args[3]);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(args[2]), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    out.println("ASSIGNED ");
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    List<String> ids = consumer.assignment().stream().map(tp -> Integer.toString(tp.partition()))
                            .sorted().toList();
                    out.println("MEMBER " + consumer.groupMetadata().memberId());
                    out.println("ASSIGNED " + String.join(",", ids));
                }
            });
            while (true) {
                List<ConsumerRecord<String, String>> batch = new ArrayList<>();
                consumer.poll(Duration.ofMillis(100)).forEach(batch::add);
                if (!batch.isEmpty()) {
                    consumer.commitSync();
                    batch.forEach(r -> out.println("PROCESSED " + r.partition() + " " + r.offset()));
                }
            }
        }
    }
}
