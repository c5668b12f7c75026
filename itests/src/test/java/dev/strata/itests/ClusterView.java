package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * What a cluster looks like to stock kafka-clients (Admin's describeCluster and describeTopics, a consumer's Metadata),
 * and polling with a deadline until it looks as a test expects. Stateless; thread-safe.
 */
final class ClusterView {
    private static final Duration POLL = Duration.ofMillis(200);

    private ClusterView() {
    }

    /** An Admin client bootstrapped with {@code bootstrapServers} (one broker or several). */
    static Admin admin(String bootstrapServers) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "itests-cluster-admin");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.METADATA_MAX_AGE_CONFIG, 1_000);
        return Admin.create(props);
    }

    /**
     * Polls {@code condition} until it is true or {@code timeout} passes; an exception counts as "not yet". Fails the
     * test naming {@code what} and the last state {@code describe} gives.
     *
     * @return how long it took
     */
    static Duration await(String what, Duration timeout, Callable<Boolean> condition, Callable<Object> describe)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Object last = null;
        while (true) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                Object state;
                try {
                    state = describe.call();
                } catch (Exception e) {
                    state = e;
                }
                fail(what + ": not so after " + timeout + "; now: " + state + (last == null ? "" : "; last error: "
                        + last));
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** The controller's broker id as Admin describes the cluster; -1 when none is reported. */
    static int controller(Admin admin) throws Exception {
        Node node = admin.describeCluster().controller().get(20, TimeUnit.SECONDS);
        return node == null || node.isEmpty() ? -1 : node.id();
    }

    /** The ids of the brokers Admin describes. */
    static Set<Integer> brokers(Admin admin) throws Exception {
        DescribeClusterResult result = admin.describeCluster();
        return result.nodes().get(20, TimeUnit.SECONDS).stream().map(Node::id).collect(Collectors.toSet());
    }

    static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS).get(topic);
    }

    /** Partition -> leader id (-1 without a leader). */
    static Map<Integer, Integer> leaders(Admin admin, String topic) throws Exception {
        Map<Integer, Integer> leaders = new TreeMap<>();
        for (TopicPartitionInfo p : describe(admin, topic).partitions()) {
            leaders.put(p.partition(), p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id());
        }
        return leaders;
    }

    /** Partition -> assigned replicas (the first is the preferred leader). */
    static Map<Integer, List<Integer>> replicas(Admin admin, String topic) throws Exception {
        Map<Integer, List<Integer>> replicas = new TreeMap<>();
        for (TopicPartitionInfo p : describe(admin, topic).partitions()) {
            replicas.put(p.partition(), p.replicas().stream().map(Node::id).toList());
        }
        return replicas;
    }

    /** Leader id -> how many partitions of {@code topic} it leads. */
    static Map<Integer, Long> leadershipCounts(Admin admin, String topic) throws Exception {
        return leaders(admin, topic).values().stream()
                .collect(Collectors.groupingBy(id -> id, TreeMap::new, Collectors.counting()));
    }

    /** The partitions as a consumer's Metadata request reports them (leader, replicas, ISR, offline replicas). */
    static List<PartitionInfo> metadata(String bootstrapServers, String topic) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "itests-cluster-metadata");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer())) {
            return consumer.partitionsFor(topic, Duration.ofSeconds(20));
        }
    }

    static List<Integer> ids(Node[] nodes) {
        return nodes == null ? List.of() : java.util.Arrays.stream(nodes).map(Node::id).toList();
    }

    /** Creates a topic (placed by the cluster) and waits until every partition has a leader. */
    static void createTopic(Admin admin, String topic, int partitions, short replicationFactor) throws Exception {
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor))).all()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            fail("create " + topic + " (" + partitions + " partitions, RF " + replicationFactor + "): " + e.getCause());
        }
        awaitOnline(admin, topic, partitions, Duration.ofSeconds(30));
    }

    /** Waits until {@code topic} has {@code partitions} partitions, each with a leader. */
    static void awaitOnline(Admin admin, String topic, int partitions, Duration timeout) throws Exception {
        await(topic + ": " + partitions + " partitions with leaders", timeout, () -> {
            Map<Integer, Integer> leaders = leaders(admin, topic);
            return leaders.size() == partitions && !leaders.containsValue(-1);
        }, () -> leaders(admin, topic));
    }

    /** Waits until Admin sees exactly {@code expected} brokers and some controller. */
    static void awaitBrokers(Admin admin, Collection<Integer> expected, Duration timeout) throws Exception {
        await("brokers " + expected + " registered with a controller", timeout,
                () -> brokers(admin).equals(Set.copyOf(expected)) && controller(admin) >= 0,
                () -> "brokers " + brokers(admin) + ", controller " + controller(admin));
    }
}
