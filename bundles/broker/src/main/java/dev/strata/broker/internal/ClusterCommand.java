package dev.strata.broker.internal;

import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell command {@code strata:cluster [<topic>]}: the live brokers (id, address, rack, which one is the
 * controller and which one is this broker), then for each partition its leader, leader epoch, replicas, in-sync
 * replicas and offline replicas (assigned to a broker that is not live), as the {@link MetadataStore} says now. The
 * same on one broker (its local store) as in a cluster. Read-only; thread-safe.
 */
@Component(service = ClusterCommand.class, property = {
    "osgi.command.scope=strata",
    "osgi.command.function=cluster"})
public final class ClusterCommand {
    private final MetadataStore metadata;

    @Activate
    public ClusterCommand(@Reference(name = "metadata") MetadataStore metadata) {
        this.metadata = metadata;
    }

    /** Every broker and every partition. */
    public String cluster() {
        return report(null);
    }

    /** Every broker and the partitions of one topic. */
    public String cluster(String topic) {
        return report(topic);
    }

    private String report(String topic) {
        StringBuilder out = new StringBuilder();
        int controller = metadata.controllerId();
        int local = metadata.localBrokerId();
        List<BrokerInfo> brokers = metadata.liveBrokers().stream().sorted(Comparator.comparingInt(BrokerInfo::id))
                .toList();
        Set<Integer> live = brokers.stream().map(BrokerInfo::id).collect(Collectors.toSet());
        out.append("Cluster ").append(metadata.clusterId()).append(": ").append(brokers.size())
                .append(" live broker(s), controller ")
                .append(controller < 0 ? "none (an election is under way or the metadata is out of reach)"
                        : Integer.toString(controller))
                .append("; this is broker ").append(local).append('\n');
        out.append(String.format("%-8s %-28s %-12s %s%n", "BROKER", "ADDRESS", "RACK", "ROLE"));
        for (BrokerInfo b : brokers) {
            String role = (b.id() == controller ? "controller" : "")
                    + (b.id() == local ? (b.id() == controller ? ", this broker" : "this broker") : "");
            out.append(String.format("%-8d %-28s %-12s %s%n", b.id(), address(b),
                    b.rack() == null ? "-" : b.rack(), role));
        }

        List<TopicMetadata> topics = metadata.topics().stream()
                .filter(t -> topic == null || t.name().equals(topic))
                .sorted(Comparator.comparing(TopicMetadata::name)).toList();
        if (topic != null && topics.isEmpty()) {
            return out.append("No topic ").append(topic).append('\n').toString();
        }
        out.append(String.format("%-40s %-7s %-6s %-14s %-14s %s%n", "PARTITION", "LEADER", "EPOCH", "REPLICAS",
                "ISR", "OFFLINE"));
        int partitions = 0;
        int offline = 0;
        int notPreferred = 0;
        for (TopicMetadata t : topics) {
            for (int p = 0; p < t.partitionCount(); p++) {
                TopicPartition tp = new TopicPartition(t.name(), p);
                Optional<PartitionState> found = metadata.partitionState(tp);
                partitions++;
                if (found.isEmpty()) {
                    offline++;
                    out.append(String.format("%-40s %s%n", tp, "no state yet"));
                    continue;
                }
                PartitionState s = found.get();
                List<Integer> offlineReplicas = s.replicas().stream().filter(r -> !live.contains(r)).toList();
                if (!s.online()) {
                    offline++;
                } else if (!s.replicas().isEmpty() && s.replicas().get(0) != s.leader()) {
                    notPreferred++;
                }
                out.append(String.format("%-40s %-7s %-6d %-14s %-14s %s%n", tp,
                        s.online() ? Integer.toString(s.leader()) : "none", s.leaderEpoch(), ids(s.replicas()),
                        ids(s.isr()), offlineReplicas.isEmpty() ? "-" : ids(offlineReplicas)));
            }
        }
        out.append(partitions).append(" partition(s) in ").append(topics.size()).append(" topic(s): ")
                .append(offline).append(" without a leader, ").append(notPreferred)
                .append(" led by another than their preferred replica\n");
        return out.toString();
    }

    /** A single broker's store does not know the listener's address (the protocol bundle gives it to clients). */
    private static String address(BrokerInfo b) {
        return b.host() == null || b.port() < 0 ? "-" : b.host() + ":" + b.port();
    }

    private static String ids(List<Integer> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
    }
}
