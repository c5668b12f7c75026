package dev.strata.replication.local.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.replication.ReplicatedPartition;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Local replication commits at once and, in a cluster, takes followers that copy nothing out of the ISR. */
class LocalReplicationTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);

    private final IsrStore store = new IsrStore(1);
    private final LocalReplication replication = new LocalReplication(store);

    @AfterEach
    void close() {
        replication.deactivate();
    }

    /** A leader's partition as the broker hands it over. */
    private static final class TestPartition implements ReplicatedPartition {
        final TopicPartition tp;
        final int epoch;
        volatile long logEnd;
        volatile long hw;

        TestPartition(TopicPartition tp, int epoch, long logEnd) {
            this.tp = tp;
            this.epoch = epoch;
            this.logEnd = logEnd;
        }

        @Override
        public TopicPartition topicPartition() {
            return tp;
        }

        @Override
        public int leaderEpoch() {
            return epoch;
        }

        @Override
        public long logStartOffset() {
            return 0;
        }

        @Override
        public long logEndOffset() {
            return logEnd;
        }

        @Override
        public long highWatermark() {
            return hw;
        }

        @Override
        public boolean advanceHighWatermark(long offset) {
            if (offset <= hw || offset > logEnd) {
                return false;
            }
            hw = offset;
            return true;
        }
    }

    @Test
    void firstAppendShrinksTheIsrToTheLeaderOnce() throws Exception {
        store.state(new PartitionState(TP, 1, 5, List.of(1, 2, 3), List.of(1, 2, 3)));
        TestPartition p = new TestPartition(TP, 5, 0);
        replication.partitionOpened(p);
        p.logEnd = 3;
        replication.leaderAppended(p, 3);
        waitUntil("the ISR shrinks, then the append is committed",
                () -> store.partitionState(TP).get().isr().equals(List.of(1)) && p.highWatermark() == 3);
        assertEquals(List.of(new IsrStore.Call(TP, 5, List.of(1))), store.calls);
        for (int i = 4; i < 20; i++) {
            p.logEnd = i;
            replication.leaderAppended(p, i);
            assertEquals(i, p.highWatermark(), "with the ISR the leader alone, committed at once");
        }
        assertEquals(1, store.calls.size(), "one shrink per leadership");
    }

    @Test
    void emptyLogKeepsFollowersInSyncAndNonEmptyLogShrinksAtOpen() throws Exception {
        TopicPartition empty = new TopicPartition("t", 1);
        store.state(new PartitionState(empty, 1, 0, List.of(1, 2), List.of(1, 2)));
        store.state(new PartitionState(TP, 1, 2, List.of(1, 2), List.of(1, 2)));
        replication.partitionOpened(new TestPartition(empty, 0, 0));
        replication.partitionOpened(new TestPartition(TP, 2, 10));
        waitUntil("the ISR of the partition with data shrinks",
                () -> store.partitionState(TP).get().isr().equals(List.of(1)));
        assertEquals(List.of(new IsrStore.Call(TP, 2, List.of(1))), store.calls, "the empty one is left alone");
        assertEquals(List.of(1, 2), store.partitionState(empty).get().isr());
    }

    @Test
    void aRejoiningReplicaIsTakenBackIntoTheIsrOfEmptyPartitionsOnly() throws Exception {
        // Broker 2 left the ISRs in a controlled shutdown and is gone; broker 3 is registered all along.
        IsrStore cluster = new IsrStore(1);
        cluster.live(1, 3);
        LocalReplication leader = new LocalReplication(cluster);
        try {
            TopicPartition empty = new TopicPartition("t", 1);
            cluster.state(new PartitionState(empty, 1, 4, List.of(2, 1, 3), List.of(1)));
            cluster.state(new PartitionState(TP, 1, 4, List.of(2, 1, 3), List.of(1)));
            leader.partitionOpened(new TestPartition(empty, 4, 0));
            TestPartition withData = new TestPartition(TP, 4, 0);
            leader.partitionOpened(withData);
            withData.logEnd = 3; // written to after it was opened
            leader.leaderAppended(withData, 3);

            cluster.live(1, 2, 3); // broker 2 returns
            waitUntil("broker 2 is back in the ISR of the empty partition, in assignment order",
                    () -> cluster.partitionState(empty).get().isr().equals(List.of(2, 1)));
            assertEquals(List.of(1), cluster.partitionState(TP).get().isr(),
                    "a follower of a log with data is not in sync");
            assertFalse(cluster.calls.contains(new IsrStore.Call(empty, 4, List.of(2, 1, 3))),
                    "broker 3 did not join: it is not taken in");
        } finally {
            leader.deactivate();
        }
    }

    @Test
    void retriableErrorsAreRetriedAndAFencedEpochIsNot() throws Exception {
        store.state(new PartitionState(TP, 1, 7, List.of(1, 2), List.of(1, 2)));
        store.failNext(ErrorCode.REQUEST_TIMED_OUT, ErrorCode.NOT_CONTROLLER);
        replication.partitionOpened(new TestPartition(TP, 7, 1));
        waitUntil("the ISR shrinks after two retries", () -> store.partitionState(TP).get().isr().equals(List.of(1)));
        assertEquals(3, store.calls.size());

        // A leadership whose write is fenced (the controller moved it meanwhile) leaves the ISR as it is.
        TopicPartition other = new TopicPartition("t", 2);
        store.state(new PartitionState(other, 1, 3, List.of(1, 2), List.of(1, 2)));
        store.failNext(ErrorCode.FENCED_LEADER_EPOCH);
        replication.partitionOpened(new TestPartition(other, 3, 1));
        waitUntil("the fenced attempt is made", () -> store.calls.size() == 4);
        assertEquals(new IsrStore.Call(other, 3, List.of(1)), store.calls.get(3));
        assertEquals(List.of(1, 2), store.partitionState(other).get().isr());
    }

    @Test
    void appendsNeverWaitForTheMetadataStore() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        IsrStore slow = new IsrStore(1) {
            @Override
            public PartitionState alterIsr(TopicPartition tp, int leaderEpoch, List<Integer> isr) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.alterIsr(tp, leaderEpoch, isr);
            }
        };
        slow.state(new PartitionState(TP, 1, 0, List.of(1, 2), List.of(1, 2)));
        LocalReplication r = new LocalReplication(slow);
        try {
            TestPartition p = new TestPartition(TP, 0, 0);
            r.partitionOpened(p);
            long start = System.nanoTime();
            for (int i = 1; i <= 1000; i++) {
                p.logEnd = i;
                r.leaderAppended(p, i);
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(0, p.highWatermark(), "nothing is committed while a follower without the data is in the ISR");
            assertTrue(ms < 2000, "appends took " + ms + " ms while the store was blocked");
            release.countDown();
            waitUntil("the ISR shrinks and everything appended is committed",
                    () -> slow.partitionState(TP).get().isr().equals(List.of(1)) && p.highWatermark() == 1000);
        } finally {
            release.countDown();
            r.deactivate();
        }
    }

    @Test
    void withoutMetadataNothingIsShrunk() {
        LocalReplication single = new LocalReplication();
        TestPartition p = new TestPartition(TP, 0, 5);
        single.partitionOpened(p);
        assertEquals(5, p.highWatermark());
        single.partitionClosed(p);
        single.deactivate();
    }

    private static void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }
}
