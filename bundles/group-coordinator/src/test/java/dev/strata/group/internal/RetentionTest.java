package dev.strata.group.internal;

import static dev.strata.group.internal.GroupTestSupport.await;
import static dev.strata.group.internal.GroupTestSupport.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.GroupState;
import dev.strata.api.group.OffsetAndMetadata;
import dev.strata.api.group.OffsetCommitRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offsets of empty groups expire after offsets.retention; the expiry is written, so it survives a restart. */
class RetentionTest {
    @TempDir
    Path dir;

    @Test
    void offsetsOfAnEmptyGroupExpireAndTheGroupGoes() throws Exception {
        CoordinatorSettings d = GroupTestSupport.settings();
        CoordinatorSettings shortRetention = new CoordinatorSettings(d.offsetsTopicPartitions(),
                d.offsetsTopicReplicationFactor(), d.minSessionTimeoutMs(), d.maxSessionTimeoutMs(), 0,
                d.maxGroupSize(), 300, 100, d.offsetMetadataMaxBytes(), d.offsetsCommitTimeoutMs(),
                d.offsetsLoadBufferSize());
        TopicPartition tp = new TopicPartition("t", 0);
        try (RealBroker broker = new RealBroker(dir)) {
            broker.createTopic("t", 1);
            GroupCoordinatorService c = new GroupCoordinatorService(broker.broker(), shortRetention);
            c.start();
            c.awaitLoaded(10_000);
            await(c.commitOffsets(new OffsetCommitRequest("old", -1, "", null,
                    Map.of(tp, new OffsetAndMetadata(5, -1, "")))));
            assertEquals(5, c.fetchOffsets("old", List.of(tp), false).offsets().get(tp).offset());
            waitUntil("the offset expires", () -> c.fetchOffsets("old", List.of(tp), false).offsets().get(tp)
                    .offset() == -1);
            waitUntil("the group is gone", () -> c.describeGroups(List.of("old")).get(0).state() == GroupState.DEAD);
            c.close();

            GroupCoordinatorService restarted = new GroupCoordinatorService(broker.broker(),
                    GroupTestSupport.settings());
            restarted.start();
            restarted.awaitLoaded(10_000);
            assertEquals(-1, restarted.fetchOffsets("old", List.of(tp), false).offsets().get(tp).offset());
            assertEquals(GroupState.DEAD, restarted.describeGroups(List.of("old")).get(0).state());
            restarted.close();
        }
    }
}
