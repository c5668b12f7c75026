package dev.strata.broker.internal;

import static dev.strata.broker.internal.CompressionTest.jsonRecords;
import static dev.strata.broker.internal.TestBatches.batches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.ProduceResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import dev.strata.compression.gzip.internal.GzipCodec;
import dev.strata.compression.lz4.internal.Lz4Codec;
import dev.strata.compression.snappy.internal.SnappyCodec;
import dev.strata.compression.zstd.internal.ZstdCodec;
import dev.strata.record.RecordBatch;
import dev.strata.record.Records;
import dev.strata.replication.local.internal.LocalReplication;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compression.<type>.level} (KIP-390) applied when the broker recompresses, its validation, and duplicates of
 * idempotent batches answered without going through a codec.
 */
class CompressionLevelTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");
    private static final long NOW = 1_700_000_000_000L;
    private static final int RECORDS = 2000;

    @TempDir
    Path dir;
    private final InMemoryIndexLogStore store = new InMemoryIndexLogStore();
    private final AtomicLong clock = new AtomicLong(NOW);
    private BrokerCore core;

    private void start(CompressionCodecs codecs, Map<String, Object> brokerProps) throws IOException {
        Map<String, Object> props = new HashMap<>(brokerProps);
        props.put("log.dirs", dir.toString());
        core = TestCores.start(BrokerSettings.of(props), store, clock::get, new LocalReplication(), codecs);
    }

    private ErrorCode createTopic(String name, Map<String, String> configs) {
        return core.broker.createTopic(name, 1, (short) 1, configs, false, CTX).error();
    }

    @AfterEach
    void stop() {
        if (core != null) {
            core.close();
        }
    }

    private ProduceResult produce(String topic, ByteBuffer records) {
        return core.broker.produce(new TopicPartition(topic, 0), records, (short) 1, 1000, CTX).join();
    }

    private List<RecordBatch> stored(String topic) throws IOException {
        FetchResult r = core.broker.fetch(new FetchParams(-1, 0, 1, 64 << 20, IsolationLevel.READ_UNCOMMITTED,
                List.of(new FetchPartition(new TopicPartition(topic, 0), 0, 64 << 20))), CTX).join().get(0);
        assertEquals(ErrorCode.NONE, r.error());
        return batches(r.records());
    }

    /** Produces the same snappy batch to a topic that stores {@code type}; returns the stored batch's size. */
    private int storedSize(String topic, CompressionType type, CompressionCodec readBack) throws IOException {
        ProduceResult r = produce(topic, jsonRecords(RECORDS, NOW).build(new SnappyCodec()));
        assertEquals(ErrorCode.NONE, r.error(), r.message());
        List<RecordBatch> batches = stored(topic);
        RecordBatch last = batches.get(batches.size() - 1);
        assertEquals(type, last.compressionType());
        assertEquals(RECORDS, Records.readAll(last, readBack, 1 << 24).size());
        return last.sizeInBytes();
    }

    @Test
    void topicGzipLevelIsAppliedWhenRecompressing() throws Exception {
        start(CompressionCodecs.of(CompressionTest.allCodecs()), Map.of());
        assertEquals(ErrorCode.NONE, createTopic("fast", Map.of("compression.type", "gzip",
                "compression.gzip.level", "1")));
        assertEquals(ErrorCode.NONE, createTopic("small", Map.of("compression.type", "gzip",
                "compression.gzip.level", "9")));
        int fast = storedSize("fast", CompressionType.GZIP, new GzipCodec());
        int small = storedSize("small", CompressionType.GZIP, new GzipCodec());
        assertTrue(small < fast, "level 9: " + small + " bytes, level 1: " + fast);

        // a live change of the level applies to the next batch
        core.metadata.alterTopicConfigs("fast", Map.of("compression.type", "gzip", "compression.gzip.level", "9"));
        assertEquals(small, storedSize("fast", CompressionType.GZIP, new GzipCodec()));
    }

    @Test
    void topicZstdLevelOverridesTheBrokerLevelWhichOverridesTheCodecs() throws Exception {
        // The codec's own level (its PID) is 3; the broker-wide compression.zstd.level sets -5.
        start(CompressionCodecs.of(CompressionTest.allCodecs()), Map.of("compression.zstd.level", "-5"));
        assertEquals(ErrorCode.NONE, createTopic("broker", Map.of("compression.type", "zstd")));
        assertEquals(ErrorCode.NONE, createTopic("topic", Map.of("compression.type", "zstd",
                "compression.zstd.level", "19")));
        int brokerLevel = storedSize("broker", CompressionType.ZSTD, new ZstdCodec());
        int topicLevel = storedSize("topic", CompressionType.ZSTD, new ZstdCodec());
        assertTrue(topicLevel < brokerLevel, "level 19: " + topicLevel + " bytes, level -5: " + brokerLevel);
    }

    @Test
    void withoutATopicOrBrokerLevelTheCodecsConfiguredLevelIsUsed() throws Exception {
        start(CompressionCodecs.of(CompressionTest.allCodecs()), Map.of());
        assertEquals(ErrorCode.NONE, createTopic("codec", Map.of("compression.type", "zstd")));
        assertEquals(ErrorCode.NONE, createTopic("explicit3", Map.of("compression.type", "zstd",
                "compression.zstd.level", "3")));
        assertEquals(storedSize("explicit3", CompressionType.ZSTD, new ZstdCodec()),
                storedSize("codec", CompressionType.ZSTD, new ZstdCodec()));
    }

    @Test
    void levelsOutsideKafkasRangesAreInvalidConfig() throws Exception {
        start(CompressionCodecs.of(CompressionTest.allCodecs()), Map.of());
        Map<String, List<String>> bad = Map.of(
                "compression.gzip.level", List.of("0", "-2", "10", "x"),
                "compression.lz4.level", List.of("0", "18"),
                "compression.zstd.level", List.of("-131073", "23"));
        bad.forEach((name, values) -> values.forEach(v ->
                assertEquals(ErrorCode.INVALID_CONFIG, createTopic("bad", Map.of(name, v)), name + "=" + v)));
        Map<String, List<String>> good = Map.of(
                "compression.gzip.level", List.of("-1", "1", "9"),
                "compression.lz4.level", List.of("1", "17"),
                "compression.zstd.level", List.of("-131072", "22"));
        int[] n = {0};
        good.forEach((name, values) -> values.forEach(v ->
                assertEquals(ErrorCode.NONE, createTopic("good" + n[0]++, Map.of(name, v)), name + "=" + v)));
        assertThrows(IllegalArgumentException.class,
                () -> BrokerSettings.of(Map.of("log.dirs", dir.toString(), "compression.gzip.level", "0")));
    }

    /** A codec that counts the streams it opens, delegating the work. */
    private record CountingCodec(CompressionCodec codec, AtomicInteger compressions, AtomicInteger decompressions)
            implements CompressionCodec {
        CountingCodec(CompressionCodec codec) {
            this(codec, new AtomicInteger(), new AtomicInteger());
        }

        @Override
        public CompressionType type() {
            return codec.type();
        }

        @Override
        public OutputStream compress(OutputStream out) throws IOException {
            compressions.incrementAndGet();
            return codec.compress(out);
        }

        @Override
        public OutputStream compress(OutputStream out, OptionalInt level) throws IOException {
            compressions.incrementAndGet();
            return codec.compress(out, level);
        }

        @Override
        public InputStream decompress(InputStream in) throws IOException {
            decompressions.incrementAndGet();
            return codec.decompress(in);
        }
    }

    private static ByteBuffer copy(ByteBuffer b) {
        return ByteBuffer.allocate(b.remaining()).put(b.duplicate()).flip();
    }

    @Test
    void duplicateOfARecompressedBatchIsAnsweredWithoutACodec() throws Exception {
        CountingCodec gzip = new CountingCodec(new GzipCodec());
        CountingCodec lz4 = new CountingCodec(new Lz4Codec());
        start(CompressionCodecs.of(gzip, lz4), Map.of());
        assertEquals(ErrorCode.NONE, createTopic("t", Map.of("compression.type", "lz4",
                "compression.lz4.level", "12")));
        ByteBuffer batch = jsonRecords(100, NOW).producer(7L, (short) 0, 0).build(new GzipCodec());
        ByteBuffer retry = copy(batch);
        assertEquals(0, produce("t", batch).baseOffset());
        assertEquals(1, gzip.decompressions().get());
        assertEquals(1, lz4.compressions().get());

        ProduceResult again = produce("t", retry);
        assertEquals(ErrorCode.NONE, again.error(), again.message());
        assertEquals(0, again.baseOffset());
        assertEquals(1, gzip.decompressions().get(), "the duplicate was decompressed");
        assertEquals(1, lz4.compressions().get(), "the duplicate was recompressed");
        assertEquals(1, stored("t").size());

        // the next batch of the producer goes through the codecs as before
        ProduceResult next = produce("t", jsonRecords(10, NOW).producer(7L, (short) 0, 100).build(new GzipCodec()));
        assertEquals(ErrorCode.NONE, next.error(), next.message());
        assertEquals(100, next.baseOffset());
        assertEquals(2, gzip.decompressions().get());
        assertEquals(2, lz4.compressions().get());
    }
}
