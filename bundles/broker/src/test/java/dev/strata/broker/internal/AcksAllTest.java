package dev.strata.broker.internal;

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
import dev.strata.api.replication.ReplicatedPartition;
import dev.strata.api.replication.Replication;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** acks=-1 through the replication seam, with a stand-in for followers that commit only when told. */
class AcksAllTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");

    /** Commits nothing on append; the test moves the high watermark as a follower fetch would. */
    static final class ManualReplication implements Replication {
        @Override
        public void partitionOpened(ReplicatedPartition partition) {
            partition.advanceHighWatermark(partition.logEndOffset());
        }

        @Override
        public void leaderAppended(ReplicatedPartition partition, long logEndOffset) {
        }

        @Override
        public void partitionClosed(ReplicatedPartition partition) {
        }
    }

    private static FetchResult read(BrokerCore core, int replicaId, TopicPartition tp) {
        return core.broker.fetch(new FetchParams(replicaId, 0, 1, 1 << 20, IsolationLevel.READ_UNCOMMITTED,
                List.of(new FetchPartition(tp, 0, 1 << 20))), CTX).join().get(0);
    }

    @TempDir
    Path dir;

    @Test
    void acksAllWaitsForTheHighWatermarkAndTimesOut() throws Exception {
        try (BrokerCore core = TestCores.start(BrokerSettings.of(Map.of("log.dirs", dir.toString())),
                new InMemoryIndexLogStore(), System::currentTimeMillis, new ManualReplication())) {
            core.broker.createTopic("t", 1, (short) 1, Map.of(), false, CTX);
            TopicPartition tp = new TopicPartition("t", 0);

            ProduceResult leaderOnly = core.broker.produce(tp, TestBatches.batch(1, "a"), (short) 1, 100, CTX)
                    .get(10, TimeUnit.SECONDS);
            assertEquals(ErrorCode.NONE, leaderOnly.error());

            ProduceResult timedOut = core.broker.produce(tp, TestBatches.batch(1, "b"), (short) -1, 100, CTX)
                    .get(10, TimeUnit.SECONDS);
            assertEquals(ErrorCode.REQUEST_TIMED_OUT, timedOut.error());

            CompletableFuture<ProduceResult> waiting = core.broker.produce(tp, TestBatches.batch(1, "c"), (short) -1,
                    60_000, CTX);
            Partition p = core.logs.partition(tp);
            assertTrue(p.advanceHighWatermark(2));
            assertFalse(waiting.isDone(), "the high watermark has not passed the batch at offset 2");
            assertFalse(p.advanceHighWatermark(1), "never backwards");
            assertFalse(p.advanceHighWatermark(4), "never past the log end offset");
            assertTrue(p.advanceHighWatermark(3)); // as a follower's fetch would, outside the partition lock
            ProduceResult committed = waiting.get(10, TimeUnit.SECONDS);
            assertEquals(ErrorCode.NONE, committed.error());
            assertEquals(2, committed.baseOffset());

            // consumers see only what is below the high watermark; followers see everything
            core.broker.produce(tp, TestBatches.batch(1, "d"), (short) 1, 100, CTX).get();
            assertEquals(3, read(core, -1, tp).highWatermark());
            assertEquals(3, TestBatches.batches(read(core, -1, tp).records()).size());
            assertEquals(4, TestBatches.batches(read(core, 1, tp).records()).size());
        }
    }
}
