package dev.strata.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.ProduceResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.compression.lz4.internal.Lz4Codec;
import dev.strata.record.RecordBatchBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compacted topics on the write path (keys required) and the cleaner's settings and checkpoint file. */
class CompactedTopicTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");

    @TempDir
    Path dir;
    private BrokerCore core;

    @AfterEach
    void stop() {
        if (core != null) {
            core.close();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void recordsWithoutAKeyAreRefusedOnCompactedTopicsOnly() throws IOException {
        core = TestCores.start(BrokerSettings.of(Map.of("log.dirs", dir.toString())), new InMemoryIndexLogStore(),
                CompressionCodecs.of(new Lz4Codec()));
        assertEquals(ErrorCode.NONE, core.broker.createTopic("c", 1, (short) 1,
                Map.of("cleanup.policy", "compact,delete"), false, CTX).error());
        assertEquals(ErrorCode.NONE, core.broker.createTopic("d", 1, (short) 1, Map.of(), false, CTX).error());

        ProduceResult refused = core.broker.produce(new TopicPartition("c", 0), new RecordBatchBuilder()
                .add(1, utf8("k"), utf8("v")).add(2, null, utf8("v")).build(), (short) 1, 1000, CTX).join();
        assertEquals(ErrorCode.INVALID_RECORD, refused.error());
        assertEquals("One or more records have been rejected due to 1 record errors in total, and only showing the"
                + " first three errors at most: [RecordError(batchIndex=1, message='Compacted topic cannot accept"
                + " message without key in topic partition c-0')]", refused.message());

        ProduceResult compressed = core.broker.produce(new TopicPartition("c", 0), new RecordBatchBuilder()
                .add(1, null, utf8("v")).build(new Lz4Codec()), (short) 1, 1000, CTX).join();
        assertEquals(ErrorCode.INVALID_RECORD, compressed.error());

        assertEquals(ErrorCode.NONE, core.broker.produce(new TopicPartition("c", 0), new RecordBatchBuilder()
                .add(1, utf8("k"), null).build(), (short) 1, 1000, CTX).join().error(), "a tombstone has a key");
        assertEquals(ErrorCode.NONE, core.broker.produce(new TopicPartition("d", 0), new RecordBatchBuilder()
                .add(1, null, utf8("v")).build(), (short) 1, 1000, CTX).join().error());
    }

    @Test
    void cleanerSettingsHaveKafkasDefaultsAndBrokerWideTopicDefaults() {
        BrokerSettings plain = BrokerSettings.of(Map.of());
        assertEquals(new CleanerSettings(true, 1, 134217728L, 15000L), CleanerSettings.of(plain));
        assertFalse(CleanerSettings.compacted(Map.of(), plain));
        assertTrue(CleanerSettings.compacted(Map.of("cleanup.policy", "delete,compact"), plain));
        assertEquals(new CleanerSettings.Topic(0.5, 0, Long.MAX_VALUE, 86400000L, 1073741824),
                CleanerSettings.Topic.of(Map.of(), plain));

        BrokerSettings set = BrokerSettings.of(Map.of("log.cleaner.threads", "4",
                "log.cleaner.dedupe.buffer.size", "1000", "log.cleanup.policy", "compact",
                "log.cleaner.min.cleanable.ratio", "0.1", "log.cleaner.delete.retention.ms", "5"));
        CleanerSettings cleaner = CleanerSettings.of(set);
        assertEquals(250, cleaner.dedupeBufferPerThread());
        assertTrue(CleanerSettings.compacted(Map.of(), set));
        assertEquals(0.1, CleanerSettings.Topic.of(Map.of(), set).minCleanableRatio());
        assertEquals(7, CleanerSettings.Topic.of(Map.of("delete.retention.ms", "7"), set).deleteRetentionMs());

        assertThrows(IllegalArgumentException.class,
                () -> CleanerSettings.of(BrokerSettings.of(Map.of("log.cleaner.threads", "-1"))));
        assertThrows(IllegalArgumentException.class,
                () -> CleanerSettings.of(BrokerSettings.of(Map.of("log.cleaner.enable", "yes"))));
    }

    @Test
    void theCheckpointIsKafkasFormatAndSurvivesARewrite() throws IOException {
        CleanerCheckpoint checkpoint = new CleanerCheckpoint(dir);
        assertTrue(checkpoint.read().isEmpty());
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        offsets.put(new TopicPartition("__consumer_offsets", 7), 1234L);
        offsets.put(new TopicPartition("a.b-c", 0), 5L);
        checkpoint.write(offsets);
        assertEquals(offsets, checkpoint.read());
        assertEquals("0", Files.readAllLines(dir.resolve("cleaner-offset-checkpoint")).get(0));
        assertEquals("2", Files.readAllLines(dir.resolve("cleaner-offset-checkpoint")).get(1));
        checkpoint.write(new HashMap<>(Map.of(new TopicPartition("x", 1), 9L)));
        assertEquals(Map.of(new TopicPartition("x", 1), 9L), checkpoint.read());
        assertFalse(Files.exists(dir.resolve("cleaner-offset-checkpoint.tmp")));

        Files.writeString(dir.resolve("cleaner-offset-checkpoint"), "0\n2\nx 1 9\n");
        assertThrows(IOException.class, checkpoint::read);
    }
}
