package dev.strata.itests;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A cluster of {@link StrataContainer}s on one {@link ZooKeeperServerProcess}: member {@code i} (1..N) is a container
 * with {@code broker.id=i}, {@code zookeeper.connect=127.0.0.1:<zk port>/<chroot>} and the test's broker settings,
 * on its own free ports and data directory. Members can be started, stopped (SIGTERM), killed (SIGKILL), paused
 * (SIGSTOP) and resumed (SIGCONT) one by one; a restart reuses the member's directory and ports. {@link #close()}
 * resumes paused members and stops every container it made (ZooKeeper belongs to the caller).
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class StrataCluster implements AutoCloseable {

    private final String name;
    private final ZooKeeperServerProcess zookeeper;
    private final String chroot;
    private final Map<String, String> brokerSettings;
    private final Map<Integer, StrataContainer> members = new LinkedHashMap<>();
    private final List<StrataContainer> others = new ArrayList<>();
    private final Set<Integer> paused = new HashSet<>();

    private StrataCluster(String name, ZooKeeperServerProcess zookeeper, String chroot,
                          Map<String, String> brokerSettings) {
        this.name = name;
        this.zookeeper = zookeeper;
        this.chroot = chroot;
        this.brokerSettings = Map.copyOf(brokerSettings);
    }

    /** Makes (does not start) {@code brokers} members with ids 1..brokers and {@code brokerSettings} each. */
    public static StrataCluster create(String name, ZooKeeperServerProcess zookeeper, int brokers,
                                       Map<String, String> brokerSettings) throws IOException {
        StrataCluster cluster = new StrataCluster(name, zookeeper, "/" + name, brokerSettings);
        for (int id = 1; id <= brokers; id++) {
            cluster.members.put(id, cluster.container(id));
        }
        return cluster;
    }

    /**
     * A container configured as a member with {@code brokerId} (which may be a member's id already) but not part of
     * the cluster's members: for a broker that must be refused. Stopped by {@link #close()}.
     */
    public StrataContainer extraContainer(int brokerId) throws IOException {
        StrataContainer container = container(brokerId);
        others.add(container);
        return container;
    }

    private StrataContainer container(int brokerId) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>(brokerSettings);
        settings.put("broker.id", Integer.toString(brokerId));
        settings.put("zookeeper.connect", zookeeper.connectString(chroot));
        return StrataContainer.create(name + "-broker" + brokerId).withBrokerSettings(settings);
    }

    /** Starts every member that is not running, in parallel, and waits until each answers on its Kafka port. */
    public StrataCluster startAll() throws Exception {
        List<StrataContainer> stopped = members.values().stream().filter(c -> !c.isRunning()).toList();
        ExecutorService starter = Executors.newFixedThreadPool(Math.max(1, stopped.size()));
        try {
            List<Future<StrataContainer>> starts = new ArrayList<>();
            for (StrataContainer c : stopped) {
                starts.add(starter.submit(c::start));
            }
            for (Future<StrataContainer> start : starts) {
                try {
                    start.get(StrataContainer.START_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw new IllegalStateException(name + ": a member did not start", e.getCause());
                }
            }
        } finally {
            starter.shutdownNow();
        }
        return this;
    }

    /** Starts member {@code id} again (same directory, ports and data) and waits until it answers. */
    public StrataContainer start(int id) throws IOException, InterruptedException {
        return member(id).start();
    }

    /** SIGTERM to member {@code id}; true if it exited by itself within {@link StrataContainer#STOP_TIMEOUT}. */
    public boolean stop(int id) throws InterruptedException {
        return member(id).stop();
    }

    /** SIGKILL to member {@code id}. */
    public void kill(int id) throws InterruptedException {
        paused.remove(id);
        member(id).kill();
    }

    /** SIGSTOP to member {@code id}: the JVM freezes (no heartbeats, no answers) until {@link #resume(int)}. */
    public void pause(int id) throws IOException, InterruptedException {
        signal(id, "STOP");
        paused.add(id);
    }

    /** SIGCONT to member {@code id}. */
    public void resume(int id) throws IOException, InterruptedException {
        signal(id, "CONT");
        paused.remove(id);
    }

    private void signal(int id, String signal) throws IOException, InterruptedException {
        StrataContainer member = member(id);
        if (!member.isRunning()) {
            throw new IllegalStateException("broker " + id + " is not running");
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(member.pid()))
                .redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new IllegalStateException("kill -" + signal + " " + member.pid() + " failed: "
                    + new String(kill.getInputStream().readAllBytes()));
        }
    }

    public StrataContainer member(int id) {
        StrataContainer member = members.get(id);
        if (member == null) {
            throw new IllegalArgumentException("no broker " + id + " in " + name + " (brokers " + members.keySet() + ")");
        }
        return member;
    }

    public Collection<StrataContainer> members() {
        return members.values();
    }

    public Set<Integer> brokerIds() {
        return members.keySet();
    }

    /** Every member's Kafka address, comma-separated. */
    public String bootstrapServers() {
        return members.values().stream().map(StrataContainer::bootstrapServers).collect(Collectors.joining(","));
    }

    /** The broker id of the member listening on {@code port}; -1 if none. */
    public int brokerIdByPort(int port) {
        return members.entrySet().stream().filter(e -> e.getValue().kafkaPort() == port).map(Map.Entry::getKey)
                .findFirst().orElse(-1);
    }

    public ZooKeeperServerProcess zookeeper() {
        return zookeeper;
    }

    /** Resumes paused members, then stops every container (members and extras), SIGKILL past the stop timeout. */
    @Override
    public void close() {
        for (int id : new ArrayList<>(paused)) {
            try {
                resume(id);
            } catch (Exception e) {
                System.err.println("WARNING: cannot resume broker " + id + ": " + e);
            }
        }
        List<StrataContainer> all = new ArrayList<>(members.values());
        all.addAll(others);
        // In parallel: each stop may wait for a controlled shutdown.
        ExecutorService stopper = Executors.newFixedThreadPool(Math.max(1, all.size()));
        try {
            List<Future<?>> stops = new ArrayList<>();
            all.forEach(c -> stops.add(stopper.submit(c::close)));
            for (Future<?> stop : stops) {
                try {
                    stop.get(StrataContainer.STOP_TIMEOUT.plus(Duration.ofSeconds(20)).toSeconds(), TimeUnit.SECONDS);
                } catch (Exception e) {
                    System.err.println("WARNING: " + name + ": a member did not stop: " + e);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("WARNING: " + name + ": " + e);
        } finally {
            stopper.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "StrataCluster[" + name + ", " + zookeeper.connectString(chroot) + ", brokers " + members.keySet() + "]";
    }
}
