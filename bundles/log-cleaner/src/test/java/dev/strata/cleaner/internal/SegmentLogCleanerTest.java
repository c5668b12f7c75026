package dev.strata.cleaner.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.cleaner.CleanRequest;
import dev.strata.api.cleaner.CleanResult;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import dev.strata.api.log.LogConfig;
import dev.strata.api.log.LogSlice;
import dev.strata.api.log.PartitionLog;
import dev.strata.api.log.SegmentInfo;
import dev.strata.compression.gzip.internal.GzipCodec;
import dev.strata.compression.lz4.internal.Lz4Codec;
import dev.strata.compression.snappy.internal.SnappyCodec;
import dev.strata.compression.zstd.internal.ZstdCodec;
import dev.strata.record.BatchRecord;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordBatchBuilder;
import dev.strata.record.RecordBatches;
import dev.strata.record.Records;
import dev.strata.storage.segment.internal.MmapOffsetIndexFactory;
import dev.strata.storage.segment.internal.SegmentLogStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cleaner on the real segment store: files rewritten, offsets kept, the result still there after a reopen. */
class SegmentLogCleanerTest {
    private static final TopicPartition TP = new TopicPartition("compacted", 0);
    private static final Map<CompressionType, CompressionCodec> CODECS = new EnumMap<>(CompressionType.class);
    private static final CompressionType[] TYPES = {CompressionType.NONE, CompressionType.GZIP, CompressionType.LZ4,
        CompressionType.ZSTD, CompressionType.SNAPPY};

    static {
        CODECS.put(CompressionType.GZIP, new GzipCodec());
        CODECS.put(CompressionType.LZ4, new Lz4Codec());
        CODECS.put(CompressionType.SNAPPY, new SnappyCodec());
        CODECS.put(CompressionType.ZSTD, new ZstdCodec());
    }

    @TempDir
    Path dir;
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private final Random random = new Random(7);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private DefaultLogCleaner cleaner() {
        DefaultLogCleaner cleaner = new DefaultLogCleaner();
        List<Map.Entry<Map<String, Object>, CompressionCodec>> bound = new ArrayList<>();
        CODECS.forEach((t, c) -> bound.add(Map.entry(Map.of(CompressionCodec.PROPERTY_TYPE, t.configName()), c)));
        cleaner.codecs = bound;
        return cleaner;
    }

    private PartitionLog open(SegmentLogStore store) throws IOException {
        return store.open(dir.resolve("compacted-0"), TP, new LogConfig(16 * 1024, Long.MAX_VALUE, Long.MAX_VALUE,
                Long.MAX_VALUE, 4096, 1024 * 1024, 0));
    }

    /** Appends batches of 20 updates (one in ten a tombstone) over 300 keys; returns key -> [offset, value]. */
    private void produce(PartitionLog log, int batches, Map<String, Object[]> latest) throws IOException {
        for (int b = 0; b < batches; b++) {
            long base = log.logEndOffset();
            RecordBatchBuilder builder = new RecordBatchBuilder().baseOffset(base).producer(5, (short) 0, (int) base);
            for (int i = 0; i < 20; i++) {
                String key = "key-" + random.nextInt(300);
                String value = random.nextInt(10) == 0 ? null : "value-" + (base + i);
                builder.add(clock.get(), utf8(key), value == null ? null : utf8(value));
                latest.put(key, new Object[] {base + i, value});
            }
            log.append(builder.build(CODECS.get(TYPES[b % TYPES.length])));
        }
    }

    /** Every record of the log from its start, checking that offsets only increase. */
    private static Map<Long, String[]> readAll(PartitionLog log) throws IOException {
        Map<Long, String[]> all = new HashMap<>();
        long offset = log.logStartOffset();
        long previous = -1;
        while (offset < log.logEndOffset()) {
            LogSlice slice = log.read(offset, 1 << 20, true);
            try {
                ByteBuffer bytes = slice.readFully();
                for (RecordBatch batch : RecordBatches.parse(bytes)) {
                    batch.ensureValid();
                    CompressionCodec codec = CODECS.get(batch.compressionType());
                    for (BatchRecord r : Records.readAll(batch, codec, Integer.MAX_VALUE)) {
                        assertTrue(r.offset() > previous, "offsets increase: " + r.offset() + " after " + previous);
                        previous = r.offset();
                        all.put(r.offset(), new String[] {str(r.key()), str(r.value())});
                    }
                    offset = batch.nextOffset();
                }
            } finally {
                slice.release();
            }
        }
        return all;
    }

    private static String str(ByteBuffer b) {
        return b == null ? null : StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    private CleanResult clean(PartitionLog log, long firstDirty, long deleteRetentionMs) throws IOException {
        List<SegmentInfo> segments = log.segments();
        return cleaner().clean(new CleanRequest(log, firstDirty, segments.get(segments.size() - 1).baseOffset(),
                deleteRetentionMs, 16 * 1024, 1 << 20, clock.get(), () -> false));
    }

    @Test
    void cleansSegmentFilesAndTheResultSurvivesAReopen() throws IOException {
        SegmentLogStore store = new SegmentLogStore(new MmapOffsetIndexFactory(), clock::get);
        Map<String, Object[]> latest = new HashMap<>();
        PartitionLog log = open(store);
        produce(log, 300, latest);
        log.roll();
        long end = log.logEndOffset();
        int segmentsBefore = log.segments().size();
        long bytesBefore = log.sizeInBytes();
        assertTrue(segmentsBefore > 5, segmentsBefore + " segments");

        CleanResult result = clean(log, 0, 24 * 3_600_000L);

        assertEquals(end, result.nextDirtyOffset());
        assertTrue(result.recordsRemoved() > 5000, result.toString());
        assertTrue(log.sizeInBytes() < bytesBefore / 2, log.sizeInBytes() + " bytes of " + bytesBefore);
        assertEquals(segmentsBefore - 1, result.segmentsRewritten(), "every segment but the active one");
        check(log, latest);
        log.close();

        PartitionLog reopened = open(new SegmentLogStore(new MmapOffsetIndexFactory(), clock::get));
        try {
            assertEquals(end, reopened.logEndOffset());
            check(reopened, latest);
        } finally {
            reopened.close();
        }
    }

    /** Exactly the latest record of each key, at its offset; tombstones are still there (first cleaning). */
    private static void check(PartitionLog log, Map<String, Object[]> latest) throws IOException {
        Map<Long, String[]> after = readAll(log);
        assertEquals(latest.size(), after.size());
        for (Map.Entry<String, Object[]> e : latest.entrySet()) {
            String[] kv = after.get((Long) e.getValue()[0]);
            assertEquals(e.getKey(), kv[0]);
            if (e.getValue()[1] == null) {
                assertNull(kv[1]);
            } else {
                assertEquals(e.getValue()[1], kv[1]);
            }
        }
    }

    @Test
    void appendsAndReadsGoOnWhileTheLogIsCleaned() throws Exception {
        SegmentLogStore store = new SegmentLogStore(new MmapOffsetIndexFactory(), clock::get);
        Map<String, Object[]> latest = new HashMap<>();
        PartitionLog log = open(store);
        try {
            produce(log, 300, latest);
            log.roll();
            long cleanable = log.logEndOffset();
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Map<String, Object[]> later = new HashMap<>();
            Thread writer = new Thread(() -> {
                try {
                    while (!done.get()) {
                        produce(log, 1, later); // the broker serialises appends; this is the only appender
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            Thread reader = new Thread(() -> {
                try {
                    while (!done.get()) {
                        readAll(log);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            writer.start();
            reader.start();
            CleanResult result;
            try {
                List<SegmentInfo> segments = log.segments();
                result = cleaner().clean(new CleanRequest(log, 0, cleanable, 24 * 3_600_000L, 16 * 1024, 1 << 20,
                        clock.get(), () -> false));
            } finally {
                done.set(true);
                writer.join();
                reader.join();
            }
            assertNull(failure.get(), () -> "concurrent append/read failed: " + failure.get());
            assertEquals(cleanable, result.nextDirtyOffset());
            latest.putAll(later);
            Map<Long, String[]> after = readAll(log);
            for (Map.Entry<String, Object[]> e : latest.entrySet()) {
                assertEquals(e.getKey(), after.get((Long) e.getValue()[0])[0]);
            }
        } finally {
            log.close();
        }
    }
}
