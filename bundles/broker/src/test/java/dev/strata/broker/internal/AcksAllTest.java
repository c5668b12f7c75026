package dev.strata.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.strata.api.broker.ProduceResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import java.nio.file.Path;
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
        public void onLeaderAppend(Partition partition, long logEndOffset) {
        }

        @Override
        public void onPartitionOpened(Partition partition, long logEndOffset) {
            partition.advanceHighWatermark(logEndOffset);
        }
    }

    @TempDir
    Path dir;

    @Test
    void acksAllWaitsForTheHighWatermarkAndTimesOut() throws Exception {
        try (BrokerCore core = BrokerCore.start(BrokerSettings.of(Map.of("log.dirs", dir.toString())),
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
            p.advanceHighWatermark(2);
            p.completeHighWatermarkWaiters();
            assertFalse(waiting.isDone(), "the high watermark has not passed the batch at offset 2");
            p.advanceHighWatermark(3);
            p.completeHighWatermarkWaiters();
            ProduceResult committed = waiting.get(10, TimeUnit.SECONDS);
            assertEquals(ErrorCode.NONE, committed.error());
            assertEquals(2, committed.baseOffset());
        }
    }
}
