package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Stock kafka-clients set up against a container. Consumers use manual assignment and no group, so the tests need
 * nothing from the broker beyond produce, fetch, list offsets, metadata and topic admin. Stateless; thread-safe.
 */
public final class Clients {

    private Clients() {
    }

    public static Admin admin(StrataContainer container) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, container.bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "itests-admin");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        return Admin.create(props);
    }

    /** A producer with kafka-clients' defaults (idempotent, acks=all) plus {@code overrides}. */
    public static KafkaProducer<String, String> producer(StrataContainer container, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, container.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "itests-producer");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        props.putAll(overrides);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    public static KafkaProducer<String, String> producer(StrataContainer container) {
        return producer(container, Map.of());
    }

    /** A consumer without a group (manual assignment, no commits) plus {@code overrides}. */
    public static KafkaConsumer<String, String> consumer(StrataContainer container, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, container.bootstrapServers());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "itests-consumer");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        props.putAll(overrides);
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    public static KafkaConsumer<String, String> consumer(StrataContainer container) {
        return consumer(container, Map.of());
    }

    /**
     * Creates a topic and waits until metadata shows a leader for each partition, so that the first produce does not
     * race the broker's own set-up of the partitions.
     */
    public static void createTopic(Admin admin, String topic, int partitions) throws Exception {
        createTopic(admin, topic, partitions, Map.of());
    }

    /** As {@link #createTopic(Admin, String, int)} with topic configs ({@code segment.bytes}...). */
    public static void createTopic(Admin admin, String topic, int partitions, Map<String, String> configs)
            throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all()
                .get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "not described";
        while (System.nanoTime() < deadline) {
            try {
                TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get(topic);
                last = description.toString();
                if (description.partitions().size() == partitions
                        && description.partitions().stream().allMatch(p -> p.leader() != null)) {
                    return;
                }
            } catch (ExecutionException e) {
                last = e.getCause().toString(); // e.g. not yet known right after creation
            }
            Thread.sleep(100);
        }
        fail("topic " + topic + " created but its " + partitions + " partitions have no leaders after 30 s: " + last);
    }

    public static List<TopicPartition> partitions(String topic, int count) {
        return IntStream.range(0, count).mapToObj(p -> new TopicPartition(topic, p)).collect(Collectors.toList());
    }

    /**
     * Reads every record of the given partitions from the beginning up to the end offsets as they are when the read
     * starts, in fetch order.
     */
    public static List<ConsumerRecord<String, String>> readAll(StrataContainer container,
                                                               Collection<TopicPartition> partitions,
                                                               Duration timeout) {
        try (KafkaConsumer<String, String> consumer = consumer(container)) {
            return readAll(consumer, partitions, timeout);
        }
    }

    /** As {@link #readAll(StrataContainer, Collection, Duration)} with an existing consumer. */
    public static List<ConsumerRecord<String, String>> readAll(KafkaConsumer<String, String> consumer,
                                                               Collection<TopicPartition> partitions,
                                                               Duration timeout) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reached(consumer, end)) {
            if (System.nanoTime() > deadline) {
                Map<TopicPartition, Long> positions = new HashMap<>();
                partitions.forEach(tp -> positions.put(tp, consumer.position(tp)));
                fail("Read " + records.size() + " records in " + timeout + " but did not reach end offsets " + end
                        + "; positions " + positions);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }

    private static boolean reached(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    /** Polls until {@code count} records arrived or the timeout passed; returns what arrived. */
    public static List<ConsumerRecord<String, String>> poll(KafkaConsumer<String, String> consumer, int count,
                                                            Duration timeout) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (records.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    /** The offsets {@code group} has committed, per partition. */
    public static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                .forEach((tp, o) -> out.put(tp, o.offset()));
        return out;
    }
}
