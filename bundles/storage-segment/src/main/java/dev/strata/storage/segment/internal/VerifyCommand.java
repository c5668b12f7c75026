package dev.strata.storage.segment.internal;

import dev.strata.api.log.LogStore;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell command {@code strata:verify <topic> [<partition>]}: checks the open logs of a topic (or one partition)
 * in full, every batch with its CRC and both indexes of every segment, while the broker runs, and prints a report:
 * per segment its size, batches and offsets checked and any damage with file and position. Damage found is handled
 * as if a read had met it (not served, repaired at the next start). Reads the files once; thread-safe.
 */
@Component(service = VerifyCommand.class, property = {
    "osgi.command.scope=strata",
    "osgi.command.function=verify"})
public final class VerifyCommand {
    private final SegmentLogStore store;

    @Activate
    public VerifyCommand(@Reference(name = "store", target = "(" + LogStore.PROPERTY_NAME + "=segment)")
                         LogStore store) {
        if (!(store instanceof SegmentLogStore segmentStore)) {
            throw new IllegalStateException("Not this bundle's segment store: " + store);
        }
        this.store = segmentStore;
    }

    /** Checks every open partition of {@code topic}. */
    public String verify(String topic) {
        return report(store.openLogs().stream().filter(l -> l.topicPartition().topic().equals(topic)).toList(),
                "topic " + topic);
    }

    /** Checks one partition. */
    public String verify(String topic, int partition) {
        return report(store.openLogs().stream().filter(l -> l.topicPartition().topic().equals(topic)
                && l.topicPartition().partition() == partition).toList(), topic + "-" + partition);
    }

    private static String report(List<SegmentedLog> logs, String what) {
        if (logs.isEmpty()) {
            return "No open log for " + what + " on this broker.";
        }
        StringBuilder out = new StringBuilder();
        String firstError = null;
        long batches = 0;
        int segments = 0;
        int damaged = 0;
        for (SegmentedLog log : logs.stream().sorted(Comparator.comparing(SegmentedLog::topicPartition)).toList()) {
            out.append(String.format("Log %s, offsets [%d, %d), %d bytes%n", log.topicPartition(),
                    log.logStartOffset(), log.logEndOffset(), log.sizeInBytes()));
            List<LogSegment> snapshot = log.segmentsSnapshot();
            for (int i = 0; i < snapshot.size(); i++) {
                LogSegment s = snapshot.get(i);
                long offsetLimit = i + 1 < snapshot.size() ? snapshot.get(i + 1).baseOffset() : Long.MAX_VALUE;
                segments++;
                String problem;
                try {
                    SegmentScan scan = s.verify(offsetLimit);
                    batches += scan.batches();
                    problem = describe(scan);
                    String index = s.indexProblem(log.config().indexIntervalBytes());
                    if (problem == null && index != null) {
                        problem = "index: " + index;
                    }
                    out.append(String.format("  %s  %d bytes  %d valid batches  offsets [%d, %d)  %s%n",
                            s.file().getFileName(), scan.limit(), scan.batches(), s.baseOffset(),
                            scan.nextOffset(), problem == null ? "OK" : "DAMAGED: " + problem));
                } catch (IOException | RuntimeException e) {
                    problem = "cannot be read: " + e;
                    out.append(String.format("  %s  %s%n", s.file().getFileName(), problem));
                }
                if (problem != null) {
                    damaged++;
                    if (firstError == null) {
                        firstError = s.file() + ": " + problem;
                    }
                }
            }
        }
        out.append(String.format("%d valid batches in %d segment(s) of %d log(s): %s%n", batches, segments,
                logs.size(), damaged == 0 ? "no errors" : damaged + " damaged; first error: " + firstError));
        if (damaged > 0) {
            out.append("Damaged batches are not served; the next start checks these segments in full and cuts "
                    + "the damage out (kept as <segment>.log.<position>.corrupt).").append(System.lineSeparator());
        }
        return out.toString();
    }

    private static String describe(SegmentScan scan) {
        if (!scan.damage().isEmpty()) {
            SegmentScan.Damage d = scan.damage().get(0);
            return String.format("%d bytes unreadable at position %d (offsets [%d, %d))%s", d.bytes(), d.position(),
                    d.fromOffset(), d.toOffset(), scan.damage().size() > 1
                            ? " and " + (scan.damage().size() - 1) + " more region(s)" : "");
        }
        if (scan.validEnd() < scan.limit()) {
            return String.format("no valid batch from position %d to the end (%d bytes)", scan.validEnd(),
                    scan.limit() - scan.validEnd());
        }
        return null;
    }
}
