package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ZooKeeper server the distribution ships ({@code lib/zookeeper/}, {@code bin/zookeeper}) runs standalone on
 * loopback, stops on SIGTERM, dies on SIGKILL and starts again on the same port and data; a container configured
 * with {@code zookeeper.connect} and a broker.id starts against it, and Gogo {@code strata:cluster} shows it.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ZooKeeperDistributionIT {

    @Test
    void theShippedServerStartsStopsDiesAndRestartsOnItsPortAndData() throws Exception {
        Path lib = StrataContainer.distribution().resolve("lib/zookeeper");
        try (Stream<Path> jars = Files.list(lib)) {
            List<String> names = jars.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("zookeeper-3.9.5")), "ZooKeeper in " + lib + ": " + names);
        }
        assertTrue(Files.isExecutable(StrataContainer.distribution().resolve("bin/zookeeper")));
        assertTrue(Files.isExecutable(StrataContainer.distribution().resolve("bin/cluster")));

        try (ZooKeeperServerProcess zookeeper = ZooKeeperServerProcess.create("zk-lifecycle")) {
            zookeeper.start();
            assertTrue(zookeeper.answers());
            String config = Files.readString(zookeeper.dir().resolve("zoo.cfg"));
            assertTrue(config.contains("clientPortAddress=127.0.0.1") && config.contains("admin.enableServer=false")
                    && config.contains("clientPort=" + zookeeper.port()), config);
            Path data = zookeeper.dir().resolve("data/version-2");
            assertTrue(Files.isDirectory(data), "ZooKeeper's data in " + data);

            assertTrue(zookeeper.stop(), "ZooKeeper ends on SIGTERM");
            assertFalse(zookeeper.isRunning());
            assertFalse(zookeeper.answers(), "no answer once stopped");

            zookeeper.start(); // same port, same data
            assertTrue(zookeeper.answers());
            zookeeper.kill();
            assertFalse(zookeeper.answers(), "no answer once killed");
            zookeeper.restart();
            assertTrue(zookeeper.answers(), zookeeper.logTail(20));
            assertFalse(Files.readString(zookeeper.logFile()).contains("Exception"), zookeeper.logTail(40));
        }
    }

    @Test
    void binClusterStartsZooKeeperAndTwoBrokersPrintsThemAndStopsThem() throws Exception {
        StrataContainer copy = StrataContainer.create("bin-cluster"); // an installation of its own, never started
        Path script = copy.home().resolve("bin/cluster");
        int kafka = consecutiveFreePorts(2);
        int http = consecutiveFreePorts(2);
        int zk = StrataContainer.freePort();
        Map<String, String> environment = new java.util.HashMap<>();
        environment.put("STRATA_HOME", null);
        environment.put("STRATA_CLUSTER_DIR", null);
        environment.put("KAFKA_PORT", Integer.toString(kafka));
        environment.put("HTTP_PORT", Integer.toString(http));
        environment.put("ZOOKEEPER_PORT", Integer.toString(zk));
        environment.put("STRATA_HEAP_OPTS", "-Xmx512m -XX:MaxDirectMemorySize=256m");
        ClientProcess shell = new ClientProcess(copy.home().resolve("bin-cluster-runs"), environment);
        try {
            ClientProcess.Result start = shell.run(List.of("/bin/sh", script.toString(), "start", "2"), "",
                    Duration.ofSeconds(180));
            assertEquals(0, start.exitCode(), start.describe());
            assertTrue(start.stdout().contains("Bootstrap servers: 127.0.0.1:" + kafka + ",127.0.0.1:" + (kafka + 1)),
                    start.describe());
            assertTrue(start.stdout().contains("ZooKeeper running on 127.0.0.1:" + zk), start.describe());
            for (int id = 1; id <= 2; id++) {
                Path instance = copy.home().resolve("cluster/broker-" + id);
                String broker = Files.readString(instance.resolve("etc/dev.strata.broker.cfg"));
                assertTrue(broker.contains("broker.id = " + id + "\n")
                        && broker.contains("zookeeper.connect = 127.0.0.1:" + zk + "/strata\n")
                        && broker.contains("log.dirs = " + instance.resolve("data") + "\n"), broker);
                assertTrue(start.stdout().contains("broker " + id + "  kafka 127.0.0.1:" + (kafka + id - 1)
                        + "  console http://127.0.0.1:" + (http + id - 1) + "/system/console  running"), start.stdout());
                try (RawKafkaConnection connection = RawKafkaConnection.open(kafka + id - 1, Duration.ofSeconds(5))) {
                    assertEquals(0, connection.apiVersions().errorCode(), "broker " + id + " answers ApiVersions");
                }
            }
            // A killed broker comes back with a second start, which leaves the running one alone.
            long killed = Long.parseLong(Files.readString(copy.home().resolve("cluster/broker-2/strata.pid")).trim());
            ProcessHandle broker2 = ProcessHandle.of(killed).orElseThrow();
            broker2.destroyForcibly();
            broker2.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            ClientProcess.Result again = shell.run(List.of("/bin/sh", script.toString(), "start", "2"), "",
                    Duration.ofSeconds(180));
            assertEquals(0, again.exitCode(), again.describe());
            assertTrue(again.stdout().contains("broker 1 already runs"), again.describe());
            assertTrue(again.stdout().contains("broker 2  kafka 127.0.0.1:" + (kafka + 1)) && again.stdout()
                    .contains("running (pid " + Files.readString(copy.home().resolve("cluster/broker-2/strata.pid"))
                            .trim() + ")"), again.describe());
            try (RawKafkaConnection connection = RawKafkaConnection.open(kafka + 1, Duration.ofSeconds(5))) {
                assertEquals(0, connection.apiVersions().errorCode(), "broker 2 answers ApiVersions again");
            }
        } finally {
            ClientProcess.Result stop = shell.run(List.of("/bin/sh", script.toString(), "stop"), "",
                    Duration.ofSeconds(120));
            assertEquals(0, stop.exitCode(), stop.describe());
        }
        ClientProcess.Result status = shell.run(List.of("/bin/sh", script.toString(), "status"), "",
                Duration.ofSeconds(60));
        assertTrue(status.stdout().contains("broker 1 ") && status.stdout().contains("broker 2 ")
                && !status.stdout().contains("running (pid") && status.stdout().contains("ZooKeeper is not running"),
                status.describe());
    }

    /** The first of {@code count} consecutive ports free on loopback now. */
    private static int consecutiveFreePorts(int count) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first = StrataContainer.freePort();
            boolean free = true;
            for (int p = first + 1; p < first + count && free; p++) {
                try (java.net.ServerSocket socket = new java.net.ServerSocket(p, 1,
                        java.net.InetAddress.getLoopbackAddress())) {
                    socket.getLocalPort();
                } catch (java.io.IOException e) {
                    free = false;
                }
            }
            if (free && first + count <= 65535) {
                return first;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports");
    }

    @Test
    void aContainerWithZooKeeperConnectStartsAndStrataClusterShowsIt() throws Exception {
        try (ZooKeeperServerProcess zookeeper = ZooKeeperServerProcess.create("zk-one").start();
             StrataCluster cluster = StrataCluster.create("one", zookeeper, 1,
                     Map.of("zookeeper.session.timeout.ms", "6000"))) {
            cluster.startAll();
            StrataContainer broker = cluster.member(1);
            assertTrue(broker.pid() > 0);
            try (Admin admin = ClusterView.admin(broker.bootstrapServers())) {
                ClusterView.awaitBrokers(admin, List.of(1), Duration.ofSeconds(60));
                ClusterView.createTopic(admin, "shown", 2, (short) 1);
                assertEquals(1, ClusterView.controller(admin));
            }
            String out = broker.gogo("strata:cluster shown");
            List<String> lines = out.lines().toList();
            assertTrue(lines.stream().anyMatch(l -> l.matches("Cluster \\S+: 1 live broker\\(s\\), controller 1; this is "
                    + "broker 1")), out);
            assertTrue(lines.stream().anyMatch(l -> l.matches("1\\s+(-|127\\.0\\.0\\.1:" + broker.kafkaPort()
                    + ")\\s+-\\s+controller, this broker")), out);
            assertTrue(lines.stream().anyMatch(l -> l.matches("shown-0\\s+1\\s+\\d+\\s+\\[1]\\s+\\[1]\\s+-")), out);
            assertTrue(lines.stream().anyMatch(l -> l.matches("shown-1\\s+1\\s+\\d+\\s+\\[1]\\s+\\[1]\\s+-")), out);
            assertTrue(out.contains("2 partition(s) in 1 topic(s): 0 without a leader"), out);
        }
    }
}
