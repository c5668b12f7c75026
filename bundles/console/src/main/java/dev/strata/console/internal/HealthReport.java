package dev.strata.console.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * What an operator needs to see first: does every Strata component run, and is the Kafka listener bound. Built
 * from {@link ComponentLine}s and {@link ListenerLine}s, printed as text (Gogo, the web console's Status tab).
 * Immutable.
 */
record HealthReport(List<ComponentLine> components, List<ListenerLine> listeners) {

    /** One Strata component: its name, its state in words, and why when it does not run. */
    record ComponentLine(String name, String state, String problem) {
        boolean healthy() {
            return problem == null;
        }
    }

    /** One bound Kafka listener: where, and its load against its limits ({@code MAX_VALUE}: no limit). */
    record ListenerLine(String name, String host, Object port, int connections, int maxConnections,
                        long refusedConnections, long requestBytes, long requestBytesLimit) { }

    HealthReport {
        components = List.copyOf(components);
        listeners = List.copyOf(listeners);
    }

    /** The problems, one line each; empty when healthy. No listener at all is a problem too. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (ComponentLine c : components) {
            if (!c.healthy()) {
                problems.add(c.name() + ": " + c.problem());
            }
        }
        if (listeners.isEmpty()) {
            problems.add("no Kafka listener is bound: clients cannot connect");
        }
        return problems;
    }

    private static String limit(long value) {
        return value == Integer.MAX_VALUE || value == Long.MAX_VALUE ? "unlimited" : Long.toString(value);
    }

    String toText() {
        StringBuilder out = new StringBuilder();
        List<String> problems = problems();
        out.append("Strata health: ").append(problems.isEmpty() ? "OK" : "PROBLEMS (" + problems.size() + ")")
                .append('\n');
        problems.forEach(p -> out.append("  ! ").append(p).append('\n'));
        out.append("Kafka listeners:\n");
        if (listeners.isEmpty()) {
            out.append("  (none)\n");
        }
        for (ListenerLine l : listeners) {
            out.append("  ").append(l.name()).append("://").append(l.host()).append(':').append(l.port())
                    .append(", connections ").append(l.connections()).append(" of ")
                    .append(limit(l.maxConnections())).append(" (").append(l.refusedConnections())
                    .append(" refused), request memory ").append(l.requestBytes()).append(" of ")
                    .append(limit(l.requestBytesLimit())).append(" bytes\n");
        }
        out.append("Components:\n");
        for (ComponentLine c : components) {
            out.append(String.format("  %-10s %s%n", c.state(), c.name()));
        }
        return out.toString();
    }
}
