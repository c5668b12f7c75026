package dev.strata.protocol.kafka.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.api.group.OffsetFetchResult;
import dev.strata.api.group.OffsetFetchResult.PartitionOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;

/**
 * OffsetFetch: one group per request before v8, several from v8 on; a null topic list asks for every committed
 * partition. Before v2 there is no group-level error field, so a group error is repeated on each partition.
 * Stateless, thread-safe.
 */
final class OffsetFetchHandler {
    private final GroupHandler groups;

    OffsetFetchHandler(GroupHandler groups) {
        this.groups = groups;
    }

    OffsetFetchResponseData handle(OffsetFetchRequestData request, short version) {
        GroupCoordinator coordinator = groups.coordinator();
        OffsetFetchResponseData response = new OffsetFetchResponseData().setThrottleTimeMs(0);
        if (version < 8) {
            Map<String, List<Integer>> requested = requested(request.topics() == null ? null
                    : request.topics().stream().map(t -> Map.entry(t.name(), t.partitionIndexes())).toList());
            OffsetFetchResult result = coordinator.fetchOffsets(request.groupId(), partitions(requested),
                    request.requireStable());
            response.setErrorCode(result.error().code());
            forEachPartition(requested, result, version < 2, (topic, index, offset, error) -> {
                OffsetFetchResponseTopic t = response.topics().stream().filter(x -> x.name().equals(topic))
                        .findFirst().orElseGet(() -> {
                            OffsetFetchResponseTopic created = new OffsetFetchResponseTopic().setName(topic);
                            response.topics().add(created);
                            return created;
                        });
                t.partitions().add(new OffsetFetchResponsePartition().setPartitionIndex(index)
                        .setCommittedOffset(offset.offset()).setCommittedLeaderEpoch(offset.leaderEpoch())
                        .setMetadata(offset.metadata()).setErrorCode(error.code()));
            });
            return response;
        }
        for (OffsetFetchRequestData.OffsetFetchRequestGroup group : request.groups()) {
            Map<String, List<Integer>> requested = requested(group.topics() == null ? null
                    : group.topics().stream().map(t -> Map.entry(t.name(), t.partitionIndexes())).toList());
            OffsetFetchResult result = coordinator.fetchOffsets(group.groupId(), partitions(requested),
                    request.requireStable());
            OffsetFetchResponseGroup out = new OffsetFetchResponseGroup().setGroupId(group.groupId())
                    .setErrorCode(result.error().code());
            response.groups().add(out);
            forEachPartition(requested, result, false, (topic, index, offset, error) -> {
                OffsetFetchResponseTopics t = out.topics().stream().filter(x -> x.name().equals(topic))
                        .findFirst().orElseGet(() -> {
                            OffsetFetchResponseTopics created = new OffsetFetchResponseTopics().setName(topic);
                            out.topics().add(created);
                            return created;
                        });
                t.partitions().add(new OffsetFetchResponsePartitions().setPartitionIndex(index)
                        .setCommittedOffset(offset.offset()).setCommittedLeaderEpoch(offset.leaderEpoch())
                        .setMetadata(offset.metadata()).setErrorCode(error.code()));
            });
        }
        return response;
    }

    /** Requested partitions by topic in request order, or null for "all committed". */
    private static Map<String, List<Integer>> requested(List<Map.Entry<String, List<Integer>>> topics) {
        if (topics == null) {
            return null;
        }
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        topics.forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(e.getValue()));
        return out;
    }

    private static List<TopicPartition> partitions(Map<String, List<Integer>> requested) {
        if (requested == null) {
            return null;
        }
        List<TopicPartition> out = new ArrayList<>();
        requested.forEach((topic, indexes) -> indexes.stream().filter(i -> i >= 0)
                .forEach(i -> out.add(new TopicPartition(topic, i))));
        return out;
    }

    private interface PartitionSink {
        void accept(String topic, int index, PartitionOffset offset, ErrorCode error);
    }

    private static void forEachPartition(Map<String, List<Integer>> requested, OffsetFetchResult result,
                                         boolean groupErrorOnPartitions, PartitionSink sink) {
        if (result.error() != ErrorCode.NONE && !groupErrorOnPartitions) {
            return;
        }
        Map<String, List<Integer>> targets = requested;
        if (targets == null) {
            targets = new TreeMap<>();
            for (TopicPartition tp : result.offsets().keySet()) {
                targets.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(tp.partition());
            }
            targets.values().forEach(l -> l.sort(null));
        }
        targets.forEach((topic, indexes) -> {
            for (int index : indexes) {
                PartitionOffset offset = index < 0 ? PartitionOffset.NONE
                        : result.offsets().getOrDefault(new TopicPartition(topic, index), PartitionOffset.NONE);
                ErrorCode error = result.error() != ErrorCode.NONE ? result.error()
                        : index < 0 ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : offset.error();
                sink.accept(topic, index, offset, error);
            }
        });
    }
}
