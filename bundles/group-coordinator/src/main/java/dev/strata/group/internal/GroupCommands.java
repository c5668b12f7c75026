package dev.strata.group.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.ListOffsetResult;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.api.group.GroupDescription;
import dev.strata.api.group.GroupListing;
import dev.strata.api.group.GroupState;
import dev.strata.api.group.MemberDescription;
import dev.strata.api.group.OffsetAndMetadata;
import dev.strata.api.group.OffsetCommitRequest;
import dev.strata.api.group.OffsetCommitResult;
import dev.strata.api.group.OffsetFetchResult;
import dev.strata.api.metadata.TopicMetadata;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell commands {@code strata:groups}, {@code strata:group <id>} and
 * {@code strata:resetoffsets <group> <topic> earliest|latest|<offset>|ts:<millis>}. Plain methods returning text,
 * found by Gogo through the {@code osgi.command.*} service properties. Thread-safe (stateless).
 */
@Component(service = GroupCommands.class, property = {
    "osgi.command.scope=strata",
    "osgi.command.function=groups",
    "osgi.command.function=group",
    "osgi.command.function=resetoffsets"})
public final class GroupCommands {
    private static final String CONSUMER_PROTOCOL_TYPE = "consumer";
    private final GroupCoordinator coordinator;
    private final Broker broker;

    @Activate
    public GroupCommands(@Reference(name = "coordinator") GroupCoordinator coordinator,
                         @Reference(name = "broker") Broker broker) {
        this.coordinator = coordinator;
        this.broker = broker;
    }

    /** Every group with its state, protocol type and member count. */
    public String groups() {
        try {
            return listGroups();
        } catch (StrataException e) {
            return "Cannot list groups: " + e.error() + " " + e.getMessage();
        }
    }

    private String listGroups() {
        List<GroupListing> listings = coordinator.listGroups(Set.of());
        if (listings.isEmpty()) {
            return "No groups.";
        }
        StringBuilder sb = new StringBuilder(String.format("%-40s %-20s %-14s %s%n", "GROUP", "STATE", "TYPE",
                "MEMBERS"));
        List<GroupDescription> descriptions = coordinator.describeGroups(
                listings.stream().map(GroupListing::groupId).toList());
        for (GroupDescription d : descriptions) {
            sb.append(String.format("%-40s %-20s %-14s %d%n", d.groupId(), d.state().kafkaName(),
                    d.protocolType().isEmpty() ? "-" : d.protocolType(), d.members().size()));
        }
        return sb.toString();
    }

    /** A group's members and, per partition, committed offset, log end offset and lag. */
    public String group(String groupId) {
        try {
            return describeGroup(groupId);
        } catch (StrataException e) {
            return "Cannot describe group " + groupId + ": " + e.error() + " " + e.getMessage();
        }
    }

    private String describeGroup(String groupId) {
        GroupDescription d = coordinator.describeGroups(List.of(groupId)).get(0);
        if (d.error() == ErrorCode.GROUP_ID_NOT_FOUND) {
            return "No group " + groupId + " (GROUP_ID_NOT_FOUND)";
        }
        if (d.error() != ErrorCode.NONE) {
            return "Group " + groupId + ": " + d.error();
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("Group %s: %s, generation %d, protocol %s/%s, leader %s%n", d.groupId(),
                d.state().kafkaName(), d.generationId(), dash(d.protocolType()), dash(d.protocolName()),
                dash(d.leader())));
        if (!d.members().isEmpty()) {
            int idWidth = Math.max(6, d.members().stream().mapToInt(m -> m.memberId().length()).max().orElse(0));
            int clientWidth = Math.max(9, d.members().stream().mapToInt(m -> dash(m.clientId()).length()).max()
                    .orElse(0));
            String row = "%-" + idWidth + "s %-20s %-" + clientWidth + "s %-16s %s%n";
            boolean consumers = CONSUMER_PROTOCOL_TYPE.equals(d.protocolType());
            sb.append(String.format("%n" + row, "MEMBER", "INSTANCE", "CLIENT-ID", "HOST", "ASSIGNMENT"));
            for (MemberDescription m : d.members()) {
                sb.append(String.format(row, m.memberId(), dash(m.groupInstanceId()), dash(m.clientId()),
                        dash(m.clientHost()), consumers ? assignedPartitions(m.assignment()) : "-"));
            }
        }
        OffsetFetchResult offsets = coordinator.fetchOffsets(groupId, null, false);
        if (offsets.error() != ErrorCode.NONE) {
            return sb.append("Offsets: ").append(offsets.error()).append('\n').toString();
        }
        if (offsets.offsets().isEmpty()) {
            return sb.append("No committed offsets.\n").toString();
        }
        sb.append(String.format("%n%-30s %9s %12s %12s %10s%n", "TOPIC", "PARTITION", "COMMITTED", "LOG-END",
                "LAG"));
        for (Map.Entry<TopicPartition, OffsetFetchResult.PartitionOffset> e
                : new TreeMap<>(offsets.offsets()).entrySet()) {
            TopicPartition tp = e.getKey();
            long committed = e.getValue().offset();
            ListOffsetResult end = broker.listOffset(tp, ListOffsetResult.LATEST_TIMESTAMP,
                    IsolationLevel.READ_UNCOMMITTED);
            String endText = end.error() == ErrorCode.NONE ? Long.toString(end.offset()) : end.error().name();
            String lag = end.error() == ErrorCode.NONE && committed >= 0
                    ? Long.toString(Math.max(0, end.offset() - committed)) : "-";
            sb.append(String.format("%-30s %9d %12d %12s %10s%n", tp.topic(), tp.partition(), committed, endText,
                    lag));
        }
        return sb.toString();
    }

    /**
     * Sets the committed offset of every partition of {@code topic} for an empty group: {@code earliest},
     * {@code latest}, an offset (clamped to the log), or {@code ts:<millis>} (the first offset at or after that time,
     * the log end if none).
     */
    public String resetoffsets(String groupId, String topic, String target) {
        GroupDescription d = coordinator.describeGroups(List.of(groupId)).get(0);
        if (d.error() == ErrorCode.NONE && d.state() != GroupState.EMPTY) {
            return "Group " + groupId + " is " + d.state().kafkaName() + " with " + d.members().size()
                    + " members; stop its consumers first.";
        }
        Optional<TopicMetadata> t = broker.metadata().topic(topic);
        if (t.isEmpty()) {
            return "Unknown topic " + topic;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new TreeMap<>();
        for (int p = 0; p < t.get().partitionCount(); p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            long offset;
            try {
                offset = resolve(tp, target);
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            } catch (StrataException e) {
                return "Cannot look up offsets of " + tp + ": " + e.error() + " " + e.getMessage();
            }
            offsets.put(tp, new OffsetAndMetadata(offset, OffsetAndMetadata.NO_LEADER_EPOCH, ""));
        }
        OffsetCommitResult result;
        try {
            result = coordinator.commitOffsets(new OffsetCommitRequest(groupId, -1, "", null, offsets))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "Reset failed: " + e;
        }
        StringBuilder sb = new StringBuilder(String.format("%-30s %9s %12s %s%n", "TOPIC", "PARTITION",
                "NEW-OFFSET", "RESULT"));
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            ErrorCode error = result.errors().getOrDefault(e.getKey(), ErrorCode.UNKNOWN_SERVER_ERROR);
            sb.append(String.format("%-30s %9d %12d %s%n", e.getKey().topic(), e.getKey().partition(),
                    e.getValue().offset(), error == ErrorCode.NONE ? "OK" : error.name()));
        }
        return sb.toString();
    }

    private long resolve(TopicPartition tp, String target) {
        long earliest = offset(tp, ListOffsetResult.EARLIEST_TIMESTAMP);
        long latest = offset(tp, ListOffsetResult.LATEST_TIMESTAMP);
        String s = target.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("earliest")) {
            return earliest;
        }
        if (s.equals("latest")) {
            return latest;
        }
        try {
            if (s.startsWith("ts:")) {
                long ts = Long.parseLong(s.substring(3));
                if (ts < 0) {
                    throw new IllegalArgumentException("Timestamp must be >= 0: " + ts);
                }
                long found = offset(tp, ts);
                return found < 0 ? latest : found;
            }
            return Math.max(earliest, Math.min(latest, Long.parseLong(s)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Expected earliest, latest, an offset or ts:<millis>, not " + target);
        }
    }

    private long offset(TopicPartition tp, long timestamp) {
        ListOffsetResult r = broker.listOffset(tp, timestamp, IsolationLevel.READ_UNCOMMITTED);
        if (r.error() != ErrorCode.NONE) {
            throw new IllegalArgumentException("Cannot look up offsets of " + tp + ": " + r.error());
        }
        return r.offset();
    }

    /**
     * The partitions in a consumer-protocol assignment ({@code int16 version, [STRING topic, [int32 partition]],
     * BYTES userData}) as {@code topic-p,...}; "-" when empty or unreadable.
     */
    static String assignedPartitions(byte[] assignment) {
        if (assignment == null || assignment.length < 6) {
            return "-";
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(assignment);
            b.getShort();
            int topics = b.getInt();
            if (topics < 0 || topics > b.remaining() / 2) {
                return "-";
            }
            List<String> out = new ArrayList<>();
            for (int t = 0; t < topics; t++) {
                int len = b.getShort();
                if (len < 0 || len > b.remaining()) {
                    return "-";
                }
                byte[] name = new byte[len];
                b.get(name);
                String topic = new String(name, StandardCharsets.UTF_8);
                int partitions = b.getInt();
                if (partitions < 0 || partitions > b.remaining() / 4) {
                    return "-";
                }
                for (int i = 0; i < partitions; i++) {
                    out.add(topic + "-" + b.getInt());
                }
            }
            return out.isEmpty() ? "-" : String.join(",", out);
        } catch (BufferUnderflowException e) {
            return "-";
        }
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
