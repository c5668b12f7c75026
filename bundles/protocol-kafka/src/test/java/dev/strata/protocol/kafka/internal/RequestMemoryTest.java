package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request memory pool (queued.max.request.bytes) and the request read timeout against the real stack: attackers
 * on raw sockets send most of large frames, or trickle them, while kafka-clients produce and consume.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RequestMemoryTest {
    private static final int MiB = 1024 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TOPIC = "served";

    @TempDir
    Path dir;

    private RealStack stack;
    private final List<Socket> attackers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket s : attackers) {
            s.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private RequestMemoryPool start(int maxRequestBytes, long poolBytes, long readTimeoutMs) throws Exception {
        ServerSettings settings = ServerSettings.loopbackEphemeral().withMaxRequestBytes(maxRequestBytes)
                .withLimits(ListenerLimits.defaults().withQueuedMaxRequestBytes(poolBytes)
                        .withRequestReadTimeoutMs(readTimeoutMs));
        stack = new RealStack(dir, settings);
        try (Admin admin = Admin.create(stack.clientProperties())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return stack.server().memory();
    }

    /** Opens a raw connection and sends a size prefix of {@code size} and the first {@code sent} bytes of the body. */
    private Socket partialFrame(int size, int sent) throws IOException {
        Socket s = new Socket("127.0.0.1", stack.port());
        attackers.add(s);
        OutputStream out = s.getOutputStream();
        out.write(ByteBuffer.allocate(4).putInt(size).array());
        out.write(new byte[sent]);
        out.flush();
        return s;
    }

    private KafkaProducer<String, String> producer() {
        Properties p = stack.clientProperties();
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private KafkaConsumer<String, String> consumer() {
        Properties p = stack.clientProperties();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer());
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        return consumer;
    }

    /** Produces {@code value} and reads it back through {@code consumer}, checking the offset. */
    private static void produceAndConsume(KafkaProducer<String, String> producer,
                                          KafkaConsumer<String, String> consumer, String value) throws Exception {
        RecordMetadata sent = producer.send(new ProducerRecord<>(TOPIC, value)).get(20, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.value().equals(value)) {
                    assertEquals(sent.offset(), r.offset());
                    return;
                }
            }
        }
        throw new AssertionError("did not read back " + value);
    }

    @Test
    void partialFramesHoldAtMostThePoolAndSmallRequestsStillPass() throws Exception {
        long pool = 8L * MiB;
        RequestMemoryPool memory = start(4 * MiB, pool, 60_000);
        AtomicLong worst = new AtomicLong();
        try (KafkaProducer<String, String> producer = producer();
             KafkaConsumer<String, String> consumer = consumer()) {
            produceAndConsume(producer, consumer, "before");
            // 12 connections each send 2 MiB of a 3 MiB request: 2 fit in the pool, 10 wait without reading.
            for (int i = 0; i < 12; i++) {
                partialFrame(3 * MiB, 2 * MiB);
            }
            Await.until(WAIT, () -> "2 reservations and 10 waiting: used " + memory.used() + ", waiting "
                    + memory.waiting(), () -> {
                    worst.accumulateAndGet(memory.used(), Math::max);
                    return memory.waiting() == 10 && memory.used() >= 6L * MiB;
                });
            for (int i = 0; i < 5; i++) {
                produceAndConsume(producer, consumer, "during-" + i);
                worst.accumulateAndGet(memory.used(), Math::max);
            }
        }
        assertTrue(worst.get() <= pool && memory.peak() <= pool, "reserved " + worst + " (peak " + memory.peak()
                + ") of a pool of " + pool);
        for (Socket s : attackers) {
            s.close();
        }
        Await.until(WAIT, () -> "everything released: used " + memory.used() + ", waiting " + memory.waiting(),
                () -> memory.used() == 0 && memory.waiting() == 0);
        try (KafkaProducer<String, String> producer = producer();
             KafkaConsumer<String, String> consumer = consumer()) {
            produceAndConsume(producer, consumer, "after");
        }
    }

    /**
     * Connections waiting for memory hold (almost) no direct memory: what they read past the size prefix is at most
     * one socket read, and no request accumulates in Netty's pooled buffers as the old cumulation buffer did.
     */
    @Test
    void waitingConnectionsHoldNoDirectMemory() throws Exception {
        RequestMemoryPool memory = start(4 * MiB, 8L * MiB, 60_000);
        ByteBufAllocatorMetric direct = ((ByteBufAllocatorMetricProvider) stack.server().serverChannel().config()
                .getAllocator()).metric();
        long before = direct.usedDirectMemory();
        for (int i = 0; i < 48; i++) {
            partialFrame(3 * MiB, 2 * MiB);
        }
        Await.until(WAIT, () -> "2 reservations and 46 waiting: used " + memory.used() + ", waiting "
                + memory.waiting(), () -> memory.waiting() == 46 && memory.used() == 6L * MiB);
        long held = direct.usedDirectMemory() - before;
        assertTrue(held <= 32L * MiB, "46 waiting connections hold " + held / MiB + " MiB of direct memory");
        try (KafkaProducer<String, String> producer = producer();
             KafkaConsumer<String, String> consumer = consumer()) {
            produceAndConsume(producer, consumer, "still served");
        }
    }

    @Test
    void aFrameLargerThanThePoolIsRefusedOnItsSize() throws Exception {
        RequestMemoryPool memory = start(4 * MiB, MiB, 60_000);
        try (LogCapture log = new LogCapture(); RawConnection bad = new RawConnection(stack.port())) {
            bad.sendRaw(ByteBuffer.allocate(4).putInt(2 * MiB).array());
            assertTrue(bad.closedByPeer(), "a request larger than the pool closes the connection");
            assertEquals(0, memory.used());
            assertEquals(1, log.linesContaining("is larger than all the memory for requests "
                    + "(queued.max.request.bytes=1048576)").size(), log.lines().toString());
        }
        try (KafkaProducer<String, String> producer = producer();
             KafkaConsumer<String, String> consumer = consumer()) {
            produceAndConsume(producer, consumer, "fits");
        }
    }

    @Test
    void tricklingPeersAreReapedAndDoNotBlockOthers() throws Exception {
        long timeoutMs = 1_000;
        RequestMemoryPool memory = start(4 * MiB, 8L * MiB, timeoutMs);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> tricklers = new ArrayList<>();
        try (LogCapture log = new LogCapture();
             KafkaProducer<String, String> producer = producer();
             KafkaConsumer<String, String> consumer = consumer()) {
            produceAndConsume(producer, consumer, "before");
            int baseline = stack.server().openConnections();
            long started = System.nanoTime();
            // Three slowloris peers: 3 MiB promised, one byte every 20 ms (so never idle). Two hold memory, the
            // third waits for it; each is closed once it has been reading its frame for longer than the timeout.
            for (int i = 0; i < 3; i++) {
                Socket s = partialFrame(3 * MiB, 1);
                Thread t = new Thread(() -> {
                    try (OutputStream out = s.getOutputStream()) {
                        while (!stop.get()) {
                            out.write(7);
                            out.flush();
                            Thread.sleep(20); // the attacker's pace, not synchronisation
                        }
                    } catch (IOException | InterruptedException e) {
                        // closed by the server
                    }
                }, "trickler-" + i);
                t.setDaemon(true);
                t.start();
                tricklers.add(t);
            }
            Await.until(WAIT, () -> "two trickling reservations: used " + memory.used(),
                    () -> memory.used() >= 6L * MiB);
            produceAndConsume(producer, consumer, "while-trickled");
            Await.until(WAIT, () -> "the tricklers closed: " + stack.server().openConnections() + " open, used "
                            + memory.used() + ", waiting " + memory.waiting(),
                    () -> stack.server().openConnections() == baseline && memory.waiting() == 0);
            double seconds = (System.nanoTime() - started) / 1e9;
            assertTrue(seconds >= timeoutMs / 1000.0, "reaped after the timeout, not before: " + seconds);
            for (Thread t : tricklers) {
                t.join(TimeUnit.SECONDS.toMillis(10));
                assertTrue(!t.isAlive(), t.getName() + " noticed its connection closed");
            }
            List<String> lines = log.linesContaining("request not received within 1000 ms");
            assertTrue(!lines.isEmpty() && lines.size() <= 2, "rate-limited timeout lines: " + lines);
            assertTrue(lines.get(0).contains("of 3145728 bytes arrived"), lines.get(0));
            produceAndConsume(producer, consumer, "after");
        } finally {
            stop.set(true);
        }
        Await.until(WAIT, () -> "released: used " + memory.used(), () -> memory.used() == 0);
    }
}
