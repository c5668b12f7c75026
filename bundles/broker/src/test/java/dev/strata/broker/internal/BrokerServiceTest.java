package dev.strata.broker.internal;

import static dev.strata.broker.internal.TestBatches.batch;
import static dev.strata.broker.internal.TestBatches.batches;
import static dev.strata.broker.internal.TestBatches.idempotent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.ConfigEntry;
import dev.strata.api.broker.ConfigResource;
import dev.strata.api.broker.CreateTopicResult;
import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.ListOffsetResult;
import dev.strata.api.broker.ProduceResult;
import dev.strata.api.broker.ProducerIdResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordBatchBuilder;
import dev.strata.record.SimpleRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerServiceTest {
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

    private void restart() throws IOException {
        core.close();
        core = TestCores.start(settings(Map.of()), store);
    }

    private ProduceResult produce(TopicPartition tp, ByteBuffer records) {
        return produce(tp, records, (short) 1);
    }

    private ProduceResult produce(TopicPartition tp, ByteBuffer records, short acks) {
        CompletableFuture<ProduceResult> f = core.broker.produce(tp, records, acks, 1000, CTX);
        assertTrue(f.isDone(), "a produce on one broker answers at once");
        return f.join();
    }

    private List<FetchResult> fetchNow(long offset) {
        return core.broker.fetch(new FetchParams(-1, 0, 1, 1 << 20, IsolationLevel.READ_UNCOMMITTED,
                List.of(new FetchPartition(T0, offset, 1 << 20))), CTX).join();
    }

    @Test
    void producedBatchesAreFetchedBackWithAssignedOffsets() throws Exception {
        ProduceResult first = produce(T0, batch(1000, "a", "b", "c"));
        ProduceResult second = produce(T0, batch(2000, "d"), (short) -1);
        assertEquals(ErrorCode.NONE, first.error());
        assertEquals(0, first.baseOffset());
        assertEquals(-1, first.logAppendTime());
        assertEquals(3, second.baseOffset());
        assertEquals(0, second.logStartOffset());

        FetchResult r = fetchNow(0).get(0);
        assertEquals(ErrorCode.NONE, r.error());
        assertEquals(4, r.highWatermark());
        assertEquals(4, r.lastStableOffset());
        assertEquals(0, r.logStartOffset());
        List<RecordBatch> got = batches(r.records());
        assertEquals(2, got.size());
        assertEquals(0, got.get(0).baseOffset());
        assertEquals(3, got.get(1).baseOffset());
        assertEquals(0, got.get(0).partitionLeaderEpoch());
        assertEquals(3, got.get(0).recordCount());

        // from the middle of the first batch: the whole batch containing the offset
        assertEquals(0, batches(fetchNow(1).get(0).records()).get(0).baseOffset());
        assertTrue(fetchNow(4).get(0).records().isEmpty());
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, fetchNow(5).get(0).error());
    }

    @Test
    void fetchHonoursPartitionAndRequestLimitsButReturnsTheFirstBatchWhole() throws Exception {
        ByteBuffer big = batch(1000, "x".repeat(500));
        int bigSize = big.remaining();
        produce(T0, big);
        produce(T0, batch(1000, "y".repeat(500)));
        TopicPartition t1 = new TopicPartition("t", 1);
        produce(t1, batch(1000, "z"));
        List<FetchResult> rs = core.broker.fetch(new FetchParams(-1, 0, 1, 100, IsolationLevel.READ_UNCOMMITTED,
                List.of(new FetchPartition(T0, 0, 10), new FetchPartition(t1, 0, 1000))), CTX).join();
        assertEquals(bigSize, rs.get(0).records().size(), "only the first batch, whole, despite the limits");
        assertTrue(rs.get(1).records().isEmpty(), "the request's maxBytes is used up");
        assertEquals(1, rs.get(1).highWatermark());
    }

    @Test
    void unknownTopicAcksAndBadBatchesAreRefusedAndNothingIsWritten() throws Exception {
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                produce(new TopicPartition("missing", 0), batch(1, "a")).error());
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, produce(new TopicPartition("t", 2), batch(1, "a")).error());
        assertEquals(ErrorCode.INVALID_REQUIRED_ACKS, produce(T0, batch(1, "a"), (short) 2).error());

        ByteBuffer corrupt = batch(1000, "hello");
        corrupt.put(corrupt.limit() - 1, (byte) (corrupt.get(corrupt.limit() - 1) ^ 1));
        ProduceResult r = produce(T0, corrupt);
        assertEquals(ErrorCode.CORRUPT_MESSAGE, r.error());
        assertEquals(-1, r.baseOffset());

        ByteBuffer truncated = batch(1000, "hello");
        truncated.limit(truncated.limit() - 3);
        assertEquals(ErrorCode.CORRUPT_MESSAGE, produce(T0, truncated).error());

        ByteBuffer oldMagic = batch(1000, "hello");
        oldMagic.put(RecordBatch.MAGIC_OFFSET, (byte) 1);
        assertEquals(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, produce(T0, oldMagic).error());

        ByteBuffer two = ByteBuffer.allocate(200);
        two.put(batch(1, "a")).put(batch(2, "b")).flip();
        assertEquals(ErrorCode.INVALID_RECORD, produce(T0, two).error());
        assertEquals(ErrorCode.INVALID_RECORD, produce(T0, ByteBuffer.allocate(0)).error());

        assertEquals(0, core.logs.partition(T0).logEndOffset());
        assertTrue(fetchNow(0).get(0).records().isEmpty());
    }

    @Test
    void uncompressedBatchesWhoseRecordsDoNotMatchTheHeaderAreRefused() {
        List<SimpleRecord> two = List.of(new SimpleRecord(1, null, new byte[] {1}),
                new SimpleRecord(2, null, new byte[] {2}));
        ByteBuffer claimsThree = new RecordBatchBuilder().assemble(RecordBatchBuilder.encodeRecords(two, 1), 0, 3,
                1, 2);
        assertEquals(ErrorCode.CORRUPT_MESSAGE, produce(T0, claimsThree).error());
        ByteBuffer claimsOne = new RecordBatchBuilder().assemble(RecordBatchBuilder.encodeRecords(two, 1), 0, 1,
                1, 2);
        assertEquals(ErrorCode.CORRUPT_MESSAGE, produce(T0, claimsOne).error());
        assertEquals(0, core.logs.partition(T0).logEndOffset());
        ByteBuffer right = new RecordBatchBuilder().assemble(RecordBatchBuilder.encodeRecords(two, 1), 0, 2, 1, 2);
        assertEquals(ErrorCode.NONE, produce(T0, right).error());
    }

    /** A record of length 0 (or one too short for its fixed fields) is CORRUPT_MESSAGE, not a storage error. */
    @Test
    void recordsTooShortForTheirFieldsAreCorruptNotStorageErrors() throws Exception {
        for (byte[] records : new byte[][] {{0}, {2, 0}, {4, 0, 0}, {2, 0, 0, 0}}) {
            ByteBuffer section = ByteBuffer.wrap(records);
            ByteBuffer bad = new RecordBatchBuilder().assemble(section, 0, 1, 1, 1);
            ProduceResult r = produce(T0, bad);
            assertEquals(ErrorCode.CORRUPT_MESSAGE, r.error(), java.util.Arrays.toString(records) + ": "
                    + r.message());
        }
        assertEquals(0, core.logs.partition(T0).logEndOffset());
    }

    @Test
    void createTimesTooFarInTheFutureAreRefused() {
        long twoHoursAhead = System.currentTimeMillis() + 2 * 3600_000L;
        ProduceResult r = produce(T0, batch(twoHoursAhead, "from the future"));
        assertEquals(ErrorCode.INVALID_TIMESTAMP, r.error());
        assertTrue(r.message().contains("out of range"), r.message());
        assertEquals(0, core.logs.partition(T0).logEndOffset());

        core.broker.createTopic("lenient", 1, (short) 1, Map.of("message.timestamp.after.max.ms", "86400000"), false,
                CTX);
        assertEquals(ErrorCode.NONE, produce(new TopicPartition("lenient", 0), batch(twoHoursAhead, "ok")).error());
        core.broker.createTopic("strict", 1, (short) 1, Map.of("message.timestamp.before.max.ms", "60000"), false,
                CTX);
        assertEquals(ErrorCode.INVALID_TIMESTAMP, produce(new TopicPartition("strict", 0), batch(5, "old")).error());
    }

    @Test
    void batchesOverTheTopicLimitAreTooLarge() {
        core.broker.createTopic("small", 1, (short) 1, Map.of("max.message.bytes", "100"), false, CTX);
        TopicPartition small = new TopicPartition("small", 0);
        assertEquals(ErrorCode.MESSAGE_TOO_LARGE, produce(small, batch(1, "x".repeat(200))).error());
        assertEquals(ErrorCode.NONE, produce(small, batch(1, "x")).error());
    }

    @Test
    void alteredTopicConfigsApplyToTheNextProduce() {
        assertEquals(ErrorCode.NONE, produce(T0, batch(1, "x".repeat(300))).error());
        core.metadata.alterTopicConfigs("t", Map.of("max.message.bytes", "200"));
        assertEquals(ErrorCode.MESSAGE_TOO_LARGE, produce(T0, batch(1, "x".repeat(300))).error());
        core.metadata.alterTopicConfigs("t", Map.of());
        assertEquals(ErrorCode.NONE, produce(T0, batch(1, "x".repeat(300))).error());
    }

    @Test
    void compressedBatchesNeedAnInstalledCodec() throws Exception {
        // This broker has no codecs (CompressionTest covers the codecs themselves).
        ByteBuffer b = batch(1000, "pretend-compressed");
        short attrs = (short) (b.getShort(RecordBatch.ATTRIBUTES_OFFSET) | 3); // lz4 id
        b.putShort(RecordBatch.ATTRIBUTES_OFFSET, attrs);
        b.putInt(RecordBatch.CRC_OFFSET, (int) RecordBatch.at(b, 0).computeChecksum());
        assertEquals(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, produce(T0, b).error());
        assertTrue(fetchNow(0).get(0).records().isEmpty());
    }

    @Test
    void logAppendTimeTopicsAreStampedByTheBroker() throws Exception {
        core.broker.createTopic("lat", 1, (short) 1, Map.of("message.timestamp.type", "LogAppendTime"), false, CTX);
        TopicPartition tp = new TopicPartition("lat", 0);
        long before = System.currentTimeMillis();
        ProduceResult r = produce(tp, batch(5, "a"));
        assertTrue(r.logAppendTime() >= before, "append time " + r.logAppendTime());
        RecordBatch stored = batches(core.broker.fetch(new FetchParams(-1, 0, 1, 1 << 20,
                IsolationLevel.READ_UNCOMMITTED, List.of(new FetchPartition(tp, 0, 1 << 20))), CTX).join().get(0)
                .records()).get(0);
        assertTrue(stored.isLogAppendTime());
        assertEquals(r.logAppendTime(), stored.maxTimestamp());
    }

    @Test
    void idempotentRetriesAreAnsweredWithTheOriginalOffsetAndStoredOnce() throws Exception {
        long pid = core.broker.initProducerId(null, 60000, CTX).producerId();
        assertEquals(0, produce(T0, idempotent(pid, (short) 0, 0, "a", "b")).baseOffset());
        assertEquals(2, produce(T0, idempotent(pid, (short) 0, 2, "c")).baseOffset());

        ProduceResult retry = produce(T0, idempotent(pid, (short) 0, 0, "a", "b"));
        assertEquals(ErrorCode.NONE, retry.error());
        assertEquals(0, retry.baseOffset());
        assertEquals(3, core.logs.partition(T0).logEndOffset(), "the retry was not written again");

        ProduceResult gap = produce(T0, idempotent(pid, (short) 0, 7, "late"));
        assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, gap.error());
        assertEquals(3, core.logs.partition(T0).logEndOffset());

        // a new epoch starts at 0; the old epoch is then fenced
        assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
                produce(T0, idempotent(pid, (short) 1, 5, "x")).error());
        assertEquals(3, produce(T0, idempotent(pid, (short) 1, 0, "x")).baseOffset());
        assertEquals(ErrorCode.INVALID_PRODUCER_EPOCH, produce(T0, idempotent(pid, (short) 0, 3, "y")).error());

        // a producer this partition has no state for is accepted at any sequence (KIP-360)
        ProduceResult unknown = produce(T0, idempotent(pid + 1000, (short) 0, 42, "z"));
        assertEquals(ErrorCode.NONE, unknown.error());
        assertEquals(4, unknown.baseOffset());
        assertEquals(4, batches(fetchNow(0).get(0).records()).size());
    }

    @Test
    void deduplicationSurvivesARestart() throws Exception {
        long pid = core.broker.initProducerId(null, 60000, CTX).producerId();
        produce(T0, batch(1, "plain"));
        produce(T0, idempotent(pid, (short) 0, 0, "a"));
        produce(T0, idempotent(pid, (short) 0, 1, "b", "c"));
        restart();
        ProduceResult retry = produce(T0, idempotent(pid, (short) 0, 1, "b", "c"));
        assertEquals(ErrorCode.NONE, retry.error());
        assertEquals(2, retry.baseOffset());
        assertEquals(4, core.logs.partition(T0).logEndOffset());
        assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
                produce(T0, idempotent(pid, (short) 0, 9, "d")).error());
        assertEquals(4, produce(T0, idempotent(pid, (short) 0, 3, "d")).baseOffset());
    }

    @Test
    void producerIdsAreUniqueAcrossRestarts() throws IOException {
        Set<Long> seen = new HashSet<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 5; i++) {
                ProducerIdResult r = core.broker.initProducerId(null, 60000, CTX);
                assertEquals(ErrorCode.NONE, r.error());
                assertEquals(0, r.producerEpoch());
                assertTrue(seen.add(r.producerId()), "producer id " + r.producerId() + " handed out twice");
            }
            restart();
        }
        // Transactions come later: refused with the one code every client treats as final at once.
        assertEquals(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
                core.broker.initProducerId("tx-1", 60000, CTX).error());
    }

    @Test
    void longPollCompletesWhenDataArrives() throws Exception {
        CompletableFuture<List<FetchResult>> waiting = core.broker.fetch(new FetchParams(-1, 60_000, 1, 1 << 20,
                IsolationLevel.READ_UNCOMMITTED, List.of(new FetchPartition(T0, 0, 1 << 20))), CTX);
        assertFalse(waiting.isDone(), "nothing to read yet: the fetch waits");
        produce(T0, batch(1000, "wake up"));
        List<FetchResult> rs = waiting.get(10, TimeUnit.SECONDS);
        assertEquals(ErrorCode.NONE, rs.get(0).error());
        assertEquals(1, batches(rs.get(0).records()).size());
        assertEquals(1, rs.get(0).highWatermark());
        assertEquals(0, core.purgatory.pendingCount());
    }

    @Test
    void longPollWaitsForMinBytesAcrossAppends() throws Exception {
        int oneBatch = batch(1000, "0123456789").remaining();
        CompletableFuture<List<FetchResult>> waiting = core.broker.fetch(new FetchParams(-1, 60_000,
                oneBatch * 2 + 1, 1 << 20, IsolationLevel.READ_UNCOMMITTED,
                List.of(new FetchPartition(T0, 0, 1 << 20))), CTX);
        produce(T0, batch(1000, "0123456789"));
        produce(T0, batch(1000, "0123456789"));
        assertFalse(waiting.isDone(), "two batches are not yet minBytes");
        produce(T0, batch(1000, "0123456789"));
        assertEquals(3, batches(waiting.get(10, TimeUnit.SECONDS).get(0).records()).size());
    }

    @Test
    void longPollAnswersAtMaxWaitWhenNoDataArrives() throws Exception {
        CompletableFuture<List<FetchResult>> waiting = core.broker.fetch(new FetchParams(-1, 200, 1, 1 << 20,
                IsolationLevel.READ_UNCOMMITTED, List.of(new FetchPartition(T0, 0, 1 << 20))), CTX);
        List<FetchResult> rs = waiting.get(10, TimeUnit.SECONDS);
        assertEquals(ErrorCode.NONE, rs.get(0).error());
        assertTrue(rs.get(0).records().isEmpty());
        assertEquals(0, rs.get(0).highWatermark());
        assertEquals(0, core.purgatory.pendingCount());
    }

    @Test
    void deletingATopicAnswersItsWaitingFetchesAndRemovesItsFiles() throws Exception {
        produce(T0, batch(1, "a"));
        Path partitionDir = dir.resolve("t-0");
        assertTrue(Files.isDirectory(partitionDir));
        CompletableFuture<List<FetchResult>> waiting = core.broker.fetch(new FetchParams(-1, 60_000, 1, 1 << 20,
                IsolationLevel.READ_UNCOMMITTED, List.of(new FetchPartition(T0, 1, 1 << 20))), CTX);
        assertFalse(waiting.isDone());
        assertEquals(ErrorCode.NONE, core.broker.deleteTopic("t", CTX));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, waiting.get(10, TimeUnit.SECONDS).get(0).error());
        assertFalse(Files.exists(partitionDir));
        assertFalse(Files.exists(dir.resolve("t-1")));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, produce(T0, batch(1, "a")).error());
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, core.broker.deleteTopic("t", CTX));

        // a topic of the same name starts empty
        core.broker.createTopic("t", 1, (short) 1, Map.of(), false, CTX);
        assertEquals(0, produce(T0, batch(1, "new")).baseOffset());
    }

    @Test
    void deletionCanBeDisabled() throws IOException {
        core.close();
        core = TestCores.start(settings(Map.of("delete.topic.enable", "false")), store);
        assertEquals(ErrorCode.TOPIC_DELETION_DISABLED, core.broker.deleteTopic("t", CTX));
        assertTrue(core.metadata.topic("t").isPresent());
    }

    @Test
    void listOffsetsFindsEarliestLatestAndTimestamps() {
        assertEquals(-1, core.broker.listOffset(T0, ListOffsetResult.MAX_TIMESTAMP,
                IsolationLevel.READ_UNCOMMITTED).offset());
        produce(T0, TestBatches.batch(new long[] {1000, 1100, 1200}));   // offsets 0..2
        produce(T0, TestBatches.batch(new long[] {5000, 4000}));         // offsets 3..4
        produce(T0, TestBatches.batch(new long[] {2000}));               // offset 5
        IsolationLevel ru = IsolationLevel.READ_UNCOMMITTED;

        assertEquals(new ListOffsetResult(ErrorCode.NONE, -1, 0),
                core.broker.listOffset(T0, ListOffsetResult.EARLIEST_TIMESTAMP, ru));
        assertEquals(new ListOffsetResult(ErrorCode.NONE, -1, 6),
                core.broker.listOffset(T0, ListOffsetResult.LATEST_TIMESTAMP, ru));
        assertEquals(6, core.broker.listOffset(T0, ListOffsetResult.LATEST_TIMESTAMP,
                IsolationLevel.READ_COMMITTED).offset());
        assertEquals(new ListOffsetResult(ErrorCode.NONE, 1100, 1), core.broker.listOffset(T0, 1050, ru));
        assertEquals(new ListOffsetResult(ErrorCode.NONE, 1000, 0), core.broker.listOffset(T0, 0, ru));
        assertEquals(new ListOffsetResult(ErrorCode.NONE, 5000, 3), core.broker.listOffset(T0, 1300, ru));
        assertEquals(new ListOffsetResult(ErrorCode.NONE, -1, -1), core.broker.listOffset(T0, 9000, ru));
        assertEquals(new ListOffsetResult(ErrorCode.NONE, 5000, 3),
                core.broker.listOffset(T0, ListOffsetResult.MAX_TIMESTAMP, ru));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                core.broker.listOffset(new TopicPartition("nope", 0), 0, ru).error());
    }

    @Test
    void createTopicTakesDefaultsAndValidateOnlyCreatesNothing() {
        CreateTopicResult dry = core.broker.createTopic("dry", -1, (short) -1, Map.of(), true, CTX);
        assertEquals(ErrorCode.NONE, dry.error());
        assertEquals(1, dry.topic().partitionCount());
        assertTrue(core.metadata.topic("dry").isEmpty());
        assertFalse(Files.exists(dir.resolve("dry-0")));

        CreateTopicResult bad = core.broker.createTopic("bad", 1, (short) 1, Map.of("flush.ms", "-5"), true, CTX);
        assertEquals(ErrorCode.INVALID_CONFIG, bad.error());
        assertTrue(bad.message().contains("flush.ms"));
        assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS,
                core.broker.createTopic("t", 1, (short) 1, Map.of(), true, CTX).error());
        assertEquals(ErrorCode.INVALID_REPLICATION_FACTOR,
                core.broker.createTopic("rf", 1, (short) 2, Map.of(), false, CTX).error());

        CreateTopicResult real = core.broker.createTopic("real", -1, (short) -1, Map.of(), false, CTX);
        assertEquals(ErrorCode.NONE, real.error());
        assertTrue(Files.isDirectory(dir.resolve("real-0")));
        assertFalse(core.broker.autoCreateTopicsEnabled());
    }

    @Test
    void describeConfigsReportsValuesAndSources() throws IOException {
        core.close();
        core = TestCores.start(settings(Map.of("log.segment.bytes", "2097152")), store);
        core.broker.createTopic("c", 1, (short) 1, Map.of("retention.ms", "1234"), false, CTX);
        Map<String, ConfigEntry> byName = new HashMap<>();
        for (ConfigEntry e : core.broker.describeConfigs(new ConfigResource(ConfigResource.Type.TOPIC, "c"))) {
            byName.put(e.name(), e);
        }
        assertEquals("1234", byName.get("retention.ms").value());
        assertEquals(ConfigEntry.Source.DYNAMIC_TOPIC_CONFIG, byName.get("retention.ms").source());
        assertEquals("2097152", byName.get("segment.bytes").value());
        assertEquals(ConfigEntry.Source.STATIC_BROKER_CONFIG, byName.get("segment.bytes").source());
        assertEquals("1048588", byName.get("max.message.bytes").value());
        assertEquals(ConfigEntry.Source.DEFAULT_CONFIG, byName.get("max.message.bytes").source());
        assertEquals("CreateTime", byName.get("message.timestamp.type").value());
        assertNotEquals(null, byName.get("cleanup.policy"));
        StrataException e = assertThrows(StrataException.class, () -> core.broker.describeConfigs(new ConfigResource(ConfigResource.Type.TOPIC, "nope")));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, e.error());
    }

    @Test
    void dataAndTopicsSurviveARestart() throws Exception {
        produce(T0, batch(1000, "kept"));
        restart();
        assertEquals(1, core.logs.partition(T0).logEndOffset());
        assertEquals(1, core.broker.listOffset(T0, ListOffsetResult.LATEST_TIMESTAMP,
                IsolationLevel.READ_UNCOMMITTED).offset());
        assertEquals(1, produce(T0, batch(1000, "more")).baseOffset());
    }
}
