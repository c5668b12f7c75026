package dev.strata.compression.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.compression.CompressionCodec;
import dev.strata.record.BatchRecord;
import dev.strata.record.InvalidRecordException;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordBatchBuilder;
import dev.strata.record.Records;
import dev.strata.record.SimpleRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * What every codec must do: round-trip arbitrary bytes, read batches compressed by kafka-clients, write batches
 * kafka-clients reads, and fail cleanly (an IOException or InvalidRecordException, promptly) on damaged input.
 * Each compression bundle's codec test extends this class (test-scoped dependency on this module) and adds its
 * codec-specific tests. Instances are per test method, as JUnit makes them; not thread-safe.
 */
public abstract class CodecContractTest {
    private static final Duration NO_HANG = Duration.ofSeconds(30);

    /** The codec under test, configured with its defaults. */
    protected abstract CompressionCodec codec();

    /** kafka-clients' implementation of the same compression type. */
    protected abstract Compression kafkaCompression();

    protected static byte[] randomBytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Text-like data with plenty of repetition, spanning several codec blocks. */
    protected static byte[] compressibleBytes(int size) {
        StringBuilder sb = new StringBuilder(size + 64);
        for (int i = 0; sb.length() < size; i++) {
            sb.append("{\"id\":").append(i % 97).append(",\"name\":\"strata-").append(i % 13).append("\"}\n");
        }
        return sb.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    /** Compresses in one write at a per-stream level ({@link CompressionCodec#compress(OutputStream, OptionalInt)}). */
    protected byte[] compressAt(byte[] data, OptionalInt level) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = codec().compress(bytes, level)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    protected byte[] compress(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = codec().compress(bytes)) {
            // Uneven writes exercise the block boundaries.
            int pos = 0;
            int step = 1;
            while (pos < data.length) {
                int n = Math.min(step, data.length - pos);
                out.write(data, pos, n);
                pos += n;
                step = step * 3 + 1;
            }
        }
        return bytes.toByteArray();
    }

    protected byte[] decompress(byte[] compressed) throws IOException {
        try (InputStream in = codec().decompress(new ByteArrayInputStream(compressed))) {
            return in.readAllBytes();
        }
    }

    @Test
    public void roundTripsRandomData() throws IOException {
        for (int size : new int[] {0, 1, 100, 65_536, 65_537, 300_000}) {
            byte[] data = randomBytes(size, size);
            assertArrayEquals(data, decompress(compress(data)), "size " + size);
        }
    }

    @Test
    public void roundTripsAndShrinksCompressibleData() throws IOException {
        byte[] data = compressibleBytes(1_000_000);
        byte[] compressed = compress(data);
        assertTrue(compressed.length < data.length / 4, "compressed to " + compressed.length);
        assertArrayEquals(data, decompress(compressed));
    }

    @Test
    public void singleByteReadsMatchBulkReads() throws IOException {
        byte[] data = compressibleBytes(70_000);
        try (InputStream in = codec().decompress(new ByteArrayInputStream(compress(data)))) {
            for (int i = 0; i < data.length; i++) {
                assertEquals(data[i] & 0xFF, in.read(), "byte " + i);
            }
            assertEquals(-1, in.read());
        }
    }

    private List<byte[]> sampleValues() {
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            values.add(i % 3 == 0 ? randomBytes(1_000 + i, i) : compressibleBytes(500 + 10 * i));
        }
        return values;
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    @Test
    public void readsBatchCompressedByKafkaClients() {
        List<byte[]> values = sampleValues();
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1 << 20), kafkaCompression(),
                TimestampType.CREATE_TIME, 1_000L);
        for (int i = 0; i < values.size(); i++) {
            Header[] headers = {new RecordHeader("trace", ("t" + i).getBytes(StandardCharsets.UTF_8))};
            byte[] key = i % 5 == 0 ? null : ("key-" + i).getBytes(StandardCharsets.UTF_8);
            builder.append(50_000L + i, key, values.get(i), headers);
        }
        MemoryRecords kafka = builder.build();
        ByteBuffer buf = kafka.buffer();

        RecordBatch batch = RecordBatch.at(buf, buf.position());
        batch.ensureValid();
        assertEquals(codec().type(), batch.compressionType());
        assertEquals(buf.remaining(), batch.sizeInBytes());
        List<BatchRecord> records = Records.readAll(batch, codec(), Records.DEFAULT_MAX_DECOMPRESSED_BYTES);
        assertEquals(values.size(), records.size());
        for (int i = 0; i < values.size(); i++) {
            BatchRecord r = records.get(i);
            assertEquals(1_000L + i, r.offset());
            assertEquals(50_000L + i, r.timestamp());
            if (i % 5 == 0) {
                assertNull(r.key());
            } else {
                assertArrayEquals(("key-" + i).getBytes(StandardCharsets.UTF_8), bytes(r.key()));
            }
            assertArrayEquals(values.get(i), bytes(r.value()));
            assertEquals(1, r.headers().length);
            assertEquals("trace", r.headers()[0].key());
            assertArrayEquals(("t" + i).getBytes(StandardCharsets.UTF_8), bytes(r.headers()[0].value()));
        }
    }

    @Test
    public void kafkaClientsReadBatchBuiltWithCodec() {
        List<byte[]> values = sampleValues();
        RecordBatchBuilder builder = new RecordBatchBuilder().baseOffset(7_000L).producer(12L, (short) 3, 40);
        for (int i = 0; i < values.size(); i++) {
            SimpleRecord.Header[] headers = {
                new SimpleRecord.Header("h", ByteBuffer.wrap(("x" + i).getBytes(StandardCharsets.UTF_8)))
            };
            ByteBuffer key = i % 4 == 0 ? null : ByteBuffer.wrap(("k" + i).getBytes(StandardCharsets.UTF_8));
            builder.add(new SimpleRecord(90_000L + i, key, ByteBuffer.wrap(values.get(i)), headers));
        }
        ByteBuffer buf = builder.build(codec());

        MemoryRecords kafka = MemoryRecords.readableRecords(buf.duplicate());
        Iterator<? extends org.apache.kafka.common.record.RecordBatch> batches = kafka.batches().iterator();
        org.apache.kafka.common.record.RecordBatch batch = batches.next();
        assertTrue(!batches.hasNext());
        batch.ensureValid();
        assertEquals(CompressionType.forId(codec().type().id()), batch.compressionType());
        assertEquals(7_000L, batch.baseOffset());
        assertEquals(7_000L + values.size() - 1, batch.lastOffset());
        assertEquals(12L, batch.producerId());
        assertEquals(40, batch.baseSequence());
        int i = 0;
        for (Record r : batch) {
            r.ensureValid();
            assertEquals(7_000L + i, r.offset());
            assertEquals(90_000L + i, r.timestamp());
            if (i % 4 == 0) {
                assertTrue(!r.hasKey());
            } else {
                assertArrayEquals(("k" + i).getBytes(StandardCharsets.UTF_8), bytes(r.key()));
            }
            assertArrayEquals(values.get(i), bytes(r.value()));
            assertEquals("h", r.headers()[0].key());
            assertArrayEquals(("x" + i).getBytes(StandardCharsets.UTF_8), r.headers()[0].value());
            i++;
        }
        assertEquals(values.size(), i);
    }

    @Test
    public void truncatedStreamFailsWithIoException() throws IOException {
        byte[] compressed = compress(compressibleBytes(200_000));
        // An empty input may also read as an empty stream (zstd-jni does); a batch then fails its record count.
        try {
            assertEquals(0, decompress(new byte[0]).length);
        } catch (IOException acceptable) {
            // gzip, snappy and lz4 refuse an empty stream outright
        }
        for (int cut : new int[] {1, 5, 11, compressed.length / 2, compressed.length - 1}) {
            byte[] truncated = java.util.Arrays.copyOf(compressed, cut);
            assertTimeoutPreemptively(NO_HANG, () -> {
                assertThrows(IOException.class, () -> decompress(truncated), "cut at " + cut);
            });
        }
    }

    @Test
    public void garbageFailsWithIoException() {
        for (int seed = 0; seed < 20; seed++) {
            byte[] garbage = randomBytes(10 + seed * 37, seed);
            assertTimeoutPreemptively(NO_HANG, () -> {
                assertThrows(IOException.class, () -> decompress(garbage));
            });
        }
    }

    @Test
    public void damagedBatchesFailAsInvalidRecords() throws IOException {
        RecordBatchBuilder builder = new RecordBatchBuilder();
        for (byte[] v : sampleValues()) {
            builder.add(1L, null, v);
        }
        ByteBuffer good = builder.build(codec());
        ByteBuffer payload = good.duplicate().position(RecordBatch.HEADER_SIZE).slice();
        Random random = new Random(3);
        for (int attempt = 0; attempt < 200; attempt++) {
            byte[] damaged = new byte[payload.remaining()];
            payload.duplicate().get(damaged);
            int len = attempt % 2 == 0 ? random.nextInt(damaged.length) : damaged.length;
            damaged = java.util.Arrays.copyOf(damaged, len);
            for (int flips = 0; flips < 1 + attempt % 4 && len > 0; flips++) {
                damaged[random.nextInt(len)] ^= (byte) (1 + random.nextInt(255));
            }
            ByteBuffer batchBuf = new RecordBatchBuilder().assemble(ByteBuffer.wrap(damaged), codec().type().id(),
                    200, 1L, 1L);
            RecordBatch batch = RecordBatch.at(batchBuf, 0);
            assertTimeoutPreemptively(NO_HANG, () -> {
                try {
                    Records.readAll(batch, codec(), 1 << 20);
                } catch (InvalidRecordException expected) {
                    // a clean refusal; any other exception fails the test
                }
            });
        }
        // An outright truncation of the payload is always refused.
        ByteBuffer cut = new RecordBatchBuilder().assemble(payload.slice(0, payload.remaining() / 3),
                codec().type().id(), 200, 1L, 1L);
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Records.readAll(RecordBatch.at(cut, 0), codec(), 1 << 20));
        assertEquals(ErrorCode.CORRUPT_MESSAGE, e.error());
    }
}
