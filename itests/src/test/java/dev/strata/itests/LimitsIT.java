package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The listener's limits in a real container, under attack while a kafka-clients producer and consumer keep working:
 * a connection flood (per-IP and total caps), then slow partial frames (99 MB frames sent but for their last
 * megabyte, as the robustness probe did, and 1 MB frames trickled a byte at a time). Afterwards every acknowledged
 * record reads back and new clients are served. Attackers connect from other loopback addresses (127.0.0.2-5), so the
 * per-IP limit never touches the well-behaved clients on 127.0.0.1.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LimitsIT {
    private static final String TOPIC = "under-attack";
    private static final int MAX_CONNECTIONS = 400;
    private static final int MAX_PER_IP = 300;
    private static final int MiB = 1024 * 1024;

    @RegisterExtension
    static final SharedContainer strata = new SharedContainer("limits", container -> StrataContainer.setProperties(
            container.home().resolve("etc/" + StrataContainer.PROTOCOL_PID + ".cfg"), Map.of(
                    "max.connections", Integer.toString(MAX_CONNECTIONS),
                    "max.connections.per.ip", Integer.toString(MAX_PER_IP),
                    "max.connection.creation.rate", "2000",
                    // The defaults for memory (200 MiB pool, 100 MiB requests); a short read timeout keeps the test
                    // short: each round of the 99 MB attack holds the pool until it.
                    "socket.request.read.timeout.ms", "3000")));

    private final List<AutoCloseable> attackers = Collections.synchronizedList(new ArrayList<>());

    private static InetAddress loopback(int last) throws IOException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    }

    private static void await(Duration timeout, Supplier<String> what, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + ": " + what.get());
            }
            Thread.sleep(20);
        }
    }

    /** Keeps producing (acks=all, idempotent) and consuming until stopped; remembers what was acknowledged. */
    private static final class Workload implements AutoCloseable {
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final Set<String> consumed = ConcurrentHashMap.newKeySet();
        final AtomicLong failedSends = new AtomicLong();
        final AtomicBoolean producing = new AtomicBoolean(true);
        final AtomicBoolean consuming = new AtomicBoolean(true);
        final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        private final Thread producer;
        private final Thread consumer;

        Workload(StrataContainer container) {
            producer = new Thread(() -> {
                try (KafkaProducer<String, String> p = Clients.producer(container)) {
                    for (int i = 0; producing.get(); i++) {
                        String value = "record-" + i;
                        try {
                            p.send(new ProducerRecord<>(TOPIC, value)).get(60, TimeUnit.SECONDS);
                            acknowledged.add(value);
                        } catch (Exception e) {
                            failedSends.incrementAndGet(); // not acknowledged: need not be read back
                        }
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }, "limits-producer");
            consumer = new Thread(() -> {
                try (KafkaConsumer<String, String> c = Clients.consumer(container)) {
                    TopicPartition tp = new TopicPartition(TOPIC, 0);
                    c.assign(List.of(tp));
                    c.seekToBeginning(List.of(tp));
                    while (consuming.get()) {
                        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                            consumed.add(r.value());
                        }
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }, "limits-consumer");
            producer.start();
            consumer.start();
        }

        /** Stops both clients and waits for them to close. */
        void stop() {
            producing.set(false);
            consuming.set(false);
            try {
                producer.join(90_000);
                consumer.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            stop();
        }
    }

    /** Opens {@code count} plain connections from {@code from}, sending nothing. */
    private List<SocketChannel> flood(InetAddress from, int count, int port) throws IOException {
        List<SocketChannel> channels = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SocketChannel channel = SocketChannel.open();
            attackers.add(channel);
            channel.bind(new InetSocketAddress(from, 0));
            channel.connect(new InetSocketAddress("127.0.0.1", port));
            channel.configureBlocking(false);
            channels.add(channel);
        }
        return channels;
    }

    /** How many of {@code channels} the broker has closed (end of stream seen). */
    private static int closedByBroker(List<SocketChannel> channels) {
        int closed = 0;
        ByteBuffer scratch = ByteBuffer.allocate(16);
        for (SocketChannel channel : channels) {
            try {
                scratch.clear();
                if (channel.read(scratch) < 0) {
                    closed++;
                }
            } catch (IOException e) {
                closed++; // reset
            }
        }
        return closed;
    }

    /** A peer that sends the size of a {@code size}-byte request and then {@code sent} bytes of it, and waits. */
    private Thread partialFrame(InetAddress from, int size, int sent, AtomicInteger reaped, AtomicInteger sentAll,
                                int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port, from, 0);
        attackers.add(socket);
        Thread t = new Thread(() -> {
            try (OutputStream out = socket.getOutputStream(); InputStream in = socket.getInputStream()) {
                out.write(ByteBuffer.allocate(4).putInt(size).array());
                byte[] chunk = new byte[MiB];
                for (int left = sent; left > 0; left -= chunk.length) {
                    out.write(chunk, 0, Math.min(left, chunk.length));
                }
                out.flush();
                sentAll.incrementAndGet();
                if (in.read() < 0) {
                    reaped.incrementAndGet(); // the broker closed it: the read timeout
                }
            } catch (IOException e) {
                // closed by the test, or reset by the broker while writing
            }
        }, "partial-frame");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** A peer that sends the size of a 1 MB request, then one byte every 100 ms until the broker closes it. */
    private void trickle(InetAddress from, AtomicInteger reaped, AtomicBoolean stop, int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port, from, 0);
        attackers.add(socket);
        Thread t = new Thread(() -> {
            try (OutputStream out = socket.getOutputStream()) {
                out.write(ByteBuffer.allocate(4).putInt(MiB).array());
                while (!stop.get()) {
                    out.write(1);
                    out.flush();
                    Thread.sleep(100); // the attacker's pace, not synchronisation
                }
            } catch (IOException e) {
                reaped.incrementAndGet(); // writes fail once the broker closed the connection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "trickle");
        t.setDaemon(true);
        t.start();
    }

    @Test
    void attackersAreCappedAndReapedWhileClientsKeepWorking() throws Exception {
        StrataContainer container = strata.container();
        int port = container.kafkaPort();
        Clients.createTopic(strata.admin(), TOPIC, 1);
        long started = System.nanoTime();
        try (Workload workload = new Workload(container)) {
            await(Duration.ofSeconds(60), () -> "first records through: " + workload.errors,
                    () -> workload.consumed.size() >= 20);

            // 1. Connection flood: 350 from 127.0.0.2 (per-IP cap 300), then 150 from 127.0.0.3 (total cap 400).
            List<SocketChannel> fromTwo = flood(loopback(2), MAX_PER_IP + 50, port);
            await(Duration.ofSeconds(60), () -> closedByBroker(fromTwo) + " of 127.0.0.2's connections closed",
                    () -> closedByBroker(fromTwo) == 50);
            List<SocketChannel> fromThree = flood(loopback(3), 150, port);
            // The workload holds a few connections too, so at least 150 - (400 - 300 - 1) are over the total.
            await(Duration.ofSeconds(60), () -> closedByBroker(fromThree) + " of 127.0.0.3's connections closed",
                    () -> closedByBroker(fromThree) >= 150 - (MAX_CONNECTIONS - MAX_PER_IP - 1));
            int refusedTwo = closedByBroker(fromTwo);
            int refusedThree = closedByBroker(fromThree);
            long acknowledgedDuringFlood = workload.acknowledged.size();
            await(Duration.ofSeconds(60), () -> "the producer moves on during the flood: " + workload.errors,
                    () -> workload.acknowledged.size() >= acknowledgedDuringFlood + 50);
            for (SocketChannel c : fromTwo) {
                c.close();
            }
            for (SocketChannel c : fromThree) {
                c.close();
            }

            // 2. Slow partial frames: 8 x (all but 1 MB of 99 MB) and 16 tricklers of a 1 MB frame.
            AtomicInteger bigReaped = new AtomicInteger();
            AtomicInteger bigSent = new AtomicInteger();
            AtomicInteger trickleReaped = new AtomicInteger();
            AtomicBoolean stopTrickling = new AtomicBoolean();
            List<Thread> big = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                big.add(partialFrame(loopback(4), 99_000_000, 98_000_000, bigReaped, bigSent, port));
            }
            for (int i = 0; i < 16; i++) {
                trickle(loopback(5), trickleReaped, stopTrickling, port);
            }
            long acknowledgedBefore = workload.acknowledged.size();
            await(Duration.ofSeconds(120), () -> bigReaped + " of 8 large partial frames reaped, " + trickleReaped
                            + " of 16 tricklers; acknowledged " + workload.acknowledged.size() + " (from "
                            + acknowledgedBefore + ")",
                    () -> bigReaped.get() >= 4 && trickleReaped.get() == 16
                            && workload.acknowledged.size() >= acknowledgedBefore + 200);
            stopTrickling.set(true);
            long acknowledgedDuringAttack = workload.acknowledged.size() - acknowledgedBefore;
            System.out.printf("LimitsIT: flood: 127.0.0.2 %d of %d closed at accept, 127.0.0.3 %d of %d; "
                            + "slow frames: %d of 8 x 99 MB reaped (%d sent all but the last MB), %d of 16 tricklers "
                            + "reaped; %d records acknowledged during the slow-frame attack%n",
                    refusedTwo, fromTwo.size(), refusedThree, fromThree.size(), bigReaped.get(), bigSent.get(),
                    trickleReaped.get(), acknowledgedDuringAttack);
            synchronized (attackers) {
                for (AutoCloseable a : attackers) {
                    a.close();
                }
            }
            for (Thread t : big) {
                t.join(30_000);
            }

            // 3. The attackers are gone: stop producing and read everything acknowledged back.
            workload.producing.set(false);
            await(Duration.ofSeconds(90), () -> "all acknowledged records consumed: " + missing(workload).size()
                            + " missing, e.g. " + missing(workload).stream().limit(5).toList(),
                    () -> missing(workload).isEmpty());
            workload.stop();
            assertEquals(List.of(), workload.errors, "the workload's clients failed");
            System.out.printf("LimitsIT: %d records acknowledged and read back, %d sends failed, %.1f s, "
                            + "container peak RSS %d MiB%n", workload.acknowledged.size(), workload.failedSends.get(),
                    (System.nanoTime() - started) / 1e9, container.peakRssKiB() / 1024);
        }

        // 4. New clients are served after the attack.
        try (KafkaProducer<String, String> producer = Clients.producer(container)) {
            long offset = producer.send(new ProducerRecord<>(TOPIC, "after")).get(30, TimeUnit.SECONDS).offset();
            List<ConsumerRecord<String, String>> after = Clients.readAll(container,
                    List.of(new TopicPartition(TOPIC, 0)), Duration.ofSeconds(60));
            assertEquals("after", after.get(after.size() - 1).value());
            assertEquals(offset, after.get(after.size() - 1).offset());
        }

        String log = container.log();
        long refusalLines = log.lines().filter(l -> l.contains("Refusing connection")).count();
        long timeoutLines = log.lines().filter(l -> l.contains("request not received within")).count();
        long seconds = Math.max(1, (System.nanoTime() - started) / 1_000_000_000L);
        System.out.printf("LimitsIT: log lines: %d refusals, %d read timeouts in %d s%n", refusalLines, timeoutLines,
                seconds);
        assertTrue(timeoutLines >= 1, "the read timeout is logged");
        // Two refusal kinds and one timeout kind, at most one line each per 10 s.
        assertTrue(refusalLines <= 2 * (seconds / 10 + 1) && timeoutLines <= seconds / 10 + 1,
                "rate-limited: " + refusalLines + " refusal and " + timeoutLines + " timeout lines in " + seconds
                        + " s");
    }

    private static Set<String> missing(Workload workload) {
        Set<String> missing = new java.util.HashSet<>(workload.acknowledged);
        missing.removeAll(workload.consumed);
        return missing;
    }
}
