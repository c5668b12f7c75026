import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Controller failover time of a running cluster, measured from outside as a client sees it: finds the controller
 * (DescribeCluster), SIGKILLs its process, then times (1) until DescribeCluster names another controller and (2)
 * until a CreateTopics succeeds; then restarts the killed broker with RESTART_CMD and waits until it is registered
 * again. Repeats ROUNDS times and prints one RESULT line per round and a summary.
 *
 * <p>Run from the Strata home of a {@code bin/cluster start 3} (Java 17 runs a single source file):
 * {@code java -cp "<kafka-tools lib>/*" bench/cluster/ControllerFailoverBench.java BOOTSTRAP CLUSTER_DIR}, where
 * {@code CLUSTER_DIR/broker-<id>/strata.pid} holds each broker's process id (as {@code bin/cluster} writes it) and
 * the lib directory is the one {@code ../shared/bench/fetch-kafka.sh} fills.
 * Env: ROUNDS (5), RESTART_CMD (a shell command, {@code {n}} standing for the number of brokers; default
 * {@code bin/cluster start {n}}, which starts only the brokers that do not run).
 */
public class ControllerFailoverBench {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        Path clusterDir = Path.of(args[1]);
        int rounds = Integer.parseInt(env("ROUNDS", "5"));
        String restart = env("RESTART_CMD", "bin/cluster start {n}");
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        ap.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        ap.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        ap.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "20");
        ap.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "50");
        List<Double> electedMs = new ArrayList<>();
        List<Double> createMs = new ArrayList<>();
        try (Admin admin = Admin.create(ap)) {
            int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
            for (int round = 1; round <= rounds; round++) {
                int controller = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
                long pid = Long.parseLong(Files.readString(clusterDir.resolve("broker-" + controller).resolve("strata.pid")).trim());
                long killed = System.nanoTime();
                ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid))
                        .destroyForcibly();
                double elected = -1;
                double created = -1;
                String topic = "failover-" + ProcessHandle.current().pid() + "-" + round;
                while ((elected < 0 || created < 0) && System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(120)) {
                    if (elected < 0) {
                        try {
                            var node = admin.describeCluster().controller().get(3, TimeUnit.SECONDS);
                            if (node != null && node.id() != controller) {
                                elected = (System.nanoTime() - killed) / 1e6;
                            }
                        } catch (Exception e) {
                            // no answer yet: the bootstrap broker may be the dead one
                        }
                    }
                    if (created < 0) {
                        try {
                            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all()
                                    .get(3, TimeUnit.SECONDS);
                            created = (System.nanoTime() - killed) / 1e6;
                        } catch (Exception e) {
                            if (String.valueOf(e.getMessage()).contains("already exists")) {
                                created = (System.nanoTime() - killed) / 1e6;
                            }
                        }
                    }
                }
                System.out.printf("RESULT round=%d killed_controller=%d new_controller_ms=%.0f first_create_ms=%.0f%n",
                        round, controller, elected, created);
                electedMs.add(elected);
                createMs.add(created);
                Process p = new ProcessBuilder("sh", "-c", restart.replace("{n}", Integer.toString(brokers)))
                        .inheritIO().start();
                p.waitFor(120, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (System.nanoTime() < deadline) {
                    try {
                        if (admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size() == brokers) {
                            break;
                        }
                    } catch (Exception e) {
                        // keep asking
                    }
                    Thread.sleep(Duration.ofMillis(200).toMillis()); // polling interval while the broker restarts
                }
            }
        }
        System.out.printf("SUMMARY rounds=%d new_controller_ms median=%.0f max=%.0f first_create_ms median=%.0f "
                + "max=%.0f%n", rounds, median(electedMs), max(electedMs), median(createMs), max(createMs));
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(-1);
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }
}
