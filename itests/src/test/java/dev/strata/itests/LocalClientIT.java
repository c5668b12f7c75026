package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * The in-container client (strata-client) against the real container, driven through its Gogo commands: records it
 * produces with each codec read back unchanged with a stock kafka-clients consumer (keys, values, headers, offsets)
 * and are stored compressed, as idempotent batches; records a Kafka producer wrote read back through it; bad input
 * gets a clear error.
 */
class LocalClientIT {
    private static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");

    @Test
    void recordsOfTheInContainerClientReadBackWithKafkaClientsAndTheOtherWayRound() throws Exception {
        try (StrataContainer container = StrataContainer.create("local-client").start();
             Admin admin = Clients.admin(container)) {
            Clients.createTopic(admin, "readback", 2);
            VendorPartitionerIT.awaitProduced(container, "strata:produce -p 0 readback warm-up up");

            for (int i = 0; i < CODECS.size(); i++) {
                String c = CODECS.get(i);
                String out = container.gogo("strata:produce -c " + c + " -H codec=" + c + ",n=" + i
                        + " -p 1 readback k-" + c + " v-" + c);
                assertTrue(out.contains("Produced to readback-1@" + i), out);
            }
            assertTrue(container.gogo("strata:produce -p 1 readback - no-key").contains("readback-1@5"));

            TopicPartition p1 = new TopicPartition("readback", 1);
            List<ConsumerRecord<String, String>> read = Clients.readAll(container, List.of(p1),
                    Duration.ofSeconds(30));
            assertEquals(6, read.size(), read.toString());
            for (int i = 0; i < CODECS.size(); i++) {
                String c = CODECS.get(i);
                ConsumerRecord<String, String> r = read.get(i);
                assertEquals(i, r.offset());
                assertEquals("k-" + c, r.key());
                assertEquals("v-" + c, r.value());
                List<String> headers = new ArrayList<>();
                for (Header h : r.headers()) {
                    headers.add(h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8));
                }
                assertEquals(List.of("codec=" + c, "n=" + i), headers);
            }
            assertEquals(null, read.get(5).key());
            assertEquals("no-key", read.get(5).value());

            // As stored: one batch per send, compressed with the codec asked for, idempotent (one producer id per
            // Gogo producer, its sequence counting up).
            ByteBuffer log = ByteBuffer.wrap(Files.readAllBytes(
                    container.dataDir().resolve("readback-1/00000000000000000000.log")));
            List<Integer> compressionIds = new ArrayList<>();
            List<Long> producerIds = new ArrayList<>();
            List<Integer> sequences = new ArrayList<>();
            for (int pos = 0; pos < log.limit(); pos += 12 + log.getInt(pos + 8)) {
                compressionIds.add(log.getShort(pos + 21) & 0x07);
                producerIds.add(log.getLong(pos + 43));
                sequences.add(log.getInt(pos + 53));
            }
            assertEquals(List.of(0, 1, 2, 3, 4, 0), compressionIds);
            assertTrue(producerIds.stream().allMatch(id -> id >= 0), producerIds.toString());
            assertEquals(producerIds.get(0), producerIds.get(5), "the uncompressed Gogo producer is reused");
            // Its sequences go on from the warm-up record on partition 0: a new partition starts at 0.
            assertEquals(List.of(0, 0, 0, 0, 0, 1), sequences);

            // The other way round: a Kafka producer's lz4 batch with headers, read through strata:consume.
            try (KafkaProducer<String, String> producer = Clients.producer(container,
                    Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"))) {
                ProducerRecord<String, String> record = new ProducerRecord<>("readback", 0, "from-kafka", "hello");
                record.headers().add("origin", "kafka-clients".getBytes(StandardCharsets.UTF_8));
                producer.send(record).get();
            }
            String consumed = container.gogo("strata:consume readback 0 0 10");
            assertTrue(consumed.contains("0 ts="), consumed);
            assertTrue(consumed.contains("key=warm-up value=up"), consumed);
            assertTrue(consumed.contains("1 ts=") && consumed.contains("key=from-kafka value=hello "
                    + "headers=origin=kafka-clients"), consumed);
            assertTrue(consumed.contains("2 record(s) from readback-0@0; next offset 2"), consumed);
        }
    }

    @Test
    void badInputGetsAClearError() throws Exception {
        try (StrataContainer container = StrataContainer.create("local-client-errors").start();
             Admin admin = Clients.admin(container)) {
            Clients.createTopic(admin, "small", 1, Map.of("max.message.bytes", "200"));
            VendorPartitionerIT.awaitProduced(container, "strata:produce small k v");

            assertTrue(container.gogo("strata:produce nosuch k v")
                    .contains("Error: UNKNOWN_TOPIC_OR_PARTITION: Topic nosuch does not exist"));
            assertTrue(container.gogo("strata:produce -p 3 small k v").contains("Error: UNKNOWN_TOPIC_OR_PARTITION: "
                    + "Partition 3 of topic small does not exist (it has 1)"));
            String tooLarge = container.gogo("strata:produce small k " + "x".repeat(500));
            assertTrue(tooLarge.contains("Error: MESSAGE_TOO_LARGE"), tooLarge);
            String internal = container.gogo("strata:produce __consumer_offsets k v");
            assertTrue(internal.contains("Error: INVALID_TOPIC_EXCEPTION"), internal);
            assertTrue(container.gogo("strata:produce -c brotli small k v")
                    .contains("Invalid value brotli for compression.type"));
            assertTrue(container.gogo("strata:consume small 0 99 5").contains("Error: OFFSET_OUT_OF_RANGE"));

            // A codec that leaves fails the batches that need it, and only those; back, it serves again.
            assertTrue(container.gogo("strata:produce -c snappy small k v").contains("Produced to small-0@1"));
            java.util.regex.Matcher id = java.util.regex.Pattern.compile("(\\d+)\\|Active.*Strata Compression snappy")
                    .matcher(container.gogo("lb snappy"));
            assertTrue(id.find(), "the snappy bundle's id");
            container.gogo("stop " + id.group(1));
            String noCodec = container.gogo("strata:produce -c snappy small k v");
            assertTrue(noCodec.contains("Error: UNSUPPORTED_COMPRESSION_TYPE: Could not write to small-0: No snappy "
                    + "codec is installed"), noCodec);
            assertTrue(container.gogo("strata:produce small k v").contains("Produced to small-0@2"));
            container.gogo("start " + id.group(1));
            long deadline = System.nanoTime() + 30_000_000_000L;
            String again = "";
            while (!again.contains("Produced to small-0@3") && System.nanoTime() < deadline) {
                again = container.gogo("strata:produce -c snappy small k v");
            }
            assertTrue(again.contains("Produced to small-0@3"), again);
        }
    }
}
