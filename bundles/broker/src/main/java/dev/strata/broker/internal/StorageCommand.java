package dev.strata.broker.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.log.PartitionLog;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell command {@code strata:storage [<topic>]}: which log store and which index serve each partition, how
 * many of its slices are being sent (HELD, when the store says), and which partitions are without a log now (their
 * store being swapped, or none bound) and for how long. Read-only;
 * thread-safe.
 */
@Component(service = StorageCommand.class, property = {
    "osgi.command.scope=strata",
    "osgi.command.function=storage"})
public final class StorageCommand {
    /** The segment store's {@code describe()} key for slices being sent (a store may not give it). */
    static final String HELD_SLICES = "slices.held";
    private final BrokerComponent broker;

    @Activate
    public StorageCommand(@Reference(name = "broker") Broker broker) {
        if (!(broker instanceof BrokerComponent component)) {
            throw new IllegalStateException("Not this bundle's broker: " + broker);
        }
        this.broker = component;
    }

    /** Every partition. */
    public String storage() {
        return report(null);
    }

    /** The partitions of one topic. */
    public String storage(String topic) {
        return report(topic);
    }

    private String report(String topic) {
        LogManager logs = broker.logManager();
        StoreRef store = broker.currentStore();
        StringBuilder out = new StringBuilder();
        out.append("Log store: ").append(store == null ? "none bound" : store.toString()).append('\n');
        if (logs == null) {
            return out.append("The broker is stopped.\n").toString();
        }
        out.append("Requests to a partition without a log wait up to ").append(logs.storeUnavailableWaitMs())
                .append(" ms, then get KAFKA_STORAGE_ERROR.\n");
        List<Partition> parts = logs.partitions().stream()
                .filter(p -> topic == null || p.topicPartition().topic().equals(topic))
                .sorted(Comparator.comparing(Partition::topicPartition)).toList();
        Map<String, Integer> byImplementation = new TreeMap<>();
        int waiting = 0;
        long now = logs.now();
        out.append(String.format("%-40s %-12s %-10s %-6s %s%n", "PARTITION", "STORE", "INDEX", "HELD", "STATE"));
        for (Partition p : parts) {
            Map<String, String> d = p.describeLog();
            String state;
            String storeName;
            String index = d.getOrDefault(PartitionLog.DESCRIBE_INDEX, "-");
            String heldSlices = d.getOrDefault(HELD_SLICES, "-"); // the segment store's; others may not say
            if (p.isAttached()) {
                StoreRef origin = p.logOrigin();
                storeName = d.getOrDefault(PartitionLog.DESCRIBE_STORE, origin == null ? "?" : origin.name());
                String migrating = d.getOrDefault(PartitionLog.DESCRIBE_MIGRATING, "false");
                state = "false".equals(migrating) ? "serving" : "serving, index moving to " + migrating;
                byImplementation.merge(storeName + "/" + index, 1, Integer::sum);
            } else {
                storeName = "-";
                waiting++;
                state = p.offsetsKnown() ? "WITHOUT LOG for " + p.detachedForMs(now) + " ms (store being swapped)"
                        : "WITHOUT LOG (no store has opened it yet)";
            }
            out.append(String.format("%-40s %-12s %-10s %-6s %s%n", p.topicPartition(), storeName, index, heldSlices,
                    state));
        }
        out.append(parts.size()).append(" partition(s): ");
        byImplementation.forEach((k, v) -> out.append(v).append(" on ").append(k).append(", "));
        out.append(waiting).append(" without a log\n");
        return out.toString();
    }
}
