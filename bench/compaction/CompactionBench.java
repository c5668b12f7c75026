import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Time to compact a log, measured from outside the broker the same way for Kafka and Strata: writes RECORDS records
 * of VALUE_BYTES over KEYS keys to a one-partition topic with cleanup.policy=delete (so nothing is cleaned while it
 * is written), then switches the topic to compact with IncrementalAlterConfigs and watches the partition's size
 * with DescribeLogDirs until it stops shrinking. Prints one RESULT line.
 *
 * <p>Run (Java 17 runs a single source file): {@code java -cp "/tmp/kafka-ref/lib/*"
 * bench/compaction/CompactionBench.java BOOTSTRAP LABEL}. Env: RECORDS (1048576), KEYS (100000), VALUE_BYTES (1024),
 * SEGMENT_BYTES (134217728), COMPRESSION (none).
 */
public class CompactionBench {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = "compact-" + args[1];
        long records = Long.parseLong(env("RECORDS", "1048576"));
        int keys = Integer.parseInt(env("KEYS", "100000"));
        int valueBytes = Integer.parseInt(env("VALUE_BYTES", "1024"));
        String segmentBytes = env("SEGMENT_BYTES", "134217728");
        String compression = env("COMPRESSION", "none");
        TopicPartition tp = new TopicPartition(topic, 0);
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(ap)) {
            // Both brokers wait log.cleaner.backoff.ms (15 s) between looks when idle: make it short for both.
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.BROKER, ""),
                    List.of(new AlterConfigOp(new ConfigEntry("log.cleaner.backoff.ms", "200"),
                            AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of(
                    "cleanup.policy", "delete", "segment.bytes", segmentBytes, "retention.ms", "-1"))))
                    .all().get(30, TimeUnit.SECONDS);
            Thread.sleep(1000); // let the leader be known before the first send (metadata refresh)
            long produceStart = System.nanoTime();
            produce(bootstrap, topic, records, keys, valueBytes, compression);
            double produceSec = (System.nanoTime() - produceStart) / 1e9;
            long before = size(admin, tp);
            System.out.printf("wrote %d records (%.1f MB on disk) over %d keys in %.1f s%n", records, before / 1e6,
                    keys, produceSec);

            long start = System.nanoTime();
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic),
                    List.of(new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"),
                            AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            long last = before;
            long lastChange = start;
            long deadline = start + TimeUnit.MINUTES.toNanos(10);
            // Done when the size has not moved for 10 s after it first moved.
            while (System.nanoTime() < deadline) {
                Thread.sleep(100);
                long now = size(admin, tp);
                if (now != last) {
                    last = now;
                    lastChange = System.nanoTime();
                } else if (last < before && System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(10)) {
                    break;
                }
            }
            double sec = (lastChange - start) / 1e9;
            System.out.printf("RESULT compaction label=%s before_mb=%.1f after_mb=%.1f seconds=%.2f "
                            + "cleaned_mb_per_s=%.1f%n", args[1], before / 1e6, last / 1e6, sec,
                    before / 1e6 / sec);
        }
    }

    private static void produce(String bootstrap, String topic, long records, int keys, int valueBytes,
                                String compression) {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "1", ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 65536, ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        AtomicLong failed = new AtomicLong();
        byte[] value = new byte[valueBytes];
        java.util.Random random = new java.util.Random(42);
        random.nextBytes(value); // incompressible, as perf.sh's payloads are not
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (long i = 0; i < records; i++) {
                byte[] key = ("key-" + random.nextInt(keys)).getBytes();
                producer.send(new ProducerRecord<>(topic, key, value), (md, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                    }
                });
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " sends failed");
        }
    }

    private static long size(Admin admin, TopicPartition tp) throws Exception {
        List<Integer> brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream()
                .map(n -> n.id()).toList();
        Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(brokers)
                .allDescriptions().get(30, TimeUnit.SECONDS);
        long total = 0;
        for (Map<String, LogDirDescription> byDir : dirs.values()) {
            for (LogDirDescription d : byDir.values()) {
                ReplicaInfo r = d.replicaInfos().get(tp);
                if (r != null) {
                    total += r.size();
                }
            }
        }
        return total;
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }
}
