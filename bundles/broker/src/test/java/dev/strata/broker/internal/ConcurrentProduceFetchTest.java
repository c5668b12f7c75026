package dev.strata.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.ProduceResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.TopicPartition;
import dev.strata.record.RecordBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idempotent producers on several threads and a long-polling consumer on the same partition. */
class ConcurrentProduceFetchTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedBatchIsReadOnceInOffsetOrder() throws Exception {
        int producers = 6;
        int batchesEach = 150;
        try (BrokerCore core = TestCores.start(BrokerSettings.of(Map.of("log.dirs", dir.toString())),
                new InMemoryIndexLogStore())) {
            core.broker.createTopic("c", 1, (short) 1, Map.of(), false, CTX);
            TopicPartition tp = new TopicPartition("c", 0);
            ExecutorService pool = Executors.newFixedThreadPool(producers + 1);
            try {
                Future<Long> consumer = pool.submit(() -> {
                    long next = 0;
                    while (next < (long) producers * batchesEach) {
                        List<FetchResult> rs = core.broker.fetch(new FetchParams(-1, 5000, 1, 64 * 1024,
                                IsolationLevel.READ_UNCOMMITTED, List.of(new FetchPartition(tp, next, 64 * 1024))),
                                CTX).get(30, TimeUnit.SECONDS);
                        assertEquals(ErrorCode.NONE, rs.get(0).error());
                        for (RecordBatch b : TestBatches.batches(rs.get(0).records())) {
                            if (b.lastOffset() < next) {
                                continue;
                            }
                            assertEquals(next, b.baseOffset(), "batches follow each other without gaps");
                            next = b.nextOffset();
                        }
                    }
                    return next;
                });
                Set<Long> acked = ConcurrentHashMap.newKeySet();
                List<Future<?>> writers = new ArrayList<>();
                for (int p = 0; p < producers; p++) {
                    long pid = core.broker.initProducerId(null, 60000, CTX).producerId();
                    writers.add(pool.submit(() -> {
                        for (int seq = 0; seq < batchesEach; seq++) {
                            ProduceResult r = core.broker.produce(tp, TestBatches.idempotent(pid, (short) 0, seq,
                                    "v" + seq), (short) -1, 5000, CTX).get(30, TimeUnit.SECONDS);
                            assertEquals(ErrorCode.NONE, r.error(), r.message());
                            assertTrue(acked.add(r.baseOffset()), "offset " + r.baseOffset() + " given twice");
                            if (seq % 10 == 0) { // a retry of what was just acknowledged changes nothing
                                ProduceResult again = core.broker.produce(tp, TestBatches.idempotent(pid,
                                        (short) 0, seq, "v" + seq), (short) 1, 5000, CTX).get();
                                assertEquals(r.baseOffset(), again.baseOffset());
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> w : writers) {
                    w.get(60, TimeUnit.SECONDS);
                }
                assertEquals((long) producers * batchesEach, consumer.get(60, TimeUnit.SECONDS));
                assertEquals(producers * batchesEach, acked.size());
                assertEquals((long) producers * batchesEach, core.logs.partition(tp).logEndOffset());
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
