package dev.strata.api.group;

import dev.strata.api.common.TopicPartition;
import java.util.Map;

/**
 * An OffsetCommit. A commit with {@code generationId} -1, empty member id and no instance id is a "simple"
 * commit (admin tools, consumers that assign partitions themselves); it is accepted only while the group has no
 * members (the group is created if needed).
 */
public record OffsetCommitRequest(String groupId, int generationId, String memberId, String groupInstanceId,
                                  Map<TopicPartition, OffsetAndMetadata> offsets) {
    public OffsetCommitRequest {
        memberId = memberId == null ? "" : memberId;
        offsets = Map.copyOf(offsets);
    }
}
