package dev.strata.broker.internal;

import static dev.strata.broker.internal.TestBatches.batch;
import static dev.strata.broker.internal.TestBatches.batches;
import static dev.strata.broker.internal.TestBatches.idempotent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.DeleteRecordsResult;
import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.ListOffsetResult;
import dev.strata.api.broker.LogDirDescription;
import dev.strata.api.broker.ProduceResult;
import dev.strata.api.broker.ProducerDescription;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CreatePartitions, DeleteRecords, DescribeLogDirs and DescribeProducers through the Broker service. */
class PartitionAdminTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");
    private static final TopicPartition T0 = new TopicPartition("t", 0);

    @TempDir
    Path dir;
    private final InMemoryIndexLogStore store = new InMemoryIndexLogStore();
    private BrokerCore core;

    @BeforeEach
    void start() throws IOException {
        core = TestCores.start(settings(Map.of()), store);
        assertEquals(ErrorCode.NONE, core.broker.createTopic("t", 2, (short) 1, Map.of(), false, CTX).error());
    }

    @AfterEach
    void stop() {
        if (core != null) {
            core.close();
        }
    }

    private BrokerSettings settings(Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put("log.dirs", dir.toString());
        return BrokerSettings.of(props);
    }

    private void restart(Map<String, Object> extra) throws IOException {
        core.close();
        core = TestCores.start(settings(extra), store);
    }

    private ProduceResult produce(TopicPartition tp, ByteBuffer records) {
        CompletableFuture<ProduceResult> f = core.broker.produce(tp, records, (short) -1, 1000, CTX);
        assertTrue(f.isDone(), "a produce on one broker answers at once");
        return f.join();
    }

    private FetchResult fetchNow(TopicPartition tp, long offset) {
        return core.broker.fetch(new FetchParams(-1, 0, 1, 1 << 20, IsolationLevel.READ_UNCOMMITTED,
                List.of(new FetchPartition(tp, offset, 1 << 20))), CTX).join().get(0);
    }

    private DeleteRecordsResult deleteRecords(TopicPartition tp, long offset) {
        CompletableFuture<DeleteRecordsResult> f = core.broker.deleteRecords(tp, offset, 1000, CTX);
        assertTrue(f.isDone(), "one replica: the low watermark is known at once");
        return f.join();
    }

    private static StrataException refused(ErrorCode error, Runnable call) {
        StrataException e = assertThrows(StrataException.class, call::run);
        assertEquals(error, e.error(), e.getMessage());
        return e;
    }

    @Test
    void createPartitionsOpensTheNewPartitionsAndTheyKeepDataAcrossARestart() throws Exception {
        core.broker.createPartitions("t", 3, null, true, CTX);
        assertEquals(2, core.metadata.topic("t").orElseThrow().partitionCount(), "validateOnly changes nothing");
        assertFalse(Files.exists(dir.resolve("t-2")));

        core.broker.createPartitions("t", 4, List.of(List.of(0), List.of(0)), false, CTX);
        assertEquals(4, core.metadata.topic("t").orElseThrow().partitionCount());
        assertTrue(Files.isDirectory(dir.resolve("t-2")) && Files.isDirectory(dir.resolve("t-3")),
                "the new partitions' logs are opened at once");
        TopicPartition t3 = new TopicPartition("t", 3);
        assertEquals(0, produce(t3, batch(1000, "a", "b")).baseOffset());

        restart(Map.of());
        assertEquals(2, batches(fetchNow(t3, 0).records()).get(0).recordCount());
        assertEquals(2, produce(t3, batch(1000, "c")).baseOffset());
    }

    @Test
    void createPartitionsRefusesWhatKafkaRefusesWithItsMessages() {
        assertEquals("Topic already has 2 partition(s).",
                refused(ErrorCode.INVALID_PARTITIONS, () -> core.broker.createPartitions("t", 2, null, false, CTX))
                        .getMessage());
        assertEquals("The topic t currently has 2 partition(s); 1 would not be an increase.",
                refused(ErrorCode.INVALID_PARTITIONS, () -> core.broker.createPartitions("t", 1, null, false, CTX))
                        .getMessage());
        assertEquals("The topic t currently has 2 partition(s); -3 would not be an increase.",
                refused(ErrorCode.INVALID_PARTITIONS, () -> core.broker.createPartitions("t", -3, null, true, CTX))
                        .getMessage());
        assertEquals("Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.",
                refused(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                        () -> core.broker.createPartitions("t", 4, List.of(List.of(0)), false, CTX)).getMessage());
        assertEquals("The manual partition assignment includes broker 5, but no such broker is registered.",
                refused(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                        () -> core.broker.createPartitions("t", 3, List.of(List.of(5)), false, CTX)).getMessage());
        assertEquals("The manual partition assignment includes the broker 0 more than once.",
                refused(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                        () -> core.broker.createPartitions("t", 3, List.of(List.of(0, 0)), false, CTX)).getMessage());
        assertEquals("The manual partition assignment includes an empty replica list.",
                refused(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                        () -> core.broker.createPartitions("t", 3, List.of(List.of()), false, CTX)).getMessage());
        refused(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, () -> core.broker.createPartitions("nope", 3, null, false, CTX));
        refused(ErrorCode.INVALID_TOPIC_EXCEPTION,
                () -> core.broker.createPartitions("__consumer_offsets", 60, null, false, CTX));
        assertEquals(2, core.metadata.topic("t").orElseThrow().partitionCount(), "nothing refused was recorded");
        assertFalse(Files.exists(dir.resolve("t-2")));
    }

    @Test
    void createPartitionsHonoursMaxBrokerPartitions() throws IOException {
        restart(Map.of("max.broker.partitions", 4));
        core.broker.createPartitions("t", 4, null, false, CTX);
        StrataException e = refused(ErrorCode.POLICY_VIOLATION,
                () -> core.broker.createPartitions("t", 5, null, false, CTX));
        assertEquals("Creating 1 partition(s) would exceed max.broker.partitions=4 (this broker hosts 4)",
                e.getMessage());
        refused(ErrorCode.POLICY_VIOLATION, () -> core.broker.createPartitions("t", 5, null, true, CTX));
        assertEquals(4, core.metadata.topic("t").orElseThrow().partitionCount());
    }

    @Test
    void deleteRecordsMovesTheStartThatListOffsetsAndFetchFollow() throws Exception {
        produce(T0, batch(1000, "a", "b"));
        produce(T0, batch(1000, "c", "d"));
        produce(T0, batch(1000, "e", "f"));

        assertEquals(new DeleteRecordsResult(ErrorCode.NONE, 2), deleteRecords(T0, 2));
        assertEquals(2, core.broker.listOffset(T0, ListOffsetResult.EARLIEST_TIMESTAMP,
                IsolationLevel.READ_UNCOMMITTED).offset());
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, fetchNow(T0, 1).error(), "below the start: reset the consumer");
        FetchResult fromStart = fetchNow(T0, 2);
        assertEquals(2, fromStart.logStartOffset());
        assertEquals(2, batches(fromStart.records()).get(0).baseOffset());

        assertEquals(new DeleteRecordsResult(ErrorCode.NONE, 2), deleteRecords(T0, 1), "never moves back");
        assertEquals(new DeleteRecordsResult(ErrorCode.NONE, 3), deleteRecords(T0, 3), "inside a batch");
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, deleteRecords(T0, 7).error(), "beyond the high watermark");
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, deleteRecords(T0, -2).error());
        assertEquals(new DeleteRecordsResult(ErrorCode.NONE, 6), deleteRecords(T0, -1), "-1: the high watermark");
        assertTrue(fetchNow(T0, 6).records().isEmpty());
        assertEquals(6, produce(T0, batch(1000, "g")).baseOffset());

        restart(Map.of());
        assertEquals(6, core.broker.listOffset(T0, ListOffsetResult.EARLIEST_TIMESTAMP,
                IsolationLevel.READ_UNCOMMITTED).offset(), "the start survives a restart");
    }

    @Test
    void deleteRecordsRefusals() {
        assertEquals(new DeleteRecordsResult(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1),
                deleteRecords(new TopicPartition("nope", 0), 0));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, deleteRecords(new TopicPartition("t", 2), 0).error());
        assertEquals(ErrorCode.INVALID_TOPIC_EXCEPTION,
                deleteRecords(new TopicPartition("__consumer_offsets", 0), 0).error());
        assertEquals(ErrorCode.NONE,
                core.broker.createTopic("compacted", 1, (short) 1, Map.of("cleanup.policy", "compact"), false, CTX)
                        .error());
        assertEquals(ErrorCode.POLICY_VIOLATION, deleteRecords(new TopicPartition("compacted", 0), 0).error());
        assertEquals(ErrorCode.NONE, core.broker.createTopic("both", 1, (short) 1,
                Map.of("cleanup.policy", "compact,delete"), false, CTX).error());
        assertEquals(ErrorCode.NONE, deleteRecords(new TopicPartition("both", 0), 0).error());
    }

    @Test
    void anIdempotentProducerGoesOnAfterItsRecordsAreDeleted() throws Exception {
        assertEquals(0, produce(T0, idempotent(7, (short) 0, 0, "a", "b")).baseOffset());
        assertEquals(new DeleteRecordsResult(ErrorCode.NONE, 2), deleteRecords(T0, -1));
        ProduceResult retry = produce(T0, idempotent(7, (short) 0, 0, "a", "b"));
        assertEquals(0, retry.baseOffset(), "a retry of a deleted batch is still answered as a duplicate");
        ProduceResult next = produce(T0, idempotent(7, (short) 0, 2, "c"));
        assertEquals(ErrorCode.NONE, next.error());
        assertEquals(2, next.baseOffset());
        assertEquals(2, next.logStartOffset());
        assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, produce(T0, idempotent(7, (short) 0, 5, "x")).error());
        assertEquals(List.of(new ProducerDescription(7, 0, 2, 1000, -1, -1)), core.broker.describeProducers(T0));
    }

    @Test
    void describeProducersReportsEachProducersLastBatch() throws Exception {
        assertEquals(List.of(), core.broker.describeProducers(T0));
        produce(T0, idempotent(9, (short) 0, 0, "a", "b", "c"));
        produce(T0, idempotent(4, (short) 1, 0, "x"));
        produce(T0, idempotent(9, (short) 0, 3, "d"));
        produce(T0, batch(5000, "plain"));
        assertEquals(List.of(new ProducerDescription(4, 1, 0, 1000, -1, -1),
                new ProducerDescription(9, 0, 3, 1000, -1, -1)), core.broker.describeProducers(T0));

        restart(Map.of());
        assertEquals(List.of(new ProducerDescription(4, 1, 0, 1000, -1, -1),
                new ProducerDescription(9, 0, 3, 1000, -1, -1)), core.broker.describeProducers(T0),
                "rebuilt from the log");
        refused(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, () -> core.broker.describeProducers(new TopicPartition("x", 0)));
        refused(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, () -> core.broker.describeProducers(new TopicPartition("t", 9)));
    }

    @Test
    void describeLogDirsReportsTheDirectoryAndEachPartitionsSize() throws Exception {
        produce(T0, batch(1000, "a", "b"));
        produce(new TopicPartition("t", 1), batch(1000, "c"));
        List<LogDirDescription> all = core.broker.describeLogDirs(null);
        assertEquals(1, all.size());
        LogDirDescription d = all.get(0);
        assertEquals(ErrorCode.NONE, d.error());
        assertEquals(dir.toAbsolutePath().toString(), d.path());
        assertTrue(d.totalBytes() > 0 && d.usableBytes() > 0 && d.usableBytes() <= d.totalBytes(), d.toString());
        assertEquals(List.of(
                new LogDirDescription.Replica(T0, core.logs.partition(T0).log().sizeInBytes(), 0, false),
                new LogDirDescription.Replica(new TopicPartition("t", 1),
                        core.logs.partition(new TopicPartition("t", 1)).log().sizeInBytes(), 0, false)),
                d.replicas());
        assertTrue(d.replicas().get(0).sizeBytes() > d.replicas().get(1).sizeBytes());

        LogDirDescription filtered = core.broker.describeLogDirs(List.of(new TopicPartition("t", 1),
                new TopicPartition("missing", 0))).get(0);
        assertEquals(List.of(new TopicPartition("t", 1)),
                filtered.replicas().stream().map(LogDirDescription.Replica::partition).toList());
        assertEquals(List.of(), core.broker.describeLogDirs(List.of()).get(0).replicas());
    }

    @Test
    void aLogDirectoryThatIsGoneIsAStorageError() throws IOException {
        Path moved = dir.resolveSibling(dir.getFileName() + "-moved");
        Files.move(dir, moved);
        try {
            LogDirDescription d = core.broker.describeLogDirs(null).get(0);
            assertEquals(ErrorCode.KAFKA_STORAGE_ERROR, d.error());
            assertEquals(dir.toAbsolutePath().toString(), d.path());
            assertEquals(List.of(), d.replicas());
        } finally {
            Files.move(moved, dir);
        }
    }
}
