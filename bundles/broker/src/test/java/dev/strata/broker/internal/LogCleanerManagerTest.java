package dev.strata.broker.internal;

import static dev.strata.broker.internal.TestBatches.batches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.cleaner.LogCleaner;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.TopicPartition;
import dev.strata.cleaner.internal.DefaultLogCleaner;
import dev.strata.record.BatchRecord;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordBatchBuilder;
import dev.strata.record.Records;
import dev.strata.storage.segment.internal.MmapOffsetIndexFactory;
import dev.strata.storage.segment.internal.SegmentLogStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cleaner threads on a real broker core and segment store: a compacted topic over its dirty ratio is cleaned
 * (latest value per key at its offset), the checkpoint remembers where, settings apply live, close stops them.
 */
class LogCleanerManagerTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");
    private static final TopicPartition C0 = new TopicPartition("c", 0);

    @TempDir
    Path dir;
    private BrokerCore core;
    private LogCleanerManager manager;
    private final AtomicReference<LogCleaner> cleaner = new AtomicReference<>(new DefaultLogCleaner());

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.close();
        }
        if (core != null) {
            core.close();
        }
    }

    private BrokerSettings settings(Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put("log.dirs", dir.toString());
        props.put("log.cleaner.backoff.ms", "20");
        return BrokerSettings.of(props);
    }

    private void start(BrokerSettings s) throws IOException {
        core = TestCores.start(s, new SegmentLogStore(new MmapOffsetIndexFactory(), System::currentTimeMillis));
        manager = new LogCleanerManager(dir, core.logs, core.metadata, cleaner::get, s, System::currentTimeMillis);
    }

    /** 100 batches of 10 updates of 20 keys; returns key -> latest offset. */
    private Map<String, Long> produce(TopicPartition tp) {
        Map<String, Long> latest = new HashMap<>();
        for (int b = 0; b < 100; b++) {
            RecordBatchBuilder builder = new RecordBatchBuilder();
            for (int i = 0; i < 10; i++) {
                builder.add(System.currentTimeMillis(), ("k" + ((b * 10 + i) % 20)).getBytes(StandardCharsets.UTF_8),
                        ("v" + b + "-" + i).getBytes(StandardCharsets.UTF_8));
            }
            var r = core.broker.produce(tp, builder.build(), (short) 1, 1000, CTX).join();
            assertEquals(ErrorCode.NONE, r.error(), r.message());
            for (int i = 0; i < 10; i++) {
                latest.put("k" + ((b * 10 + i) % 20), r.baseOffset() + i);
            }
        }
        return latest;
    }

    /** key -> offsets of the records of that key in the log, fetched from 0 to the end. */
    private Map<String, List<Long>> read(TopicPartition tp) throws IOException {
        Map<String, List<Long>> offsets = new HashMap<>();
        long next = 0;
        while (next < core.logs.partition(tp).logEndOffset()) {
            FetchResult r = core.broker.fetch(new FetchParams(-1, 0, 1, 64 << 20, IsolationLevel.READ_UNCOMMITTED,
                    List.of(new FetchPartition(tp, next, 64 << 20))), CTX).join().get(0);
            assertEquals(ErrorCode.NONE, r.error());
            for (RecordBatch batch : batches(r.records())) {
                for (BatchRecord rec : Records.readAll(batch, null, Integer.MAX_VALUE)) {
                    offsets.computeIfAbsent(StandardCharsets.UTF_8.decode(rec.key()).toString(),
                            k -> new java.util.ArrayList<>()).add(rec.offset());
                }
                next = batch.nextOffset();
            }
            r.records().release();
        }
        return offsets;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not within 20 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    private long cleanedUpTo(TopicPartition tp) {
        return manager.firstDirtyOffsets().getOrDefault(tp, -1L);
    }

    @Test
    void compactedTopicsAreCleanedAndTheCheckpointKeepsWhere() throws Exception {
        start(settings(Map.of()));
        assertEquals(ErrorCode.NONE, core.broker.createTopic("c", 1, (short) 1, Map.of("cleanup.policy", "compact",
                "segment.bytes", "2048", "min.cleanable.dirty.ratio", "0.01"), false, CTX).error());
        assertEquals(ErrorCode.NONE, core.broker.createTopic("d", 1, (short) 1, Map.of("segment.bytes", "2048"),
                false, CTX).error());
        Map<String, Long> latest = produce(C0);
        produce(new TopicPartition("d", 0));
        long activeBase = core.logs.partition(C0).log().segments().get(
                core.logs.partition(C0).log().segments().size() - 1).baseOffset();

        manager.start();
        await("c-0 cleaned up to its active segment", () -> cleanedUpTo(C0) == activeBase);

        Map<String, List<Long>> after = read(C0);
        for (Map.Entry<String, Long> e : latest.entrySet()) {
            List<Long> offsets = after.get(e.getKey());
            assertEquals(e.getValue(), offsets.get(offsets.size() - 1), "the latest value of " + e.getKey());
            assertTrue(offsets.stream().filter(o -> o < activeBase).count() <= 1,
                    "one record per key in the cleaned part: " + offsets);
        }
        assertEquals(100, read(new TopicPartition("d", 0)).values().stream().mapToInt(List::size).sum() / 10,
                "the topic with cleanup.policy=delete is not compacted");
        assertFalse(manager.firstDirtyOffsets().containsKey(new TopicPartition("d", 0)));
        assertEquals(Map.of(C0, activeBase), new CleanerCheckpoint(dir).read());

        // Deleting the topic drops its entry, so a topic created again under the name starts from its log start.
        assertEquals(ErrorCode.NONE, core.broker.deleteTopic("c", CTX));
        await("c-0 forgotten", () -> !manager.firstDirtyOffsets().containsKey(C0));
        assertEquals(Map.of(), new CleanerCheckpoint(dir).read());
    }

    @Test
    void theOffsetsTopicIsCompactedToo() throws Exception {
        start(settings(Map.of()));
        RequestContext coordinator = RequestContext.internal("strata-group-coordinator");
        TopicPartition offsets = new TopicPartition("__consumer_offsets", 0);
        assertEquals(ErrorCode.NONE, core.broker.createTopic("__consumer_offsets", 1, (short) 1,
                Map.of("cleanup.policy", "compact", "segment.bytes", "2048"), false, coordinator).error());
        for (int b = 0; b < 50; b++) {
            RecordBatchBuilder builder = new RecordBatchBuilder();
            for (int i = 0; i < 10; i++) {
                builder.add(System.currentTimeMillis(), ("group-" + i).getBytes(StandardCharsets.UTF_8),
                        ("commit-" + b).getBytes(StandardCharsets.UTF_8));
            }
            assertEquals(ErrorCode.NONE, core.broker.produce(offsets, builder.build(), (short) -1, 1000, coordinator)
                    .join().error());
        }
        manager.start();
        await("__consumer_offsets-0 cleaned", () -> cleanedUpTo(offsets) > 0);
        long cleaned = cleanedUpTo(offsets);
        Map<String, List<Long>> after = read(offsets);
        for (List<Long> o : after.values()) {
            assertTrue(o.stream().filter(x -> x < cleaned).count() <= 1, "one commit per key is left: " + o);
        }
    }

    @Test
    void settingsApplyLiveAndCloseStopsTheThreads() throws Exception {
        start(settings(Map.of("log.cleaner.enable", "false")));
        assertEquals(ErrorCode.NONE, core.broker.createTopic("c", 1, (short) 1, Map.of("cleanup.policy", "compact",
                "segment.bytes", "2048", "min.cleanable.dirty.ratio", "0.01"), false, CTX).error());
        produce(C0);
        manager.start();
        assertTrue(cleanerThreads().isEmpty(), "disabled: no thread");

        manager.reconfigure(settings(Map.of("log.cleaner.threads", "2")));
        await("two cleaner threads", () -> cleanerThreads().size() == 2);
        await("c-0 cleaned", () -> cleanedUpTo(C0) > 0);

        manager.close();
        manager = null;
        assertTrue(cleanerThreads().isEmpty(), "close waits for the threads");
    }

    private static List<Thread> cleanerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("strata-log-cleaner-") && t.isAlive()).toList();
    }
}
