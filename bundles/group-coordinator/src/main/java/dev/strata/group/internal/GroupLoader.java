package dev.strata.group.internal;

import static dev.strata.api.group.GroupCoordinator.OFFSETS_TOPIC;

import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.GroupProtocol;
import dev.strata.group.internal.CoordinatorRecords.GroupValue;
import dev.strata.group.internal.CoordinatorRecords.Key;
import dev.strata.group.internal.CoordinatorRecords.MemberValue;
import dev.strata.group.internal.CoordinatorRecords.OffsetValue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the groups of one {@code __consumer_offsets} partition: replays its records (group metadata and committed
 * offsets, tombstones removing them) and installs the resulting groups, replacing any of that partition. Called on
 * the coordinator's scheduler thread only.
 */
final class GroupLoader {
    private static final Logger LOG = LoggerFactory.getLogger(GroupLoader.class);

    private final Groups groups;
    private final GroupManager groupManager;
    private final int bufferSize;

    GroupLoader(Groups groups, GroupManager groupManager, int bufferSize) {
        this.groups = groups;
        this.groupManager = groupManager;
        this.bufferSize = bufferSize;
    }

    /**
     * Reads the partition from its log start and installs its groups.
     *
     * @return the records read
     */
    long load(int partition) throws IOException, TimeoutException, InterruptedException {
        Map<String, GroupValue> groupValues = new HashMap<>();
        Map<String, Map<TopicPartition, GroupOffsets.Committed>> offsets = new HashMap<>();
        long records = groups.topic.load(partition, bufferSize,
                (offset, key, value) -> replay(offset, key, value, groupValues, offsets));
        install(partition, groupValues, offsets);
        return records;
    }

    static void replay(long offset, ByteBuffer key, ByteBuffer value,
                               Map<String, GroupValue> groupValues,
                               Map<String, Map<TopicPartition, GroupOffsets.Committed>> offsets) {
        try {
            Key k = CoordinatorRecords.parseKey(key);
            if (k.isOffsetKey()) {
                if (value == null) {
                    Map<TopicPartition, GroupOffsets.Committed> m = offsets.get(k.group());
                    if (m != null) {
                        m.remove(k.tp());
                        if (m.isEmpty()) {
                            offsets.remove(k.group());
                        }
                    }
                } else {
                    OffsetValue v = CoordinatorRecords.parseOffsetValue(value);
                    offsets.computeIfAbsent(k.group(), g -> new TreeMap<>()).put(k.tp(),
                            new GroupOffsets.Committed(v.offset(), v.leaderEpoch(), v.metadata(),
                                    v.commitTimestampMs(), offset));
                }
            } else if (value == null) {
                groupValues.remove(k.group());
            } else {
                groupValues.put(k.group(), CoordinatorRecords.parseGroupValue(value));
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("Skipping unreadable record at offset {} of {}: {}", offset, OFFSETS_TOPIC, e.getMessage());
        }
    }

    private void install(int partition, Map<String, GroupValue> groupValues,
                               Map<String, Map<TopicPartition, GroupOffsets.Committed>> offsets) {
        for (ClassicGroup stale : List.copyOf(groups.all())) {
            if (stale.offsetsPartition() == partition) { // created by a request racing the load: the log wins
                groups.remove(stale);
            }
        }
        long now = System.currentTimeMillis();
        java.util.Set<String> ids = new java.util.HashSet<>(groupValues.keySet());
        ids.addAll(offsets.keySet());
        for (String id : ids) {
            ClassicGroup g = new ClassicGroup(id, groups.partitionFor(id), now);
            GroupValue v = groupValues.get(id);
            if (v != null) {
                List<ClassicGroupMember> members = new ArrayList<>();
                if (v.protocolName() != null) {
                    for (MemberValue m : v.members()) {
                        ClassicGroupMember member = new ClassicGroupMember(m.memberId(), m.groupInstanceId(),
                                m.clientId(), m.clientHost(), m.rebalanceTimeoutMs(), m.sessionTimeoutMs(),
                                v.protocolType(), List.of(new GroupProtocol(v.protocolName(), m.subscription())));
                        member.assignment(m.assignment());
                        members.add(member);
                    }
                }
                g.restore(v.generation(), v.protocolType().isEmpty() ? null : v.protocolType(), v.protocolName(),
                        v.leader(), v.currentStateTimestampMs(), members);
            }
            Map<TopicPartition, GroupOffsets.Committed> committed = offsets.get(id);
            if (committed != null) {
                committed.forEach(g.offsets()::put);
            }
            groups.put(g);
            groupManager.restored(g);
        }
    }

}
