package dev.strata.client.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Services of one kind keyed by a name (a codec's compression type, a partitioner's name), as DS binds and unbinds
 * them. With several under one name the highest {@code service.ranking} wins, then the lowest {@code service.id}
 * (the oldest). Thread-safe: changes are synchronized and publish an immutable snapshot that lookups read without
 * locking, so a caller keeps the instance it looked up until it is done with it.
 */
final class RankedServices<T> {
    private record Bound<T>(T service, int ranking, long serviceId) {
    }

    private final Map<String, List<Bound<T>>> bound = new HashMap<>();
    private volatile Map<String, T> current = Map.of();

    /** The best service under {@code name}, or null. */
    T get(String name) {
        return current.get(name);
    }

    /** The names that have a service now, sorted, for messages. */
    List<String> names() {
        return List.copyOf(new TreeSet<>(current.keySet()));
    }

    synchronized void add(String name, T service, Map<String, ?> properties) {
        int ranking = properties.get("service.ranking") instanceof Integer i ? i : 0;
        long id = properties.get("service.id") instanceof Number n ? n.longValue() : Long.MAX_VALUE;
        bound.computeIfAbsent(name, k -> new ArrayList<>()).add(new Bound<>(service, ranking, id));
        publish();
    }

    /** @return whether a service of that name is still there */
    synchronized boolean remove(T service) {
        String name = null;
        for (Map.Entry<String, List<Bound<T>>> e : bound.entrySet()) {
            if (e.getValue().removeIf(b -> b.service() == service)) {
                name = e.getKey();
                break;
            }
        }
        publish();
        return name != null && current.containsKey(name);
    }

    private void publish() {
        Comparator<Bound<T>> bestFirst = Comparator.<Bound<T>>comparingInt(Bound::ranking).reversed()
                .thenComparingLong(Bound::serviceId);
        Map<String, T> next = new HashMap<>();
        bound.forEach((name, list) -> list.stream().min(bestFirst).ifPresent(b -> next.put(name, b.service())));
        current = Map.copyOf(next);
    }
}
