package dev.strata.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.LogConfig;
import dev.strata.api.log.PartitionLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerStateTest {
    @TempDir
    Path dir;

    @Test
    void onlyTheLastFiveBatchesAreRecognisedAsDuplicates() {
        ProducerStateManager state = new ProducerStateManager("t-0");
        for (int i = 0; i < 7; i++) {
            assertTrue(state.check(1, (short) 0, i * 2, i * 2 + 1).isAccepted());
            state.update(1, (short) 0, i * 2, i * 2 + 1, i * 10L, i * 10L + 1, -1, 0);
        }
        assertEquals(20, state.check(1, (short) 0, 4, 5).duplicate().firstOffset());
        assertEquals(60, state.check(1, (short) 0, 12, 13).duplicate().firstOffset());
        // too old to be known: neither a duplicate nor in sequence
        assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, state.check(1, (short) 0, 2, 3).error());
        assertTrue(state.check(1, (short) 0, 14, 14).isAccepted());
    }

    @Test
    void sequencesWrapAtIntegerMax() {
        ProducerStateManager state = new ProducerStateManager("t-0");
        state.update(9, (short) 2, Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 0, 1, -1, 0);
        assertTrue(state.check(9, (short) 2, 0, 3).isAccepted());
        assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, state.check(9, (short) 2, 1, 3).error());
    }

    @Test
    void idleProducersExpire() {
        ProducerStateManager state = new ProducerStateManager("t-0");
        state.update(1, (short) 0, 0, 0, 0, 0, -1, 1_000);
        state.update(2, (short) 0, 0, 0, 1, 1, -1, 5_000);
        assertEquals(1, state.removeExpired(6_000, 2_000));
        assertEquals(1, state.producerCount());
        assertTrue(state.check(1, (short) 0, 77, 77).isAccepted(), "a forgotten producer is unknown again");
    }

    @Test
    void theTailScanReadsOnlyTheLastPartOfALargeLog() throws Exception {
        PartitionLog log = new InMemoryIndexLogStore().open(dir.resolve("t-0"), new TopicPartition("t", 0),
                LogConfig.DEFAULT);
        int batchSize = 0;
        for (int i = 0; i < 100; i++) {
            var b = TestBatches.idempotent(5, (short) 0, i, "value-" + i);
            b.putLong(0, i);
            batchSize = b.remaining();
            log.append(b);
        }
        List<LogTailScanner.BatchHeader> all = new ArrayList<>();
        assertEquals(100, LogTailScanner.scan(log, Long.MAX_VALUE, all::add));
        assertEquals(99, all.get(99).baseSequence());
        assertEquals(5, all.get(99).producerId());

        List<LogTailScanner.BatchHeader> tail = new ArrayList<>();
        int n = LogTailScanner.scan(log, 10L * batchSize, tail::add);
        assertTrue(n >= 10 && n < 100, "scanned " + n + " batches");
        assertEquals(99, tail.get(tail.size() - 1).lastOffset());
        log.close();
    }
}
