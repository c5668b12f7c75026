package dev.strata.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.ListOffsetResult;
import dev.strata.api.broker.ProduceResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.replication.Replication;
import dev.strata.api.replication.ReplicatedPartition;
import dev.strata.metadata.local.internal.LocalMetadataStore;
import dev.strata.record.RecordBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker in a cluster, with a stand-in metadata store that moves leadership: the client paths serve only the
 * partitions led here, logs open only for replicas here, and leadership changes move the epoch, the replication seam
 * and the waiting requests.
 */
class LeadershipTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");
    private static final int ME = 0;
    private static final int OTHER = 2;
    private static final TopicPartition LED = new TopicPartition("t", 0);
    private static final TopicPartition FOLLOWED = new TopicPartition("t", 1);
    private static final TopicPartition ELSEWHERE = new TopicPartition("t", 2);

    /** Local replication that records the seam's calls, and commits only when told after {@link #holdCommits}. */
    static final class RecordingReplication implements Replication {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile boolean holdCommits;

        @Override
        public void partitionOpened(ReplicatedPartition p) {
            calls.add("opened " + p.topicPartition() + " epoch " + p.leaderEpoch());
            p.advanceHighWatermark(p.logEndOffset());
        }

        @Override
        public void leaderAppended(ReplicatedPartition p, long logEndOffset) {
            if (!holdCommits) {
                p.advanceHighWatermark(logEndOffset);
            }
        }

        @Override
        public void partitionClosed(ReplicatedPartition p) {
            calls.add("closed " + p.topicPartition());
        }
    }

    @TempDir
    Path dir;
    private ClusterStandIn cluster;
    private final RecordingReplication replication = new RecordingReplication();
    private BrokerCore core;

    @BeforeEach
    void start() throws Exception {
        cluster = new ClusterStandIn(new LocalMetadataStore(dir, ME));
        cluster.addBroker(OTHER);
        core = startCore();
        cluster.setState(new PartitionState(FOLLOWED, OTHER, 1, List.of(OTHER, ME), List.of(OTHER, ME)));
        cluster.setState(new PartitionState(ELSEWHERE, OTHER, 1, List.of(OTHER), List.of(OTHER)));
        assertEquals(ErrorCode.NONE, core.broker.createTopic("t", 3, (short) 1, Map.of(), false, CTX).error());
    }

    private BrokerCore startCore() throws Exception {
        return BrokerCore.start(BrokerSettings.of(Map.of("log.dirs", dir.toString())), new InMemoryIndexLogStore(),
                cluster, replication, new CompressionCodecs(), System::currentTimeMillis);
    }

    @AfterEach
    void stop() {
        if (core != null) {
            core.close();
        }
    }

    private ProduceResult produce(TopicPartition tp, short acks) throws Exception {
        return core.broker.produce(tp, TestBatches.batch(1, "v"), acks, 30_000, CTX).get(10, TimeUnit.SECONDS);
    }

    private CompletableFuture<List<FetchResult>> fetch(TopicPartition tp, long offset, int maxWaitMs) {
        return core.broker.fetch(new FetchParams(-1, maxWaitMs, 1, 1 << 20, IsolationLevel.READ_UNCOMMITTED,
                List.of(new FetchPartition(tp, offset, 1 << 20))), CTX);
    }

    @Test
    void clientPathsServeOnlyPartitionsLedHere() throws Exception {
        assertEquals(ErrorCode.NONE, produce(LED, (short) 1).error());
        for (TopicPartition tp : List.of(FOLLOWED, ELSEWHERE)) {
            assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, produce(tp, (short) 1).error(), tp.toString());
            assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, fetch(tp, 0, 0).get(10, TimeUnit.SECONDS).get(0).error());
            assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, core.broker.listOffset(tp,
                    ListOffsetResult.LATEST_TIMESTAMP, IsolationLevel.READ_UNCOMMITTED).error());
            assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, core.broker.deleteRecords(tp, 0, 1000, CTX)
                    .get(10, TimeUnit.SECONDS).error());
            StrataException e = assertThrows(StrataException.class, () -> core.broker.describeProducers(tp));
            assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, e.error());
        }
        TopicPartition unknown = new TopicPartition("nope", 0);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, produce(unknown, (short) 1).error());
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, fetch(unknown, 0, 0).get(10, TimeUnit.SECONDS).get(0)
                .error());
        // Logs open for the replicas here only, led or followed.
        assertTrue(Files.isDirectory(core.logs.directoryOf(LED)));
        assertTrue(Files.isDirectory(core.logs.directoryOf(FOLLOWED)));
        assertFalse(Files.exists(core.logs.directoryOf(ELSEWHERE)));
        assertEquals(List.of("opened t-0 epoch 0"), replication.calls, "replication sees the led partition only");
    }

    @Test
    void batchesCarryTheCurrentLeaderEpoch() throws Exception {
        assertEquals(ErrorCode.NONE, produce(LED, (short) 1).error());
        cluster.setState(new PartitionState(LED, ME, 3, List.of(ME), List.of(ME)));
        assertEquals(ErrorCode.NONE, produce(LED, (short) 1).error());
        cluster.setState(new PartitionState(LED, ME, 2, List.of(ME), List.of(ME))); // late event: ignored
        assertEquals(ErrorCode.NONE, produce(LED, (short) 1).error());
        FetchResult r = fetch(LED, 0, 0).get(10, TimeUnit.SECONDS).get(0);
        try {
            List<Integer> epochs = TestBatches.batches(r.records()).stream().map(RecordBatch::partitionLeaderEpoch)
                    .toList();
            assertEquals(List.of(0, 3, 3), epochs);
        } finally {
            r.records().release();
        }
        assertEquals(3, core.logs.partition(LED).leaderEpoch());
    }

    @Test
    void losingLeadershipAnswersWaitingRequestsAndRegainingItReopensReplication() throws Exception {
        assertEquals(ErrorCode.NONE, produce(LED, (short) 1).error());
        CompletableFuture<List<FetchResult>> heldFetch = fetch(LED, 1, 30_000);
        replication.holdCommits = true;
        CompletableFuture<ProduceResult> heldAck = core.broker.produce(LED, TestBatches.batch(1, "w"), (short) -1,
                30_000, CTX);
        heldFetch.get(10, TimeUnit.SECONDS).get(0).records().release(); // the append woke it with the new batch
        CompletableFuture<List<FetchResult>> heldFetch2 = fetch(LED, 2, 30_000);
        assertFalse(heldAck.isDone());
        assertFalse(heldFetch2.isDone());

        cluster.setState(new PartitionState(LED, OTHER, 1, List.of(ME, OTHER), List.of(OTHER)));
        assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, heldAck.get(10, TimeUnit.SECONDS).error());
        assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, heldFetch2.get(10, TimeUnit.SECONDS).get(0).error());
        assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, produce(LED, (short) 1).error());
        assertEquals(List.of("opened t-0 epoch 0", "closed t-0"), replication.calls);
        assertTrue(core.logs.partitions().stream().anyMatch(p -> p.topicPartition().equals(LED)),
                "the log stays open: the broker still holds a replica");

        replication.holdCommits = false;
        cluster.setState(new PartitionState(LED, ME, 2, List.of(ME, OTHER), List.of(ME)));
        assertEquals(List.of("opened t-0 epoch 0", "closed t-0", "opened t-0 epoch 2"), replication.calls);
        ProduceResult again = produce(LED, (short) -1);
        assertEquals(ErrorCode.NONE, again.error());
        assertEquals(2, again.baseOffset(), "the log kept both earlier batches");
    }

    @Test
    void partitionAssignedHereLaterOpensAndOneMovedAwayCloses() throws Exception {
        cluster.setState(new PartitionState(ELSEWHERE, ME, 2, List.of(ME), List.of(ME)));
        assertTrue(Files.isDirectory(core.logs.directoryOf(ELSEWHERE)));
        assertEquals(ErrorCode.NONE, produce(ELSEWHERE, (short) 1).error());

        cluster.setState(new PartitionState(FOLLOWED, OTHER, 2, List.of(OTHER), List.of(OTHER)));
        assertFalse(core.logs.partitions().stream().anyMatch(p -> p.topicPartition().equals(FOLLOWED)));
        assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, produce(FOLLOWED, (short) 1).error());
    }

    @Test
    void restartOpensOnlyTheReplicasHereAndDeletionRemovesThem() throws Exception {
        assertEquals(ErrorCode.NONE, produce(LED, (short) 1).error());
        core.close();
        core = null;
        core = startCore();
        assertEquals(List.of(LED, FOLLOWED), core.logs.partitions().stream().map(Partition::topicPartition)
                .sorted((a, b) -> Integer.compare(a.partition(), b.partition())).toList());
        assertTrue(core.logs.partition(LED).isLeader());
        assertFalse(core.logs.partition(FOLLOWED).isLeader());
        assertEquals(1, core.broker.listOffset(LED, ListOffsetResult.LATEST_TIMESTAMP,
                IsolationLevel.READ_UNCOMMITTED).offset());

        assertEquals(ErrorCode.NONE, core.broker.deleteTopic("t", CTX));
        assertTrue(core.logs.partitions().isEmpty());
        assertFalse(Files.exists(core.logs.directoryOf(LED)));
        assertFalse(Files.exists(core.logs.directoryOf(FOLLOWED)));
    }

    @Test
    void replicationFactorBeyondTheLiveBrokersIsRefusedAsKafkaDoes() {
        var r = core.broker.createTopic("big", 1, (short) 3, Map.of(), false, CTX);
        assertEquals(ErrorCode.INVALID_REPLICATION_FACTOR, r.error());
        assertEquals("Replication factor: 3 larger than available brokers: 2.", r.message());
    }
}
