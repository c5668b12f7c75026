package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Consumer groups against the real container with stock kafka-clients: partitions split across members, rebalances
 * when members join or die (a child JVM killed with SIGKILL), at-least-once and at-most-once commits, committed
 * offsets across broker restarts, rewind and replay (seek, offsetsForTimes, Admin offset resets), the group Admin
 * APIs, and refused OffsetCommits. One container for the class, with {@code group.initial.rebalance.delay.ms=0} and
 * short session timeouts so rebalances are quick; the restart test runs last.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsumerGroupsIT {

    static final String COORDINATOR_PID = "dev.strata.group.coordinator";
    private static final Duration WAIT = Duration.ofSeconds(45);

    @RegisterExtension
    static final SharedContainer strata = new SharedContainer("consumer-groups", container ->
            StrataContainer.setProperties(container.home().resolve("etc/" + COORDINATOR_PID + ".cfg"), Map.of(
                    "group.initial.rebalance.delay.ms", "0",
                    "group.min.session.timeout.ms", "1000",
                    "offsets.topic.num.partitions", "10")));

    // ------------------------------------------------------------------ membership and rebalances

    @Test
    @Order(1)
    void membersSplitPartitionsRebalanceOnJoinAndAKilledMemberIsExpelled() throws Exception {
        String topic = "six";
        String group = "six-readers";
        Clients.createTopic(strata.admin(), topic, 6);
        List<GroupMember> members = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container())) {
            for (int i = 0; i < 3; i++) {
                members.add(new GroupMember(strata.container(), group, topic, "member-" + i, Map.of()));
            }
            awaitAssignments("three members with 2 partitions each", members, null, List.of(2, 2, 2));
            produce(producer, topic, 6, "one", 600);
            awaitProcessedExactlyOnce(members, null, 600);
            for (GroupMember m : members) {
                for (GroupMember.Processed p : m.processed()) {
                    assertTrue(m.assignment().contains(p.partition()), m.name() + " read partition "
                            + p.partition() + " outside its assignment " + m.assignment());
                }
            }
            Map<String, Set<Integer>> before = assignments(members);

            // A fourth member, in a child JVM: the group rebalances and all four get partitions (2+2+1+1).
            Path stderr = strata.container().home().resolve("child-member.err");
            try (GroupMemberProcess child = GroupMemberProcess.start(strata.container(), group, topic, 3000, stderr)) {
                awaitAssignments("four members after the join", members, child, List.of(1, 1, 2, 2));
                assertFalse(before.equals(assignments(members)), "the assignment must change when a member joins");
                produce(producer, topic, 6, "two", 600);
                awaitProcessedExactlyOnce(members, child, 1200);
                assertFalse(child.processed().isEmpty(), "the child member processed nothing");
                String childId = child.memberId();
                assertNotNull(childId);

                // SIGKILL: no LeaveGroup. The coordinator expels it after session.timeout.ms and the three
                // remaining members take its partitions over from its last commit.
                child.kill();
                awaitAssignments("three members after the child was killed", members, null, List.of(2, 2, 2));
                produce(producer, topic, 6, "three", 600);
                awaitProcessedExactlyOnce(members, child, 1800);

                String log = strata.container().log();
                assertTrue(log.contains("Member " + childId + " of group " + group + " missed its session timeout"),
                        "the broker log must show the expulsion of " + childId);
            }
        } finally {
            for (GroupMember m : members) {
                m.close();
                assertNull(m.failure(), m.name() + " failed: " + m.failure());
            }
        }
        String log = strata.container().log();
        assertTrue(log.contains("Preparing to rebalance group " + group), "no rebalance line in the broker log");
        assertTrue(log.contains("Stabilized group " + group), "no 'Stabilized group' line in the broker log");
    }

    // ------------------------------------------------------------------ delivery semantics

    @Test
    @Order(2)
    void atLeastOnceRedeliversWhatWasNotCommittedAndAtMostOnceSkipsWhatWasNotProcessed() throws Exception {
        String topic = "delivery";
        Clients.createTopic(strata.admin(), topic, 1);
        produce(topic, 1, "d", 100);
        TopicPartition tp = new TopicPartition(topic, 0);

        // At-least-once: process, then commit. The member processes 0..29 and commits 30, processes 30..39 and
        // crashes before its next commit: the next member of the group gets 30..39 again (duplicates, no loss).
        try (KafkaConsumer<String, String> first = groupConsumer("alo", topic, Map.of())) {
            List<ConsumerRecord<String, String>> inHand = Clients.poll(first, 40, WAIT);
            assertTrue(inHand.size() >= 40, "polled " + inHand.size());
            List<ConsumerRecord<String, String>> processed = new ArrayList<>(inHand.subList(0, 30));
            first.commitSync(Map.of(tp, new OffsetAndMetadata(processed.get(29).offset() + 1)));
            processed.addAll(inHand.subList(30, 40));
            assertEquals(30, first.committed(Set.of(tp)).get(tp).offset());
        } // crash: closed without committing 40
        try (KafkaConsumer<String, String> second = groupConsumer("alo", topic, Map.of())) {
            List<ConsumerRecord<String, String>> got = Clients.poll(second, 1, WAIT);
            assertEquals(30, got.get(0).offset(), "at-least-once: 30..39 are delivered again");
        }

        // At-most-once: commit, then process. The member commits 40 for the records in hand, processes 0..29 and
        // crashes: 30..39 are never processed by anyone.
        try (KafkaConsumer<String, String> first = groupConsumer("amo", topic, Map.of())) {
            List<ConsumerRecord<String, String>> inHand = Clients.poll(first, 40, WAIT);
            assertTrue(inHand.size() >= 40, "polled " + inHand.size());
            first.commitSync(Map.of(tp, new OffsetAndMetadata(inHand.get(39).offset() + 1)));
            List<ConsumerRecord<String, String>> processed = new ArrayList<>(inHand.subList(0, 30));
            assertEquals(29, processed.get(29).offset());
        } // crash before processing 30..39
        try (KafkaConsumer<String, String> second = groupConsumer("amo", topic, Map.of())) {
            List<ConsumerRecord<String, String>> got = Clients.poll(second, 1, WAIT);
            assertEquals(40, got.get(0).offset(), "at-most-once: 30..39 were committed but never processed");
        }
    }

    // ------------------------------------------------------------------ rewind and replay, Admin

    @Test
    @Order(3)
    void seekSeekToBeginningAndOffsetsForTimesReplayWithinAGroup() throws Exception {
        String topic = "replay";
        Clients.createTopic(strata.admin(), topic, 2);
        long base = System.currentTimeMillis() - 3_600_000;
        produceTimed(topic, base, 100); // record i: partition i % 2, offset i / 2, timestamp base + i s
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        try (KafkaConsumer<String, String> consumer = groupConsumer("replayer", topic, Map.of())) {
            assertEquals(100, Clients.poll(consumer, 100, WAIT).size());
            consumer.commitSync();

            consumer.seekToBeginning(consumer.assignment());
            List<ConsumerRecord<String, String>> again = Clients.poll(consumer, 100, WAIT);
            assertEquals(100, again.size(), "seekToBeginning replays everything");
            assertEquals(0, firstOffset(again, 0));
            assertEquals(0, firstOffset(again, 1));

            consumer.seek(p0, 20);
            consumer.seek(p1, 49);
            List<ConsumerRecord<String, String>> fromSeek = Clients.poll(consumer, 31, WAIT);
            assertEquals(31, fromSeek.size());
            assertEquals(20, firstOffset(fromSeek, 0));
            assertEquals(49, firstOffset(fromSeek, 1));

            long at = base + 60_000; // record 60: partition 0, offset 30
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(Map.of(p0, at, p1, at));
            assertEquals(30, found.get(p0).offset());
            assertEquals(30, found.get(p1).offset()); // record 61 is the first of partition 1 at or after it
            found.forEach((tp, o) -> consumer.seek(tp, o.offset()));
            List<ConsumerRecord<String, String>> fromTime = Clients.poll(consumer, 40, WAIT);
            assertEquals(40, fromTime.size());
            assertTrue(fromTime.stream().allMatch(r -> r.timestamp() >= at), "offsetsForTimes replay");

            // Replaying does not move the committed offsets until the application commits.
            assertEquals(50, consumer.committed(Set.of(p0)).get(p0).offset());
        }
    }

    @Test
    @Order(4)
    void adminResetsOffsetsOfAnEmptyGroupAndManagesGroups() throws Exception {
        String topic = "resets";
        String group = "resetter";
        Clients.createTopic(strata.admin(), topic, 2);
        long base = System.currentTimeMillis() - 3_600_000;
        produceTimed(topic, base, 100);
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);

        try (KafkaConsumer<String, String> consumer = groupConsumer(group, topic, Map.of())) {
            assertEquals(100, Clients.poll(consumer, 100, WAIT).size());
            consumer.commitSync();

            // While the group has a member: Stable, described with its assignment; offsets cannot be reset.
            ConsumerGroupDescription stable = describe(group);
            assertEquals(GroupState.STABLE, stable.groupState());
            assertEquals(1, stable.members().size());
            MemberDescription member = stable.members().iterator().next();
            assertEquals(Set.of(p0, p1), member.assignment().topicPartitions());
            assertEquals("range", stable.partitionAssignor());
            ExecutionException busy = assertThrows(ExecutionException.class, () -> strata.admin()
                    .alterConsumerGroupOffsets(group, Map.of(p0, new OffsetAndMetadata(0))).all()
                    .get(30, TimeUnit.SECONDS));
            assertInstanceOf(UnknownMemberIdException.class, busy.getCause());
            ExecutionException notEmpty = assertThrows(ExecutionException.class,
                    () -> strata.admin().deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS));
            assertInstanceOf(GroupNotEmptyException.class, notEmpty.getCause());
        }
        assertEquals(GroupState.EMPTY, describe(group).groupState());
        assertEquals(Map.of(p0, 50L, p1, 50L), committed(group));

        // earliest
        alter(group, Map.of(p0, offsetFor(p0, OffsetSpec.earliest()), p1, offsetFor(p1, OffsetSpec.earliest())));
        assertEquals(Map.of(0, 0L, 1, 0L), firstOffsetsOfNextJoin(group, topic, 2));
        // a timestamp: record 60 (partition 0 offset 30), record 61 (partition 1 offset 30)
        long at = base + 60_000;
        alter(group, Map.of(p0, offsetFor(p0, OffsetSpec.forTimestamp(at)),
                p1, offsetFor(p1, OffsetSpec.forTimestamp(at))));
        assertEquals(Map.of(0, 30L, 1, 30L), firstOffsetsOfNextJoin(group, topic, 2));
        // explicit offsets
        alter(group, Map.of(p0, 10L, p1, 5L));
        assertEquals(Map.of(0, 10L, 1, 5L), firstOffsetsOfNextJoin(group, topic, 2));
        // latest: the next member sees only what is produced after the reset
        alter(group, Map.of(p0, offsetFor(p0, OffsetSpec.latest()), p1, offsetFor(p1, OffsetSpec.latest())));
        produceTimed(topic, System.currentTimeMillis(), 2);
        assertEquals(Map.of(0, 50L, 1, 50L), firstOffsetsOfNextJoin(group, topic, 2));

        // listGroups (consumer groups), listConsumerGroupOffsets, deleteConsumerGroupOffsets, deleteConsumerGroups
        Map<String, GroupListing> listed = strata.admin().listGroups(ListGroupsOptions.forConsumerGroups()).all()
                .get(30, TimeUnit.SECONDS).stream().collect(Collectors.toMap(GroupListing::groupId, g -> g));
        assertTrue(listed.containsKey(group), "listGroups: " + listed.keySet());
        assertEquals(GroupState.EMPTY, listed.get(group).groupState().orElseThrow());
        assertEquals("consumer", listed.get(group).protocol());
        assertTrue(legacyListConsumerGroups().contains(group), "listConsumerGroups");
        assertEquals(Map.of(p0, 10L, p1, 5L), committedAfterAlter(group, Map.of(p0, 10L, p1, 5L)));
        strata.admin().deleteConsumerGroupOffsets(group, Set.of(p1)).all().get(30, TimeUnit.SECONDS);
        assertEquals(Map.of(p0, 10L), committed(group));
        strata.admin().deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS);
        assertFalse(strata.admin().listGroups(ListGroupsOptions.forConsumerGroups()).all().get(30, TimeUnit.SECONDS)
                .stream().anyMatch(g -> g.groupId().equals(group)), "deleted group still listed");
        ExecutionException gone = assertThrows(ExecutionException.class,
                () -> strata.admin().describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS));
        assertInstanceOf(GroupIdNotFoundException.class, gone.getCause());
        assertEquals(Map.of(), committed(group));
    }

    // ------------------------------------------------------------------ bad input

    @Test
    @Order(5)
    void offsetCommitsFromUnknownMembersStaleGenerationsOrForMissingPartitionsAreRefused() throws Exception {
        String topic = "guarded";
        String group = "guarded-group";
        Clients.createTopic(strata.admin(), topic, 2);
        produce(topic, 2, "g", 20);
        try (KafkaConsumer<String, String> consumer = groupConsumer(group, topic, Map.of())) {
            assertEquals(20, Clients.poll(consumer, 20, WAIT).size());
            consumer.commitSync();
            Map<TopicPartition, Long> before = committed(group);
            assertEquals(Map.of(new TopicPartition(topic, 0), 10L, new TopicPartition(topic, 1), 10L), before);
            String memberId = consumer.groupMetadata().memberId();
            int generation = consumer.groupMetadata().generationId();

            try (RawKafkaConnection raw = strata.container().rawConnection(Duration.ofSeconds(30))) {
                short v = raw.version(ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_COMMIT.latestVersion());
                assertEquals(Errors.UNKNOWN_MEMBER_ID, commit(raw, v, group, generation, "no-such-member",
                        topic, 0, 3));
                assertEquals(Errors.ILLEGAL_GENERATION, commit(raw, v, group, generation - 1, memberId,
                        topic, 0, 3));
                assertEquals(Errors.ILLEGAL_GENERATION, commit(raw, v, group, generation + 1, memberId,
                        topic, 0, 3));
                assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, commit(raw, v, group, generation, memberId,
                        topic, 7, 3));
                assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, commit(raw, v, group, generation, memberId,
                        "no-such-topic", 0, 3));
                // A simple (admin-style) commit while the group has a member.
                assertEquals(Errors.UNKNOWN_MEMBER_ID, commit(raw, v, group, -1, "", topic, 0, 3));
                // The oldest advertised version too.
                assertEquals(Errors.ILLEGAL_GENERATION, commit(raw, (short) 2, group, generation - 1, memberId,
                        topic, 1, 3));
            }
            assertEquals(before, committed(group), "refused commits must not change the stored offsets");
            assertEquals(10, consumer.committed(Set.of(new TopicPartition(topic, 0)))
                    .get(new TopicPartition(topic, 0)).offset());
        }
    }

    @Test
    @Order(6)
    void clientsCannotProduceToOrDeleteTheOffsetsTopic() throws Exception {
        try (RawKafkaConnection raw = strata.container().rawConnection(Duration.ofSeconds(30))) {
            var response = RawRequests.produce(raw, "__consumer_offsets", 0, (short) -1,
                    RawRequests.batch("forged").buffer());
            assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), response.errorCode());
        }
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> strata.admin().deleteTopics(List.of("__consumer_offsets")).all().get(30, TimeUnit.SECONDS));
        assertInstanceOf(InvalidTopicException.class, refused.getCause());
        assertTrue(Files.isDirectory(strata.container().dataDir().resolve("__consumer_offsets-0")));
        // The coordinator still writes there: a commit goes through.
        String topic = "after-forgery";
        Clients.createTopic(strata.admin(), topic, 1);
        alter("after-forgery-group", Map.of(new TopicPartition(topic, 0), 0L));
        assertEquals(Map.of(new TopicPartition(topic, 0), 0L), committed("after-forgery-group"));
    }

    // ------------------------------------------------------------------ restarts (last: restarts the container)

    @Test
    @Order(100)
    void committedOffsetsSurviveRestartsAndALiveConsumerResumesWhereItLeftOff() throws Exception {
        String topic = "durable-offsets";
        String group = "durable-group";
        Clients.createTopic(strata.admin(), topic, 3);
        List<TopicPartition> partitions = Clients.partitions(topic, 3);
        produce(topic, 3, "before", 300);
        // A consumer that stays up across the restart; its session outlives the restart, so it keeps its member id
        // and its partitions.
        Map<String, Object> longSession = Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 45_000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
        try (GroupMember live = new GroupMember(strata.container(), group, topic, "survivor", longSession)) {
            awaitProcessed(List.of(live), null, 300);
            Map<TopicPartition, Long> committedBefore = committed(group);
            assertEquals(Map.of(partitions.get(0), 100L, partitions.get(1), 100L, partitions.get(2), 100L),
                    committedBefore);

            assertTrue(strata.container().stop(), "SIGTERM must end the container");
            strata.container().start();
            produce(topic, 3, "after", 300);
            awaitProcessedExactlyOnce(List.of(live), null, 600);
        }
        assertEquals(Map.of(partitions.get(0), 200L, partitions.get(1), 200L, partitions.get(2), 200L),
                committed(group));

        // SIGKILL: the commits were acknowledged after acks=-1 appends, so they are in the log.
        strata.container().kill();
        strata.container().start();
        assertEquals(Map.of(partitions.get(0), 200L, partitions.get(1), 200L, partitions.get(2), 200L),
                committed(group));
        produce(topic, 3, "later", 30);
        try (KafkaConsumer<String, String> next = groupConsumer(group, topic, Map.of())) {
            List<ConsumerRecord<String, String>> got = Clients.poll(next, 30, WAIT);
            assertEquals(30, got.size());
            assertTrue(got.stream().allMatch(r -> r.offset() >= 200 && r.value().startsWith("later")),
                    "a new member resumes at the committed offsets: " + got.get(0));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static KafkaConsumer<String, String> groupConsumer(String group, String topic,
                                                               Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, group + "-consumer");
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        props.putAll(overrides);
        KafkaConsumer<String, String> consumer = Clients.consumer(strata.container(), props);
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /** As {@link #produce(KafkaProducer, String, int, String, int)} with a producer of its own. */
    private static void produce(String topic, int partitions, String prefix, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container())) {
            produce(producer, topic, partitions, prefix, count);
        }
    }

    /** {@code count} records with value {@code <prefix>-<i>}, record i to partition i % partitions. */
    private static void produce(KafkaProducer<String, String> producer, String topic, int partitions, String prefix,
                                int count) throws Exception {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(producer.send(new ProducerRecord<>(topic, i % partitions, null, prefix + "-" + i)));
        }
        for (java.util.concurrent.Future<?> f : sent) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    /** Record i: partition i % 2, timestamp {@code base + i} seconds. */
    private static void produceTimed(String topic, long base, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(strata.container())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, base + i * 1000L, null, "t-" + i));
            }
            producer.flush();
        }
    }

    private static long firstOffset(List<ConsumerRecord<String, String>> records, int partition) {
        return records.stream().filter(r -> r.partition() == partition).mapToLong(ConsumerRecord::offset).min()
                .orElseThrow();
    }

    /**
     * Waits until the in-JVM members (and the child, if given and alive) hold assignments of exactly these sizes
     * (sorted), covering every partition once.
     */
    private static void awaitAssignments(String what, List<GroupMember> members, GroupMemberProcess child,
                                         List<Integer> sizes) throws InterruptedException {
        Supplier<List<Set<Integer>>> current = () -> {
            List<Set<Integer>> all = new ArrayList<>();
            members.forEach(m -> all.add(m.assignment()));
            if (child != null) {
                all.add(child.assignment());
            }
            return all;
        };
        BooleanSupplier done = () -> {
            List<Set<Integer>> all = current.get();
            List<Integer> got = all.stream().map(Set::size).sorted().toList();
            Set<Integer> union = new HashSet<>();
            all.forEach(union::addAll);
            return got.equals(sizes) && union.size() == sizes.stream().mapToInt(Integer::intValue).sum();
        };
        await(what, done, () -> "assignments " + current.get() + failures(members));
    }

    private static Map<String, Set<Integer>> assignments(List<GroupMember> members) {
        Map<String, Set<Integer>> out = new TreeMap<>();
        members.forEach(m -> out.put(m.name(), m.assignment()));
        return out;
    }

    private static void awaitProcessed(List<GroupMember> members, GroupMemberProcess child, int total)
            throws InterruptedException {
        Supplier<Integer> count = () -> members.stream().mapToInt(m -> m.processed().size()).sum()
                + (child == null ? 0 : child.processed().size());
        await(total + " records processed", () -> count.get() >= total,
                () -> count.get() + " processed" + failures(members));
        Thread.sleep(500); // room for a duplicate to show up
    }

    private static void awaitProcessedExactlyOnce(List<GroupMember> members, GroupMemberProcess child, int total)
            throws InterruptedException {
        awaitProcessed(members, child, total);
        assertExactlyOnce(members, child, total);
    }

    /** Every (partition, offset) processed exactly once across the group, {@code total} in all. */
    private static void assertExactlyOnce(List<GroupMember> members, GroupMemberProcess child, int total) {
        Map<String, Integer> seen = new HashMap<>();
        members.forEach(m -> m.processed().forEach(p -> seen.merge(p.partition() + "@" + p.offset(), 1,
                Integer::sum)));
        if (child != null) {
            child.processed().forEach(p -> seen.merge(p.partition() + "@" + p.offset(), 1, Integer::sum));
        }
        List<String> duplicates = seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .sorted().toList();
        assertEquals(List.of(), duplicates, "records processed more than once");
        assertEquals(total, seen.size(), "distinct records processed across the group");
    }

    private static String failures(List<GroupMember> members) {
        return members.stream().filter(m -> m.failure() != null || m.commitFailures() > 0)
                .map(m -> "; " + m.name() + " failure " + m.failure() + ", commit failures " + m.commitFailures())
                .collect(Collectors.joining());
    }

    private static void await(String what, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("Timed out after " + WAIT + " waiting for " + what + ": " + state.get() + "\n"
                        + strata.container().logTail(30));
            }
            Thread.sleep(100);
        }
    }

    /** Admin.listConsumerGroups: deprecated for removal in kafka-clients 4.1 (listGroups), but older tools call it. */
    @SuppressWarnings({"deprecation", "removal"})
    private static Set<String> legacyListConsumerGroups() throws Exception {
        return strata.admin().listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream()
                .map(org.apache.kafka.clients.admin.ConsumerGroupListing::groupId).collect(Collectors.toSet());
    }

    private static ConsumerGroupDescription describe(String group) throws Exception {
        return strata.admin().describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
    }

    private static Map<TopicPartition, Long> committed(String group) throws Exception {
        return Clients.committed(strata.admin(), group);
    }

    private static Map<TopicPartition, Long> committedAfterAlter(String group, Map<TopicPartition, Long> offsets)
            throws Exception {
        alter(group, offsets);
        return committed(group);
    }

    private static void alter(String group, Map<TopicPartition, Long> offsets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> target = new HashMap<>();
        offsets.forEach((tp, o) -> target.put(tp, new OffsetAndMetadata(o)));
        strata.admin().alterConsumerGroupOffsets(group, target).all().get(30, TimeUnit.SECONDS);
    }

    private static long offsetFor(TopicPartition tp, OffsetSpec spec) throws Exception {
        return strata.admin().listOffsets(Map.of(tp, spec)).partitionResult(tp).get(30, TimeUnit.SECONDS).offset();
    }

    /** Joins the group with a fresh consumer and returns the offset of the first record it gets per partition. */
    private static Map<Integer, Long> firstOffsetsOfNextJoin(String group, String topic, int partitions)
            throws Exception {
        Map<Integer, Long> first = new TreeMap<>();
        try (KafkaConsumer<String, String> consumer = groupConsumer(group, topic, Map.of())) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (first.size() < partitions && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    first.putIfAbsent(r.partition(), r.offset());
                }
            }
        } // closed without committing: the reset offsets stay
        return first;
    }

    private static Errors commit(RawKafkaConnection raw, short version, String group, int generation,
                                 String memberId, String topic, int partition, long offset) throws Exception {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(group)
                .setGenerationIdOrMemberEpoch(generation).setMemberId(memberId);
        request.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic)
                .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                        .setPartitionIndex(partition).setCommittedOffset(offset))));
        OffsetCommitResponseData response = raw.request(ApiKeys.OFFSET_COMMIT, version, request);
        assertEquals(1, response.topics().size(), response.toString());
        assertEquals(1, response.topics().get(0).partitions().size(), response.toString());
        return Errors.forCode(response.topics().get(0).partitions().get(0).errorCode());
    }
}
