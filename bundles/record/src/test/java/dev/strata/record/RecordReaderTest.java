package dev.strata.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class RecordReaderTest {
    /** A real (JDK gzip) codec, enough to exercise the compressed path of the reader and builder. */
    private static final CompressionCodec GZIP = new CompressionCodec() {
        @Override
        public CompressionType type() {
            return CompressionType.GZIP;
        }

        @Override
        public OutputStream compress(OutputStream out) throws IOException {
            return new GZIPOutputStream(out);
        }

        @Override
        public InputStream decompress(InputStream in) throws IOException {
            return new GZIPInputStream(in);
        }
    };

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static RecordBatchBuilder sampleBuilder() {
        SimpleRecord.Header[] headers = {
            new SimpleRecord.Header("h1", ByteBuffer.wrap(utf8("v1"))),
            new SimpleRecord.Header("h2", null)
        };
        return new RecordBatchBuilder().baseOffset(100)
                .add(1_000L, utf8("k0"), utf8("v0"))
                .add(new SimpleRecord(1_005L, null, ByteBuffer.wrap(utf8("v1")), headers))
                .add(999L, utf8("k2"), null);
    }

    private static void assertSample(List<BatchRecord> records) {
        assertEquals(3, records.size());
        assertEquals(100, records.get(0).offset());
        assertEquals(1_000L, records.get(0).timestamp());
        assertArrayEquals(utf8("k0"), bytes(records.get(0).key()));
        assertArrayEquals(utf8("v0"), bytes(records.get(0).value()));
        assertEquals(101, records.get(1).offset());
        assertEquals(1_005L, records.get(1).timestamp());
        assertNull(records.get(1).key());
        assertEquals(2, records.get(1).headers().length);
        assertEquals("h1", records.get(1).headers()[0].key());
        assertArrayEquals(utf8("v1"), bytes(records.get(1).headers()[0].value()));
        assertNull(records.get(1).headers()[1].value());
        assertEquals(102, records.get(2).offset());
        assertEquals(999L, records.get(2).timestamp());
        assertNull(records.get(2).value());
    }

    @Test
    void readsUncompressedBatch() {
        ByteBuffer buf = sampleBuilder().build();
        RecordBatch batch = RecordBatch.at(buf, 0);
        batch.ensureValid();
        assertSample(Records.readAll(batch, null, Records.DEFAULT_MAX_DECOMPRESSED_BYTES));
    }

    @Test
    void readsCompressedBatchBuiltWithCodec() {
        ByteBuffer buf = sampleBuilder().build(GZIP);
        RecordBatch batch = RecordBatch.at(buf, 0);
        batch.ensureValid();
        assertEquals(CompressionType.GZIP, batch.compressionType());
        assertEquals(2, batch.lastOffsetDelta());
        assertEquals(1_005L, batch.maxTimestamp());
        assertSample(Records.readAll(batch, GZIP, 1 << 20));
    }

    @Test
    void logAppendTimeReplacesRecordTimestamps() {
        ByteBuffer buf = sampleBuilder().build(GZIP);
        RecordBatch batch = RecordBatch.at(buf, 0);
        batch.setLogAppendTime(42L);
        batch.ensureValid();
        for (BatchRecord r : Records.readAll(batch, GZIP, 1 << 20)) {
            assertEquals(42L, r.timestamp());
        }
    }

    @Test
    void largeCompressibleBatchRoundTrips() {
        RecordBatchBuilder builder = new RecordBatchBuilder();
        byte[] value = new byte[10_000];
        Arrays.fill(value, (byte) 'x');
        for (int i = 0; i < 500; i++) {
            builder.add(i, null, value);
        }
        ByteBuffer buf = builder.build(GZIP);
        assertTrue(buf.remaining() < 500 * 10_000 / 50, "compressed to " + buf.remaining());
        List<BatchRecord> records = Records.readAll(RecordBatch.at(buf, 0), GZIP, 10 << 20);
        assertEquals(500, records.size());
        assertArrayEquals(value, bytes(records.get(499).value()));
    }

    @Test
    void decompressedSizeIsCapped() {
        RecordBatchBuilder builder = new RecordBatchBuilder();
        for (int i = 0; i < 100; i++) {
            builder.add(i, null, new byte[10_000]);
        }
        RecordBatch batch = RecordBatch.at(builder.build(GZIP), 0);
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Records.reader(batch, GZIP, 100_000));
        assertEquals(ErrorCode.MESSAGE_TOO_LARGE, e.error());
    }

    @Test
    void garbageCompressedPayloadIsCorrupt() {
        byte[] garbage = new byte[300];
        new Random(1).nextBytes(garbage);
        ByteBuffer buf = new RecordBatchBuilder().assemble(ByteBuffer.wrap(garbage), CompressionType.GZIP.id(), 3,
                0L, 0L);
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Records.reader(RecordBatch.at(buf, 0), GZIP));
        assertEquals(ErrorCode.CORRUPT_MESSAGE, e.error());
    }

    @Test
    void truncatedCompressedPayloadIsCorrupt() {
        ByteBuffer full = sampleBuilder().build(GZIP);
        ByteBuffer compressed = full.duplicate().position(RecordBatch.HEADER_SIZE).slice();
        ByteBuffer cut = compressed.slice(0, compressed.remaining() / 2);
        ByteBuffer buf = new RecordBatchBuilder().assemble(cut, CompressionType.GZIP.id(), 3, 0L, 0L);
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Records.reader(RecordBatch.at(buf, 0), GZIP));
        assertEquals(ErrorCode.CORRUPT_MESSAGE, e.error());
    }

    @Test
    void wrongOrMissingCodecIsRefused() {
        RecordBatch batch = RecordBatch.at(sampleBuilder().build(GZIP), 0);
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> Records.reader(batch, null));
        assertEquals(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, e.error());
    }

    @Test
    void moreDeclaredRecordsThanPresentIsInvalid() {
        byte[] value = new byte[40]; // large enough to pass the up-front size check for 3 records
        ByteBuffer section = RecordBatchBuilder.encodeRecords(
                List.of(new SimpleRecord(1L, utf8("a"), value), new SimpleRecord(2L, utf8("c"), value)), 1L);
        ByteBuffer buf = new RecordBatchBuilder().assemble(section, 0, 3, 1L, 2L);
        RecordReader reader = Records.reader(RecordBatch.at(buf, 0), null);
        reader.next();
        reader.next();
        InvalidRecordException e = assertThrows(InvalidRecordException.class, reader::next);
        assertEquals(ErrorCode.INVALID_RECORD, e.error());
    }

    @Test
    void fewerDeclaredRecordsThanPresentIsInvalid() {
        ByteBuffer section = RecordBatchBuilder.encodeRecords(
                List.of(new SimpleRecord(1L, utf8("a"), utf8("b")), new SimpleRecord(2L, utf8("c"), utf8("d"))), 1L);
        ByteBuffer buf = new RecordBatchBuilder().assemble(section, 0, 1, 1L, 2L);
        RecordReader reader = Records.reader(RecordBatch.at(buf, 0), null);
        InvalidRecordException e = assertThrows(InvalidRecordException.class, reader::next);
        assertEquals(ErrorCode.INVALID_RECORD, e.error());
    }

    @Test
    void hugeDeclaredRecordCountIsRefusedBeforeReading() {
        ByteBuffer section = RecordBatchBuilder.encodeRecords(List.of(new SimpleRecord(1L, null, utf8("b"))), 1L);
        ByteBuffer buf = new RecordBatchBuilder().assemble(section, 0, Integer.MAX_VALUE, 1L, 1L);
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Records.reader(RecordBatch.at(buf, 0), null));
        assertEquals(ErrorCode.INVALID_RECORD, e.error());
    }

    @Test
    void lengthFieldsBeyondTheRecordAreCorrupt() {
        ByteBuffer section = RecordBatchBuilder.encodeRecords(List.of(new SimpleRecord(1L, utf8("key"), utf8("v"))),
                1L);
        // Layout: size, attributes, ts delta, offset delta, key length (zig-zag 3 = 6) at index 4.
        assertEquals(6, section.get(4));
        section.put(4, (byte) 0x7e); // key length 63, past the end of the record
        ByteBuffer buf = new RecordBatchBuilder().assemble(section, 0, 1, 1L, 1L);
        RecordReader reader = Records.reader(RecordBatch.at(buf, 0), null);
        InvalidRecordException e = assertThrows(InvalidRecordException.class, reader::next);
        assertEquals(ErrorCode.CORRUPT_MESSAGE, e.error());
    }

    @Test
    void hugeRecordSizeIsCorrupt() {
        ByteBuffer section = ByteBuffer.allocate(16);
        Varint.writeVarint(Integer.MAX_VALUE, section);
        section.position(0);
        ByteBuffer buf = new RecordBatchBuilder().assemble(section, 0, 1, 1L, 1L);
        RecordReader reader = Records.reader(RecordBatch.at(buf, 0), null);
        InvalidRecordException e = assertThrows(InvalidRecordException.class, reader::next);
        assertEquals(ErrorCode.CORRUPT_MESSAGE, e.error());
    }

    @Test
    void randomBytesNeverEscapeAsAnotherException() {
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            byte[] junk = new byte[random.nextInt(64)];
            random.nextBytes(junk);
            ByteBuffer buf = new RecordBatchBuilder().assemble(ByteBuffer.wrap(junk), random.nextBoolean() ? 0 : 1,
                    1 + random.nextInt(4), 0L, 0L);
            try {
                RecordReader reader = Records.reader(RecordBatch.at(buf, 0), GZIP, 1 << 16);
                reader.forEachRemaining(r -> { });
            } catch (InvalidRecordException expected) {
                // the only acceptable failure
            }
        }
    }

    @Test
    void emptyReaderHasNothing() {
        ByteBuffer buf = new RecordBatchBuilder().assemble(ByteBuffer.allocate(0), 0, 0, 0L, 0L);
        assertFalse(Records.reader(RecordBatch.at(buf, 0), null).hasNext());
    }
}
