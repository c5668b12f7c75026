package dev.strata.broker.internal;

import static dev.strata.broker.internal.TestBatches.batches;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.ConfigEntry;
import dev.strata.api.broker.ConfigResource;
import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.ListOffsetResult;
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
import dev.strata.record.BatchRecord;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordBatchBuilder;
import dev.strata.record.Records;
import dev.strata.record.SimpleRecord;
import dev.strata.metadata.local.internal.LocalMetadataStore;
import dev.strata.replication.local.internal.LocalReplication;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compressed produce end to end through {@link BrokerCore} with the real codec classes: availability of codecs,
 * record validation inside compressed batches, {@code compression.type} (stored as sent, or recompressed), and
 * ListOffsets inside compressed batches.
 */
class CompressionTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");
    private static final TopicPartition T0 = new TopicPartition("t", 0);
    private static final long NOW = 1_700_000_000_000L;

    @TempDir
    Path dir;
    private final InMemoryIndexLogStore store = new InMemoryIndexLogStore();
    private final AtomicLong clock = new AtomicLong(NOW);
    private BrokerCore core;

    static CompressionCodec[] allCodecs() {
        return new CompressionCodec[] {new GzipCodec(), new SnappyCodec(), new Lz4Codec(), new ZstdCodec()};
    }

    private void start(CompressionCodecs codecs, Map<String, Object> brokerProps, Map<String, String> topicConfigs)
            throws IOException {
        Map<String, Object> props = new HashMap<>(brokerProps);
        props.put("log.dirs", dir.toString());
        core = TestCores.start(BrokerSettings.of(props), store, clock::get, new LocalReplication(), codecs);
        assertEquals(ErrorCode.NONE, core.broker.createTopic("t", 1, (short) 1, topicConfigs, false, CTX).error());
    }

    @AfterEach
    void stop() {
        if (core != null) {
            core.close();
        }
    }

    private ProduceResult produce(ByteBuffer records) {
        return core.broker.produce(T0, records, (short) 1, 1000, CTX).join();
    }

    private List<RecordBatch> stored() throws IOException {
        FetchResult r = core.broker.fetch(new FetchParams(-1, 0, 1, 64 << 20, IsolationLevel.READ_UNCOMMITTED,
                List.of(new FetchPartition(T0, 0, 64 << 20))), CTX).join().get(0);
        assertEquals(ErrorCode.NONE, r.error());
        return batches(r.records());
    }

    static String json(int i) {
        return "{\"id\":" + i + ",\"user\":\"user-" + (i % 50) + "\",\"event\":\"page_view\",\"path\":\"/items/"
                + (i % 200) + "\",\"ok\":true}";
    }

    static RecordBatchBuilder jsonRecords(int count, long firstTimestamp) {
        RecordBatchBuilder b = new RecordBatchBuilder();
        for (int i = 0; i < count; i++) {
            SimpleRecord.Header[] headers = {new SimpleRecord.Header("n", ByteBuffer.wrap(new byte[] {(byte) i}))};
            ByteBuffer key = i % 3 == 0 ? null : ByteBuffer.wrap(("k" + i).getBytes(StandardCharsets.UTF_8));
            b.add(new SimpleRecord(firstTimestamp + i, key,
                    ByteBuffer.wrap(json(i).getBytes(StandardCharsets.UTF_8)), headers));
        }
        return b;
    }

    private static String value(BatchRecord r) {
        return StandardCharsets.UTF_8.decode(r.value().duplicate()).toString();
    }

    private static void assertJsonRecords(List<BatchRecord> records, long baseOffset, int count, long firstTs) {
        assertEquals(count, records.size());
        for (int i = 0; i < count; i++) {
            BatchRecord r = records.get(i);
            assertEquals(baseOffset + i, r.offset());
            assertEquals(firstTs + i, r.timestamp());
            assertEquals(json(i), value(r));
            if (i % 3 == 0) {
                assertNull(r.key());
            } else {
                assertEquals("k" + i, StandardCharsets.UTF_8.decode(r.key().duplicate()).toString());
            }
            assertEquals("n", r.headers()[0].key());
        }
    }

    private static ByteBuffer copy(ByteBuffer b) {
        return ByteBuffer.allocate(b.remaining()).put(b.duplicate()).flip();
    }

    @Test
    void everyCodecIsStoredAsSentAndReadsBackWithAssignedOffsets() throws Exception {
        CompressionCodec[] codecs = allCodecs();
        start(CompressionCodecs.of(codecs), Map.of(), Map.of());
        long offset = 0;
        for (CompressionCodec codec : codecs) {
            ByteBuffer sent = jsonRecords(500, NOW).producer(10 + codec.type().id(), (short) 0, 0).build(codec);
            ByteBuffer original = copy(sent);
            ProduceResult r = produce(sent);
            assertEquals(ErrorCode.NONE, r.error(), codec.type() + ": " + r.message());
            assertEquals(offset, r.baseOffset());
            RecordBatch batch = stored().get(stored().size() - 1);
            assertEquals(codec.type(), batch.compressionType());
            // byte for byte the producer's records section: no recompression on the producer path
            assertEquals(original.slice(RecordBatch.HEADER_SIZE, original.remaining() - RecordBatch.HEADER_SIZE),
                    batch.slice().slice(RecordBatch.HEADER_SIZE, batch.sizeInBytes() - RecordBatch.HEADER_SIZE));
            int plainSize = jsonRecords(500, NOW).build().remaining();
            assertTrue(batch.sizeInBytes() < plainSize / 2, codec.type() + " stored " + batch.sizeInBytes()
                    + " bytes of " + plainSize);
            assertJsonRecords(Records.readAll(batch, codec, 1 << 24), offset, 500, NOW);
            offset += 500;
        }
    }

    @Test
    void batchWrittenByKafkaClientsIsAccepted() throws Exception {
        start(CompressionCodecs.of(allCodecs()), Map.of(), Map.of());
        var builder = org.apache.kafka.common.record.MemoryRecords.builder(ByteBuffer.allocate(1 << 20),
                org.apache.kafka.common.compress.Compression.zstd().build(),
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0L);
        for (int i = 0; i < 100; i++) {
            builder.append(NOW + i, null, json(i).getBytes(StandardCharsets.UTF_8));
        }
        ProduceResult r = produce(builder.build().buffer());
        assertEquals(ErrorCode.NONE, r.error(), r.message());
        assertEquals(CompressionType.ZSTD, stored().get(0).compressionType());
    }

    @Test
    void missingCodecIsUnsupportedAndNothingIsWritten() throws Exception {
        CompressionCodecs codecs = CompressionCodecs.of(new GzipCodec());
        start(codecs, Map.of(), Map.of());
        ZstdCodec zstd = new ZstdCodec();
        ProduceResult r = produce(jsonRecords(10, NOW).build(zstd));
        assertEquals(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, r.error());
        assertTrue(r.message().contains("zstd"), r.message());
        assertEquals(0, core.logs.partition(T0).logEndOffset());

        // installed later: usable at once; removed: refused again, earlier data intact
        Map<String, Object> props = Map.of(CompressionCodec.PROPERTY_TYPE, "zstd", "service.id", 99L);
        codecs.add(zstd, props);
        assertEquals(ErrorCode.NONE, produce(jsonRecords(10, NOW).build(zstd)).error());
        codecs.remove(zstd, props);
        assertEquals(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, produce(jsonRecords(10, NOW).build(zstd)).error());
        assertEquals(ErrorCode.NONE, produce(jsonRecords(10, NOW).build(new GzipCodec())).error());
        assertEquals(20, core.logs.partition(T0).logEndOffset());
    }

    @Test
    void unknownCompressionIdIsUnsupported() throws Exception {
        start(CompressionCodecs.of(allCodecs()), Map.of(), Map.of());
        ByteBuffer plain = jsonRecords(3, NOW).build();
        ByteBuffer section = plain.duplicate().position(RecordBatch.HEADER_SIZE).slice();
        ByteBuffer seven = new RecordBatchBuilder().assemble(section, 7, 3, NOW, NOW + 2);
        assertEquals(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, produce(seven).error());
        assertEquals(0, core.logs.partition(T0).logEndOffset());
    }

    /** A codec that blocks in decompress until released, to hold a request in flight. */
    private static final class GatedCodec implements CompressionCodec {
        private final CompressionCodec delegate;
        final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

        GatedCodec(CompressionCodec delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompressionType type() {
            return delegate.type();
        }

        @Override
        public java.io.OutputStream compress(java.io.OutputStream out) throws IOException {
            return delegate.compress(out);
        }

        @Override
        public java.io.InputStream decompress(java.io.InputStream in) throws IOException {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            return delegate.decompress(in);
        }
    }

    @Test
    void requestHoldingACodecFinishesAfterItIsRemoved() throws Exception {
        GatedCodec gated = new GatedCodec(new SnappyCodec());
        Map<String, Object> props = Map.of(CompressionCodec.PROPERTY_TYPE, "snappy", "service.id", 5L);
        CompressionCodecs codecs = new CompressionCodecs();
        codecs.add(gated, props);
        start(codecs, Map.of(), Map.of());
        ByteBuffer batch = jsonRecords(50, NOW).build(new SnappyCodec());
        var inFlight = java.util.concurrent.CompletableFuture.supplyAsync(() -> produce(batch));
        assertTrue(gated.entered.await(10, java.util.concurrent.TimeUnit.SECONDS));
        codecs.remove(gated, props);
        gated.release.countDown();
        assertEquals(ErrorCode.NONE, inFlight.get(10, java.util.concurrent.TimeUnit.SECONDS).error());
        assertEquals(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
                produce(jsonRecords(50, NOW).build(new SnappyCodec())).error());
        assertEquals(50, core.logs.partition(T0).logEndOffset());
    }

    @Test
    void corruptOrTruncatedPayloadWithValidCrcIsCorruptMessage() throws Exception {
        start(CompressionCodecs.of(allCodecs()), Map.of(), Map.of());
        for (CompressionCodec codec : allCodecs()) {
            ByteBuffer good = jsonRecords(200, NOW).build(codec);
            ByteBuffer payload = good.duplicate().position(RecordBatch.HEADER_SIZE).slice();
            ByteBuffer truncated = new RecordBatchBuilder().assemble(payload.slice(0, payload.remaining() / 2),
                    codec.type().id(), 200, NOW, NOW + 199);
            ProduceResult r = produce(truncated);
            assertEquals(ErrorCode.CORRUPT_MESSAGE, r.error(), codec.type() + " truncated: " + r.message());

            byte[] garbage = new byte[300];
            new java.util.Random(codec.type().id()).nextBytes(garbage);
            ByteBuffer junk = new RecordBatchBuilder().assemble(ByteBuffer.wrap(garbage), codec.type().id(), 10,
                    NOW, NOW);
            r = produce(junk);
            assertTrue(r.error() == ErrorCode.CORRUPT_MESSAGE || r.error() == ErrorCode.INVALID_RECORD,
                    codec.type() + " garbage: " + r.error() + " " + r.message());
        }
        assertEquals(0, core.logs.partition(T0).logEndOffset());
        assertEquals(ErrorCode.NONE, produce(jsonRecords(5, NOW).build(new GzipCodec())).error());
    }

    @Test
    void randomlyDamagedPayloadsAreRefusedWithARecordError() throws Exception {
        start(CompressionCodecs.of(allCodecs()), Map.of(), Map.of());
        java.util.Random random = new java.util.Random(11);
        java.util.Set<ErrorCode> allowed = java.util.EnumSet.of(ErrorCode.CORRUPT_MESSAGE, ErrorCode.INVALID_RECORD,
                ErrorCode.INVALID_TIMESTAMP, ErrorCode.MESSAGE_TOO_LARGE);
        for (CompressionCodec codec : allCodecs()) {
            ByteBuffer good = jsonRecords(100, NOW).build(codec);
            byte[] payload = new byte[good.remaining() - RecordBatch.HEADER_SIZE];
            good.duplicate().position(RecordBatch.HEADER_SIZE).get(payload);
            for (int attempt = 0; attempt < 50; attempt++) {
                byte[] damaged = java.util.Arrays.copyOf(payload,
                        attempt % 2 == 0 ? payload.length : 1 + random.nextInt(payload.length - 1));
                for (int flips = 0; flips < 1 + attempt % 3; flips++) {
                    damaged[random.nextInt(damaged.length)] ^= (byte) (1 + random.nextInt(255));
                }
                ByteBuffer batch = new RecordBatchBuilder().assemble(ByteBuffer.wrap(damaged), codec.type().id(),
                        100, NOW, NOW + 99);
                ProduceResult r = produce(batch);
                // a flip that leaves the stream decodable (e.g. inside a literal) may still be accepted
                assertTrue(r.error() == ErrorCode.NONE || allowed.contains(r.error()),
                        codec.type() + " attempt " + attempt + ": " + r.error() + " " + r.message());
            }
        }
    }

    /** Records section whose record {@code patched} gets offset delta {@code delta} (all small varints). */
    private static ByteBuffer sectionWithOffsetDelta(List<SimpleRecord> records, int patched, int delta) {
        ByteBuffer section = RecordBatchBuilder.encodeRecords(records, records.get(0).timestamp());
        int pos = 0;
        for (int i = 0; i < patched; i++) {
            pos += 1 + (section.get(pos) >> 1); // one-byte length varint: zigzag
        }
        // length varint (1 byte), attributes (1), timestamp delta (1 byte for small deltas), then the offset delta
        section.put(pos + 3, (byte) (delta << 1));
        return section;
    }

    @Test
    void recordsInsideCompressedBatchesAreValidated() throws Exception {
        start(CompressionCodecs.of(allCodecs()), Map.of(), Map.of());
        GzipCodec gzip = new GzipCodec();
        List<SimpleRecord> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            records.add(new SimpleRecord(NOW + i, null, ("v" + i).getBytes(StandardCharsets.UTF_8)));
        }
        // inner offsets 0, 1, 3, 3, 4
        ByteBuffer bad = sectionWithOffsetDelta(records, 2, 3);
        ProduceResult r = produce(new RecordBatchBuilder().assemble(Records.compress(bad, gzip), 1, 5, NOW, NOW + 4));
        assertEquals(ErrorCode.INVALID_RECORD, r.error(), r.message());

        // header says 6 records, the payload holds 5
        ByteBuffer good = RecordBatchBuilder.encodeRecords(records, NOW);
        ByteBuffer miscounted = new RecordBatchBuilder().assemble(Records.compress(good, gzip), 1, 6, NOW, NOW + 4);
        assertEquals(ErrorCode.INVALID_RECORD, produce(miscounted).error());

        // a record two hours in the future (message.timestamp.after.max.ms is one hour)
        records.set(3, new SimpleRecord(NOW + 7_200_000L, null, new byte[] {1}));
        RecordBatchBuilder future = new RecordBatchBuilder();
        records.forEach(future::add);
        r = produce(future.build(new Lz4Codec()));
        assertEquals(ErrorCode.INVALID_TIMESTAMP, r.error());
        assertTrue(r.message().contains("record 3"), r.message());
        assertEquals(0, core.logs.partition(T0).logEndOffset());
    }

    @Test
    void decompressionBombIsRefusedBeforeItIsAllocated() throws Exception {
        start(CompressionCodecs.of(allCodecs()), Map.of(), Map.of("max.message.bytes", "100000"));
        int cap = core.logs.partition(T0).settings().maxDecompressedBytes();
        assertEquals(100_000 * TopicSettings.MAX_DECOMPRESSION_RATIO, cap);
        ByteBuffer bomb = new RecordBatchBuilder().add(NOW, null, new byte[cap + 1]).build(new ZstdCodec());
        assertTrue(bomb.remaining() < 100_000);
        ProduceResult r = produce(bomb);
        assertEquals(ErrorCode.MESSAGE_TOO_LARGE, r.error(), r.message());
        assertEquals(0, core.logs.partition(T0).logEndOffset());
    }

    @Test
    void topicCompressionTypeRecompressesKeepingProducerFieldsAndTimestamps() throws Exception {
        start(CompressionCodecs.of(allCodecs()), Map.of(), Map.of("compression.type", "lz4"));
        ByteBuffer gzipBatch = jsonRecords(300, NOW).producer(42L, (short) 2, 7).build(new GzipCodec());
        ByteBuffer retry = copy(gzipBatch);
        ProduceResult r = produce(gzipBatch);
        assertEquals(ErrorCode.NONE, r.error(), r.message());
        assertEquals(0, r.baseOffset());

        List<RecordBatch> batches = stored();
        assertEquals(1, batches.size());
        RecordBatch lz4 = batches.get(0);
        assertEquals(CompressionType.LZ4, lz4.compressionType());
        assertEquals(42L, lz4.producerId());
        assertEquals(2, lz4.producerEpoch());
        assertEquals(7, lz4.baseSequence());
        assertEquals(306, lz4.lastSequence());
        assertEquals(NOW, lz4.baseTimestamp());
        assertEquals(NOW + 299, lz4.maxTimestamp());
        assertJsonRecords(Records.readAll(lz4, new Lz4Codec(), 1 << 24), 0, 300, NOW);

        // the producer's retry of the same gzip batch is recognised as a duplicate
        ProduceResult again = produce(retry);
        assertEquals(ErrorCode.NONE, again.error());
        assertEquals(0, again.baseOffset());
        assertEquals(300, core.logs.partition(T0).logEndOffset());

        // uncompressed batches are compressed too
        assertEquals(ErrorCode.NONE, produce(jsonRecords(4, NOW).build()).error());
        assertEquals(CompressionType.LZ4, stored().get(1).compressionType());
        assertEquals(304, stored().get(1).nextOffset());
    }

    @Test
    void uncompressedTopicAndLogAppendTime() throws Exception {
        start(CompressionCodecs.of(allCodecs()), Map.of(),
                Map.of("compression.type", "uncompressed", "message.timestamp.type", "LogAppendTime"));
        ProduceResult r = produce(jsonRecords(20, NOW - 100_000_000L).build(new SnappyCodec()));
        assertEquals(ErrorCode.NONE, r.error(), r.message());
        assertEquals(NOW, r.logAppendTime());
        RecordBatch batch = stored().get(0);
        assertEquals(CompressionType.NONE, batch.compressionType());
        assertTrue(batch.isLogAppendTime());
        assertEquals(NOW, batch.maxTimestamp());
        List<BatchRecord> records = Records.readAll(batch, null, 1 << 20);
        assertEquals(20, records.size());
        assertEquals(json(19), value(records.get(19)));
        assertEquals(NOW, records.get(19).timestamp());
    }

    @Test
    void missingTargetCodecIsUnsupportedAndConfigChangesApplyLive() throws Exception {
        CompressionCodecs codecs = CompressionCodecs.of(new GzipCodec());
        start(codecs, Map.of(), Map.of("compression.type", "zstd"));
        ProduceResult r = produce(jsonRecords(5, NOW).build(new GzipCodec()));
        assertEquals(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, r.error());
        assertTrue(r.message().contains("compression.type"), r.message());
        assertEquals(0, core.logs.partition(T0).logEndOffset());

        core.metadata.alterTopicConfigs("t", Map.of("compression.type", "producer"));
        assertEquals(ErrorCode.NONE, produce(jsonRecords(5, NOW).build(new GzipCodec())).error());
        assertEquals(CompressionType.GZIP, stored().get(0).compressionType());
    }

    @Test
    void compressionTypeIsValidatedAndHasABrokerDefault() throws Exception {
        start(CompressionCodecs.of(allCodecs()), Map.of("compression.type", "SNAPPY"), Map.of());
        assertEquals(ErrorCode.INVALID_CONFIG, core.broker.createTopic("bad", 1, (short) 1,
                Map.of("compression.type", "brotli"), false, CTX).error());
        ConfigEntry entry = core.broker.describeConfigs(new ConfigResource(ConfigResource.Type.TOPIC, "t")).stream()
                .filter(e -> e.name().equals("compression.type")).findFirst().orElseThrow();
        assertEquals("snappy", entry.value());
        assertEquals(ConfigEntry.Source.STATIC_BROKER_CONFIG, entry.source());
        assertEquals(ErrorCode.NONE, produce(jsonRecords(5, NOW).build(new ZstdCodec())).error());
        assertEquals(CompressionType.SNAPPY, stored().get(0).compressionType());

        assertThrows(IllegalArgumentException.class,
                () -> BrokerSettings.of(Map.of("log.dirs", dir.toString(), "compression.type", "brotli")));
    }

    @Test
    void listOffsetsFindsTheRecordInsideACompressedBatch() throws Exception {
        start(CompressionCodecs.of(allCodecs()), Map.of(), Map.of());
        produce(jsonRecords(10, NOW).build(new ZstdCodec())); // offsets 0..9, timestamps NOW..NOW+9
        produce(jsonRecords(10, NOW + 100).build(new GzipCodec())); // offsets 10..19
        IsolationLevel ru = IsolationLevel.READ_UNCOMMITTED;
        assertEquals(new ListOffsetResult(ErrorCode.NONE, NOW + 4, 4), core.broker.listOffset(T0, NOW + 4, ru));
        assertEquals(new ListOffsetResult(ErrorCode.NONE, NOW + 100, 10), core.broker.listOffset(T0, NOW + 50, ru));
        assertEquals(new ListOffsetResult(ErrorCode.NONE, NOW + 107, 17), core.broker.listOffset(T0, NOW + 107, ru));
        assertEquals(new ListOffsetResult(ErrorCode.NONE, NOW + 109, 19),
                core.broker.listOffset(T0, ListOffsetResult.MAX_TIMESTAMP, ru));
    }

    @Test
    void registryKeysByServicePropertyAndPrefersRanking() {
        CompressionCodecs codecs = new CompressionCodecs();
        GzipCodec low = new GzipCodec();
        GzipCodec high = new GzipCodec();
        codecs.add(new Lz4Codec(), Map.of(CompressionCodec.PROPERTY_TYPE, "gzip", "service.id", 1L)); // mismatch
        codecs.add(new Lz4Codec(), Map.of("service.id", 2L)); // no property
        assertNull(codecs.get(CompressionType.GZIP));
        assertNull(codecs.get(CompressionType.LZ4));
        codecs.add(low, Map.of(CompressionCodec.PROPERTY_TYPE, "gzip", "service.id", 3L));
        codecs.add(high, Map.of(CompressionCodec.PROPERTY_TYPE, "gzip", "service.id", 4L, "service.ranking", 10));
        assertSame(high, codecs.get(CompressionType.GZIP));
        codecs.remove(high, Map.of());
        assertSame(low, codecs.get(CompressionType.GZIP));
        codecs.remove(low, Map.of());
        assertNull(codecs.get(CompressionType.GZIP));
        assertEquals(List.of(), codecs.available());
    }

    @Test
    void componentBindsCodecsBeforeAndAfterActivation() throws Exception {
        Map<String, Object> config = new HashMap<>(Map.of("log.dirs", dir.toString()));
        BrokerComponent broker = new BrokerComponent(store, new LocalMetadataStore(config), config,
                new LocalReplication());
        ZstdCodec zstd = new ZstdCodec();
        Map<String, Object> zstdProps = Map.of(CompressionCodec.PROPERTY_TYPE, "zstd", "service.id", 1L);
        broker.addCodec(zstd, zstdProps); // DS binds dynamic references before activate
        broker.openCore(config);
        try {
            assertEquals(ErrorCode.NONE, broker.createTopic("t", 1, (short) 1, Map.of(), false, CTX).error());
            assertEquals(ErrorCode.NONE,
                    broker.produce(T0, jsonRecords(3, NOW).build(zstd), (short) 1, 1000, CTX).join().error());
            broker.removeCodec(zstd, zstdProps);
            assertEquals(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
                    broker.produce(T0, jsonRecords(3, NOW).build(zstd), (short) 1, 1000, CTX).join().error());
            SnappyCodec snappy = new SnappyCodec();
            broker.addCodec(snappy, Map.of(CompressionCodec.PROPERTY_TYPE, "snappy", "service.id", 2L));
            assertNotNull(broker.codecs().get(CompressionType.SNAPPY));
            ProduceResult r = broker.produce(T0, jsonRecords(3, System.currentTimeMillis()).build(snappy), (short) 1,
                    1000, CTX).join();
            assertEquals(ErrorCode.NONE, r.error(), r.message());
            assertEquals(3, r.baseOffset());
        } finally {
            broker.deactivate();
        }
    }

    @Test
    void sentBytesMatchTheBuilder() {
        // guards the helper above: a patched delta really changes the record's offset
        List<SimpleRecord> records = List.of(new SimpleRecord(NOW, null, new byte[] {1}),
                new SimpleRecord(NOW + 1, null, new byte[] {2}));
        ByteBuffer section = sectionWithOffsetDelta(records, 1, 5);
        ByteBuffer batch = new RecordBatchBuilder().assemble(section, 0, 2, NOW, NOW + 1);
        List<BatchRecord> read = Records.readAll(RecordBatch.at(batch, 0), null, 1 << 20);
        assertEquals(5, read.get(1).offset());
        assertArrayEquals(new byte[] {2}, new byte[] {read.get(1).value().get(0)});
    }
}
