package dev.strata.group.internal;

import static dev.strata.group.internal.GroupTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.api.group.OffsetAndMetadata;
import dev.strata.api.group.OffsetCommitRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing the coordinator (a DS re-activation on a config change) while its scheduler thread writes to or reads
 * from {@code __consumer_offsets} must leave the log usable: no interrupt may reach a FileChannel operation (an
 * interrupted channel closes for every user of the segment).
 */
class CloseDuringWritesTest {
    @TempDir
    Path dir;

    @Test
    void closingWhileRetentionWritesTombstonesLeavesTheOffsetsTopicReadable() throws Exception {
        CoordinatorSettings d = GroupTestSupport.settings();
        // Offsets expire after 1 ms and the check runs every 20 ms: the scheduler thread keeps appending tombstones.
        CoordinatorSettings busy = new CoordinatorSettings(d.offsetsTopicPartitions(),
                d.offsetsTopicReplicationFactor(), d.minSessionTimeoutMs(), d.maxSessionTimeoutMs(), 0,
                d.maxGroupSize(), 1, 20, d.offsetMetadataMaxBytes(), d.offsetsCommitTimeoutMs(),
                d.offsetsLoadBufferSize());
        TopicPartition tp = new TopicPartition("t", 0);
        try (RealBroker broker = new RealBroker(dir)) {
            broker.createTopic("t", 1);
            for (int round = 0; round < 15; round++) {
                GroupCoordinatorService c = new GroupCoordinatorService(broker.broker(), busy);
                c.start();
                c.awaitLoaded(10_000);
                for (int g = 0; g < 40; g++) {
                    await(c.commitOffsets(new OffsetCommitRequest("g" + round + "-" + g, -1, "", null,
                            Map.of(tp, new OffsetAndMetadata(g, -1, "")))));
                }
                Thread.sleep(round % 5 * 7); // close at varying points of the expiry writes
                c.close();
                assertReadable(broker, c);
            }
        }
    }

    private static void assertReadable(RealBroker broker, GroupCoordinatorService c) throws Exception {
        int partitions = broker.broker().metadata().topic(GroupCoordinator.OFFSETS_TOPIC).orElseThrow()
                .partitionCount();
        List<FetchPartition> all = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            all.add(new FetchPartition(new TopicPartition(GroupCoordinator.OFFSETS_TOPIC, p), 0, 1 << 20));
        }
        List<FetchResult> results = broker.broker().fetch(new FetchParams(-1, 0, 0, 1 << 24,
                IsolationLevel.READ_UNCOMMITTED, all), OffsetsTopic.CONTEXT).get(10, TimeUnit.SECONDS);
        for (FetchResult r : results) {
            assertEquals(ErrorCode.NONE, r.error(), "a partition of __consumer_offsets after close");
        }
    }
}
