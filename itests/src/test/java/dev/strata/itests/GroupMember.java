package dev.strata.itests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * One member of a consumer group running on its own thread, as an application would: subscribe, poll, record what
 * it processed, then {@code commitSync()} (at-least-once). The assignment and the processed records can be read
 * from any thread while it runs; {@link #close()} leaves the group (LeaveGroup) and ends the thread.
 *
 * <p>Thread-safe: the consumer is used only by the member's thread; the shared views are concurrent collections or
 * atomic references.
 */
final class GroupMember implements AutoCloseable {

    /** One processed record: where it was and what it held. */
    record Processed(String member, int partition, long offset, String value) {
    }

    private final String name;
    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private final AtomicReference<Set<Integer>> assignment = new AtomicReference<>(Set.of());
    private final List<Processed> processed = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicInteger commitFailures = new AtomicInteger();
    private volatile boolean running = true;

    GroupMember(StrataContainer container, String group, String topic, String name,
                Map<String, Object> overrides) {
        this.name = name;
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        props.putAll(overrides);
        this.consumer = Clients.consumer(container, props);
        this.thread = new Thread(() -> run(topic), "group-member-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run(String topic) {
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    assignment.set(Set.of());
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    Set<Integer> ids = new TreeSet<>();
                    consumer.assignment().forEach(tp -> ids.add(tp.partition()));
                    assignment.set(Set.copyOf(ids));
                }
            });
            while (running) {
                List<Processed> batch = new ArrayList<>();
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    batch.add(new Processed(name, r.partition(), r.offset(), r.value()));
                }
                if (!batch.isEmpty()) {
                    processed.addAll(batch); // process, then commit: at-least-once
                    try {
                        consumer.commitSync();
                    } catch (RebalanceInProgressException | CommitFailedException e) {
                        // A rebalance overtook the commit: the next owner gets these records again.
                        commitFailures.incrementAndGet();
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (Throwable t) {
            failure.set(t);
        } finally {
            consumer.close(); // sends LeaveGroup
        }
    }

    String name() {
        return name;
    }

    /** The partitions of the current assignment (empty while rebalancing). */
    Set<Integer> assignment() {
        return assignment.get();
    }

    List<Processed> processed() {
        return List.copyOf(processed);
    }

    /** Commits a rebalance overtook (their records go to the next owner again). */
    int commitFailures() {
        return commitFailures.get();
    }

    /** What ended the member's thread, or null while it runs (or after a clean close). */
    Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
