package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kafka-clients against the real stack (segment store, broker, group coordinator) through this server: records
 * served zero-copy from real segment files, and consumer groups with committed offsets.
 */
class RealStackTest {
    @TempDir
    Path dir;

    private RealStack stack;

    @BeforeEach
    void start() throws Exception {
        stack = new RealStack(dir);
    }

    @AfterEach
    void stop() throws Exception {
        stack.close();
    }

    private Properties common() {
        return stack.clientProperties();
    }

    private KafkaConsumer<String, String> groupConsumer(String group) {
        Properties p = common();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    @Test
    void consumerGroupConsumesEverythingOnceAndCommits() throws Exception {
        int count = 300;
        try (Admin admin = Admin.create(common())) {
            admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1))).all().get();
        }
        Properties pp = common();
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>("orders", "k" + i, "v" + i));
            }
            producer.flush();
        }

        Set<String> seen = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = groupConsumer("billing")) {
            consumer.subscribe(List.of("orders"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    assertTrue(seen.add(r.key()), "no record twice: " + r.key());
                }
            }
            assertEquals(count, seen.size());
            consumer.commitSync();

            try (Admin admin = Admin.create(common())) {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("billing")).all().get()
                        .get("billing");
                assertEquals(GroupState.STABLE, group.groupState());
                assertEquals(1, group.members().size());
                assertEquals(3, group.members().iterator().next().assignment().topicPartitions().size());
                assertTrue(admin.listGroups().all().get().stream()
                        .anyMatch(g -> g.groupId().equals("billing")));
            }
        }

        try (Admin admin = Admin.create(common())) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("billing")
                    .partitionsToOffsetAndMetadata().get();
            long total = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
            assertEquals(count, total, "committed offsets cover every record");
        }

        // A new member of the same group starts from the committed offsets: only new records arrive.
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>("orders", "late", "v")).get();
        }
        try (KafkaConsumer<String, String> consumer = groupConsumer("billing")) {
            consumer.subscribe(List.of("orders"));
            List<String> got = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (got.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> got.add(r.key()));
            }
            consumer.poll(Duration.ofMillis(500)).forEach(r -> got.add(r.key()));
            assertEquals(List.of("late"), got);
        }

        try (Admin admin = Admin.create(common())) {
            assertEquals(Set.of("orders"), admin.listTopics().names().get(), "__consumer_offsets is internal");
            assertTrue(admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                    .names().get().contains("__consumer_offsets"));
            admin.deleteConsumerGroups(List.of("billing")).all().get();
            assertTrue(admin.listGroups().all().get().stream()
                    .noneMatch(g -> g.groupId().equals("billing")));
        }
    }

    @Test
    void twoMembersSplitThePartitions() throws Exception {
        try (Admin admin = Admin.create(common())) {
            admin.createTopics(List.of(new NewTopic("split", 4, (short) 1))).all().get();
        }
        try (KafkaConsumer<String, String> a = groupConsumer("pair");
             KafkaConsumer<String, String> b = groupConsumer("pair")) {
            a.subscribe(List.of("split"));
            b.subscribe(List.of("split"));
            Map<String, Integer> sizes = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline
                    && !(a.assignment().size() == 2 && b.assignment().size() == 2)) {
                a.poll(Duration.ofMillis(100));
                b.poll(Duration.ofMillis(100));
            }
            sizes.put("a", a.assignment().size());
            sizes.put("b", b.assignment().size());
            assertEquals(Map.of("a", 2, "b", 2), sizes);
            Set<TopicPartition> all = new HashSet<>(a.assignment());
            all.addAll(b.assignment());
            assertEquals(4, all.size());
        }
    }
}
