package dev.strata.broker.internal;

import static dev.strata.broker.internal.TestBatches.batch;
import static dev.strata.broker.internal.TestBatches.idempotent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.ProduceResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.LogStore;
import dev.strata.metadata.local.internal.LocalMetadataStore;
import dev.strata.record.BatchRecord;
import dev.strata.replication.local.internal.LocalReplication;
import dev.strata.record.RecordBatch;
import dev.strata.record.Records;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker keeps running while its log store is replaced or missing (issue 9): partitions move to a new store
 * with their data, appends are held in order while a partition has no log and go on when it has one again, and
 * get KAFKA_STORAGE_ERROR once the configured wait is over.
 */
class LogStoreSwapTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");
    private static final TopicPartition TP0 = new TopicPartition("t", 0);
    private static final TopicPartition TP1 = new TopicPartition("t", 1);

    @TempDir
    Path dir;

    private final InMemoryIndexLogStore first = new InMemoryIndexLogStore();
    private final InMemoryIndexLogStore second = new InMemoryIndexLogStore();
    private BrokerComponent broker;

    private void start(long waitMs) throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("log.dirs", dir.toString());
        config.put("log.store.unavailable.wait.ms", String.valueOf(waitMs));
        broker = new BrokerComponent(first, new LocalMetadataStore(config), config, new LocalReplication());
        broker.openCore(config);
        assertEquals(ErrorCode.NONE, broker.createTopic("t", 2, (short) -1, Map.of(), false, CTX).error());
    }

    @AfterEach
    void stop() {
        broker.deactivate();
    }

    private static Map<String, Object> props(String name, long serviceId) {
        return Map.of(LogStore.PROPERTY_NAME, name, "service.id", serviceId);
    }

    @Test
    void aReplacementStoreGetsEveryPartitionWithItsDataWhileTheBrokerRuns() throws Exception {
        start(10_000);
        for (int i = 0; i < 5; i++) {
            assertEquals(i, broker.produce(TP0, batch(i, "a" + i), (short) -1, 5000, CTX).join().baseOffset());
            assertEquals(i, broker.produce(TP1, batch(i, "b" + i), (short) 1, 5000, CTX).join().baseOffset());
        }
        // DS replaces a greedy dynamic reference by binding the new service, then unbinding the old one.
        broker.bindLogStore(second, props("second", 2));
        broker.unbindLogStore(first);
        awaitAllOn(second);
        assertTrue(first.opened.values().stream().allMatch(l -> l.closed), "the old store's logs are closed");

        assertEquals(5, broker.produce(TP0, batch(9, "a5"), (short) -1, 5000, CTX).join().baseOffset());
        assertEquals(List.of("a0", "a1", "a2", "a3", "a4", "a5"), values(TP0));
        assertEquals(List.of("b0", "b1", "b2", "b3", "b4"), values(TP1));
    }

    @Test
    void appendsWithoutAStoreAreHeldInOrderAndGoOnWhenAStoreIsBound() throws Exception {
        start(30_000);
        assertEquals(ErrorCode.NONE, broker.produce(TP0, idempotent(7, (short) 0, 0, "x0"), (short) -1, 5000, CTX)
                .join().error());
        broker.unbindLogStore(first);
        assertTrue(first.opened.values().stream().allMatch(l -> l.closed), "unbind closes the logs at once");

        List<CompletableFuture<ProduceResult>> held = new ArrayList<>();
        for (int seq = 1; seq <= 20; seq++) {
            held.add(broker.produce(TP0, idempotent(7, (short) 0, seq, "x" + seq), (short) -1, 5000, CTX));
        }
        CompletableFuture<List<FetchResult>> fetch = broker.fetch(new FetchParams(-1, 30_000, 1, 1 << 20,
                IsolationLevel.READ_UNCOMMITTED, List.of(new FetchPartition(TP0, 1, 1 << 20))), CTX);
        assertFalse(held.get(0).isDone(), "an append without a log waits");
        assertFalse(fetch.isDone(), "a fetch without a log waits as for new data");
        assertEquals(ErrorCode.NONE, broker.listOffset(TP0, -1, IsolationLevel.READ_UNCOMMITTED).error(),
                "the last offsets seen are still answered");

        broker.bindLogStore(second, props("second", 2));
        for (int i = 0; i < held.size(); i++) {
            ProduceResult r = held.get(i).get(10, TimeUnit.SECONDS);
            assertEquals(ErrorCode.NONE, r.error(), r.message());
            assertEquals(i + 1, r.baseOffset(), "held appends keep their order");
        }
        FetchResult woken = fetch.get(10, TimeUnit.SECONDS).get(0);
        assertEquals(ErrorCode.NONE, woken.error());
        woken.records().release();
        assertEquals(21, values(TP0).size());
    }

    @Test
    void aPartitionWithoutALogAnswersKafkaStorageErrorOnceTheWaitIsOver() throws Exception {
        start(300);
        broker.produce(TP0, batch(1, "a"), (short) 1, 5000, CTX).join();
        broker.unbindLogStore(first);
        long start = System.nanoTime();
        ProduceResult r = broker.produce(TP0, batch(2, "b"), (short) 1, 5000, CTX).get(10, TimeUnit.SECONDS);
        assertEquals(ErrorCode.KAFKA_STORAGE_ERROR, r.error());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250), "held for the wait first");
        FetchResult f = broker.fetch(new FetchParams(-1, 0, 0, 1 << 20, IsolationLevel.READ_UNCOMMITTED,
                List.of(new FetchPartition(TP0, 0, 1 << 20))), CTX).get(10, TimeUnit.SECONDS).get(0);
        assertEquals(ErrorCode.KAFKA_STORAGE_ERROR, f.error());

        broker.bindLogStore(second, props("second", 2));
        awaitAllOn(second);
        assertEquals(1, broker.produce(TP0, batch(3, "c"), (short) 1, 5000, CTX).join().baseOffset());
        assertEquals(List.of("a", "c"), values(TP0));
    }

    private void awaitAllOn(LogStore store) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!broker.logManager().partitions().stream().allMatch(p -> p.logOrigin() != null
                && p.logOrigin().store() == store)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("partitions not moved to the new store: " + broker.logManager().partitions());
            }
            Thread.sleep(10);
        }
    }

    private List<String> values(TopicPartition tp) throws Exception {
        FetchResult r = broker.fetch(new FetchParams(-1, 0, 0, 1 << 20, IsolationLevel.READ_UNCOMMITTED,
                List.of(new FetchPartition(tp, 0, 1 << 20))), CTX).get(10, TimeUnit.SECONDS).get(0);
        assertEquals(ErrorCode.NONE, r.error());
        List<String> out = new ArrayList<>();
        try {
            for (RecordBatch b : TestBatches.batches(r.records())) {
                for (BatchRecord rec : Records.readAll(b, null, 1 << 20)) {
                    out.add(StandardCharsets.UTF_8.decode(rec.value().duplicate()).toString());
                }
            }
        } finally {
            r.records().release();
        }
        return out;
    }
}
