package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded protocol fuzzing against a real container while a kafka-clients producer (idempotent, acks=all) writes:
 * valid requests of every advertised API at every advertised version, mutated by {@link FrameMutator}, on raw
 * sockets. Afterwards every acknowledged record reads back exactly once, the broker still answers, and its log
 * holds no ERROR line and no stack trace: bad input is answered with an error code or a closed connection.
 *
 * <p>Bounded: {@code -Dstrata.fuzz.frames} mutated frames (default 12,000) or {@code -Dstrata.fuzz.seconds}
 * (default 60), whichever ends first. {@code -Dstrata.fuzz.seed} replays a run (the seed is printed).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ProtocolFuzzIT {
    private static final long SEED = Long.getLong("strata.fuzz.seed", 20261203L);
    private static final int FRAMES = Integer.getInteger("strata.fuzz.frames", 12_000);
    private static final long SECONDS = Long.getLong("strata.fuzz.seconds", 60);
    private static final Duration ANSWER_WAIT = Duration.ofMillis(500);
    private static final String LOAD_TOPIC = "load";
    private static final int LOAD_PARTITIONS = 3;

    @Test
    void mutatedRequestsOfEveryApiLoseNothingAndLogNoErrors() throws Exception {
        try (StrataContainer container = StrataContainer.create("fuzz").start()) {
            Clients.createTopic(Clients.admin(container), LOAD_TOPIC, LOAD_PARTITIONS);
            Clients.createTopic(Clients.admin(container), FuzzTemplates.TARGET_TOPIC, 1);
            int logLinesBefore = (int) container.log().lines().count();

            Load load = new Load(container);
            load.start();
            Map<String, Long> outcomes = fuzz(container);
            long acknowledged = load.stop();

            List<ConsumerRecord<String, String>> read = Clients.readAll(container,
                    Clients.partitions(LOAD_TOPIC, LOAD_PARTITIONS), Duration.ofSeconds(60));
            Map<String, Integer> seen = new HashMap<>();
            read.forEach(r -> seen.merge(r.value(), 1, Integer::sum));
            long lost = load.acked.stream().filter(v -> !seen.containsKey(v)).count();
            long duplicated = seen.values().stream().filter(n -> n > 1).count();
            System.out.printf("fuzz seed %d: frames %s; load: acknowledged %d, consumed %d, lost %d, duplicated %d%n",
                    SEED, outcomes, acknowledged, read.size(), lost, duplicated);
            assertTrue(acknowledged > 0, "the load producer got nothing acknowledged");
            assertEquals(0, lost, "acknowledged records lost");
            assertEquals(0, duplicated, "records duplicated");

            try (RawKafkaConnection connection = container.rawConnection(Duration.ofSeconds(5))) {
                assertEquals(0, connection.apiVersions().errorCode(), "the broker still answers");
            }
            List<String> newLines = container.log().lines().skip(logLinesBefore).toList();
            List<String> errors = newLines.stream()
                    .filter(l -> l.contains(" ERROR ") || l.startsWith("\tat ") || l.startsWith("Caused by"))
                    .limit(20).toList();
            assertTrue(errors.isEmpty(), "ERROR lines or stack traces for client input:\n" + String.join("\n",
                    errors));
        }
    }

    /** Sends mutated frames one at a time; counts answered / closed by the broker / unanswered. */
    private static Map<String, Long> fuzz(StrataContainer container) throws IOException {
        List<FuzzTemplates.Frame> templates;
        try (RawKafkaConnection probe = container.rawConnection(Duration.ofSeconds(5))) {
            ApiVersionsResponseData advertised = probe.apiVersions();
            templates = FuzzTemplates.all(advertised);
        }
        Random random = new Random(SEED);
        FrameMutator mutator = new FrameMutator(random);
        Map<String, Long> outcomes = new java.util.TreeMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        RawKafkaConnection connection = null;
        int sent = 0;
        try {
            for (; sent < FRAMES && System.nanoTime() < deadline; sent++) {
                FuzzTemplates.Frame template = templates.get(random.nextInt(templates.size()));
                byte[] frame = mutator.mutate(template.bytes());
                if (connection == null) {
                    connection = RawKafkaConnection.open(container.kafkaPort(), ANSWER_WAIT);
                }
                String outcome;
                try {
                    connection.sendBytes(frame);
                    if (java.nio.ByteBuffer.wrap(frame).getInt() != frame.length - 4) {
                        // A size prefix that disagrees with the body: the broker waits for bytes that never come
                        // (or reads the rest as the next frame). Hanging up is what a client would do.
                        outcome = "misframed";
                    } else {
                        connection.readFrame();
                        outcome = "answered";
                    }
                } catch (SocketTimeoutException e) {
                    outcome = "unanswered"; // acks=0, a long poll, a partial frame: start afresh
                } catch (EOFException | SocketException e) {
                    outcome = "closed";
                }
                if (!outcome.equals("answered")) {
                    connection.close();
                    connection = null;
                }
                outcomes.merge(outcome, 1L, Long::sum);
            }
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
        outcomes.put("sent", (long) sent);
        outcomes.put("templates", (long) templates.size());
        return outcomes;
    }

    /** An idempotent acks=all producer writing distinct values until stopped; remembers what was acknowledged. */
    private static final class Load {
        final Set<String> acked = ConcurrentHashMap.newKeySet();
        private final KafkaProducer<String, String> producer;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong failed = new AtomicLong();
        private final Thread thread;

        Load(StrataContainer container) {
            producer = Clients.producer(container, Map.of(ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true", ProducerConfig.LINGER_MS_CONFIG, "5"));
            thread = new Thread(this::run, "fuzz-load");
        }

        void start() {
            thread.start();
        }

        private void run() {
            long n = 0;
            while (running.get()) {
                String value = "v" + n++;
                producer.send(new ProducerRecord<>(LOAD_TOPIC, value), (metadata, e) -> {
                    if (e == null) {
                        acked.add(value);
                    } else {
                        failed.incrementAndGet();
                    }
                });
                if (n % 20 == 0) {
                    // About 2,000 records/s: a steady client, not a benchmark (the fuzzer needs the CPU).
                    producer.flush();
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        long stop() throws InterruptedException {
            running.set(false);
            thread.join(TimeUnit.SECONDS.toMillis(60));
            producer.flush();
            producer.close(Duration.ofSeconds(30));
            return acked.size();
        }
    }
}
