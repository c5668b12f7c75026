package dev.strata.client.internal;

import dev.strata.api.client.ConsumedRecord;
import dev.strata.api.client.LocalClient;
import dev.strata.api.client.LocalConsumer;
import dev.strata.api.client.LocalProducer;
import dev.strata.api.client.OutgoingRecord;
import dev.strata.api.client.RecordHeader;
import dev.strata.api.client.RecordPosition;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell commands over the {@link LocalClient}: {@code strata:produce} sends one record (text key and value,
 * optional headers, compression and partitioner) and prints where it went; {@code strata:consume} prints records
 * of one partition. For admins, and the in-container caller of the client in the integration tests. Text in, text
 * out: problems are answered as a line starting with {@code Error:}, never as a stack trace. Immediate, so that
 * its producers (one producer id each) live as long as the bundle, not one command. Thread-safe.
 */
@Component(service = ClientCommands.class, immediate = true, property = {
    "osgi.command.scope=strata",
    "osgi.command.function=produce",
    "osgi.command.function=consume"})
public final class ClientCommands {
    static final String NO_KEY = "-";
    private static final long WAIT_SECONDS = 30;

    private final LocalClient client;
    /** One producer per compression type, kept for the component's life (one producer id each). */
    private final Map<String, LocalProducer> producers = new ConcurrentHashMap<>();

    @Activate
    public ClientCommands(@Reference(name = "client") LocalClient client) {
        this.client = client;
    }

    @Deactivate
    void deactivate() {
        producers.values().forEach(LocalProducer::close);
    }

    @Descriptor("Sends one record through the in-container client and prints topic-partition@offset")
    public String produce(
            @Descriptor("compression: none, gzip, snappy, lz4, zstd")
            @Parameter(names = {"-c", "--compression"}, absentValue = "none") String compression,
            @Descriptor("headers as key=value, comma-separated")
            @Parameter(names = {"-H", "--headers"}, absentValue = "") String headers,
            @Descriptor("an explicit partition (the partitioner is not asked)")
            @Parameter(names = {"-p", "--partition"}, absentValue = "-1") int partition,
            @Descriptor("topic") String topic,
            @Descriptor("key as text, - for none") String key,
            @Descriptor("value as text") String value) {
        return produce(compression, headers, partition, topic, key, value, null);
    }

    @Descriptor("Sends one record placed by the named partitioner and prints topic-partition@offset")
    public String produce(
            @Descriptor("compression: none, gzip, snappy, lz4, zstd")
            @Parameter(names = {"-c", "--compression"}, absentValue = "none") String compression,
            @Descriptor("headers as key=value, comma-separated")
            @Parameter(names = {"-H", "--headers"}, absentValue = "") String headers,
            @Descriptor("an explicit partition (the partitioner is not asked)")
            @Parameter(names = {"-p", "--partition"}, absentValue = "-1") int partition,
            @Descriptor("topic") String topic,
            @Descriptor("key as text, - for none") String key,
            @Descriptor("value as text") String value,
            @Descriptor("partitioner name (strata.partitioner.name)") String partitioner) {
        try {
            LocalProducer producer = producers.computeIfAbsent(compression.trim().toLowerCase(),
                    c -> client.producer(Map.of(LocalProducer.COMPRESSION_TYPE, c, LocalProducer.CLIENT_ID,
                            "gogo")));
            OutgoingRecord record = OutgoingRecord.of(topic, NO_KEY.equals(key) ? null : utf8(key), utf8(value))
                    .withHeaders(parseHeaders(headers)).withPartitioner(partitioner);
            if (partition >= 0) {
                record = record.withPartition(partition);
            }
            RecordPosition p = producer.send(record).get(WAIT_SECONDS, TimeUnit.SECONDS);
            return "Produced to " + p.topic() + "-" + p.partition() + "@" + p.offset();
        } catch (ExecutionException e) {
            return error(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "Error: interrupted";
        } catch (TimeoutException e) {
            return "Error: no answer within " + WAIT_SECONDS + " s";
        } catch (RuntimeException e) {
            return error(e);
        }
    }

    @Descriptor("Prints up to max records of one partition from offset on: offset, timestamp, key, value, headers")
    public String consume(@Descriptor("topic") String topic, @Descriptor("partition") int partition,
                          @Descriptor("first offset") long offset, @Descriptor("most records") int max) {
        if (max < 1) {
            return "Error: max must be at least 1";
        }
        TopicPartition tp;
        try {
            tp = new TopicPartition(topic, partition);
        } catch (IllegalArgumentException e) {
            return error(e);
        }
        StringBuilder sb = new StringBuilder();
        try (LocalConsumer consumer = client.consumer(Map.of(LocalConsumer.MAX_POLL_RECORDS, Integer.toString(max),
                LocalConsumer.CLIENT_ID, "gogo", LocalConsumer.AUTO_OFFSET_RESET, "none"))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            int n = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (n < max && System.nanoTime() < deadline) {
                for (ConsumedRecord r : consumer.poll(Duration.ofMillis(200))) {
                    if (n++ < max) {
                        sb.append(format(r)).append('\n');
                    }
                }
            }
            sb.append(n == 0 ? "No records" : n + " record(s)").append(" from ").append(tp).append('@')
                    .append(offset).append("; next offset ").append(consumer.position(tp));
            return sb.toString();
        } catch (RuntimeException e) {
            return sb + error(e);
        }
    }

    private static String format(ConsumedRecord r) {
        StringBuilder sb = new StringBuilder().append(r.offset()).append(" ts=").append(r.timestamp())
                .append(" key=").append(r.key() == null ? NO_KEY : text(r.key()))
                .append(" value=").append(r.value() == null ? "null" : text(r.value()));
        if (!r.headers().isEmpty()) {
            List<String> hs = new ArrayList<>();
            r.headers().forEach(h -> hs.add(h.key() + "=" + (h.value() == null ? "null" : text(h.value()))));
            sb.append(" headers=").append(String.join(",", hs));
        }
        return sb.toString();
    }

    static List<RecordHeader> parseHeaders(String headers) {
        List<RecordHeader> out = new ArrayList<>();
        if (headers == null || headers.isBlank()) {
            return out;
        }
        for (String pair : headers.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("A header is key=value: " + pair);
            }
            out.add(new RecordHeader(pair.substring(0, eq), utf8(pair.substring(eq + 1))));
        }
        return out;
    }

    private static String error(Throwable e) {
        if (e instanceof StrataException s) {
            return "Error: " + s.error() + ": " + s.getMessage();
        }
        return "Error: " + e.getMessage();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
