package dev.strata.cleaner.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.cleaner.CleanRequest;
import dev.strata.api.cleaner.CleanResult;
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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The cleaning algorithm on an in-memory log: what stays (latest per key at its offset), tombstones and the delete
 * horizon, compressed batches, emptied batches, a dedupe buffer too small for one pass, control batches.
 */
class CleanerTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;
    private static final Map<CompressionType, CompressionCodec> CODECS = new EnumMap<>(CompressionType.class);

    static {
        CODECS.put(CompressionType.GZIP, new GzipCodec());
        CODECS.put(CompressionType.LZ4, new Lz4Codec());
        CODECS.put(CompressionType.SNAPPY, new SnappyCodec());
        CODECS.put(CompressionType.ZSTD, new ZstdCodec());
    }

    private final Random random = new Random(42);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(ByteBuffer b) {
        return b == null ? null : StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    /** Appends one batch of {@code keys} (value null = tombstone) at the log end; returns its base offset. */
    private static long append(InMemoryLog log, CompressionType type, long producerId, String[] keys,
                               String[] values) {
        long base = log.logEndOffset();
        RecordBatchBuilder b = new RecordBatchBuilder().baseOffset(base);
        if (producerId >= 0) {
            b.producer(producerId, (short) 0, (int) base);
        }
        for (int i = 0; i < keys.length; i++) {
            b.add(log.clock, keys[i] == null ? null : utf8(keys[i]), values[i] == null ? null : utf8(values[i]));
        }
        log.append(b.build(CODECS.get(type)));
        return base;
    }

    private static long put(InMemoryLog log, String key, String value) {
        return append(log, CompressionType.NONE, -1, new String[] {key}, new String[] {value});
    }

    private static CleanResult clean(InMemoryLog log, long firstDirty, long deleteRetentionMs, long dedupeBytes,
                                     BooleanSupplier stop) throws IOException {
        return clean(log, firstDirty, deleteRetentionMs, dedupeBytes, 1024 * 1024, stop);
    }

    private static CleanResult clean(InMemoryLog log, long firstDirty, long deleteRetentionMs, long dedupeBytes,
                                     int maxSegmentBytes, BooleanSupplier stop) throws IOException {
        List<dev.strata.api.log.SegmentInfo> segments = log.segments();
        long cleanableEnd = segments.get(segments.size() - 1).baseOffset();
        DefaultLogCleaner cleaner = new DefaultLogCleaner();
        List<Map.Entry<Map<String, Object>, CompressionCodec>> bound = new ArrayList<>();
        CODECS.forEach((t, c) -> bound.add(Map.entry(Map.of(CompressionCodec.PROPERTY_TYPE, t.configName()), c)));
        cleaner.codecs = bound;
        CleanResult result = cleaner.clean(new CleanRequest(log, firstDirty, cleanableEnd, deleteRetentionMs,
                maxSegmentBytes, dedupeBytes, log.clock, stop));
        assertEquals(0, log.openSlices.get(), "every slice read is released");
        return result;
    }

    private static CleanResult clean(InMemoryLog log, long firstDirty) throws IOException {
        return clean(log, firstDirty, DAY, 1024 * 1024, () -> false);
    }

    /** Every record of the log: offset -> [key, value]. */
    private static LinkedHashMap<Long, String[]> records(InMemoryLog log) {
        LinkedHashMap<Long, String[]> all = new LinkedHashMap<>();
        long previous = -1;
        for (ByteBuffer b : log.allBatches()) {
            RecordBatch batch = RecordBatch.at(b, 0);
            batch.ensureValid();
            assertTrue(batch.baseOffset() > previous, "offsets increase");
            previous = batch.lastOffset();
            for (BatchRecord r : Records.readAll(batch, codec(batch), Integer.MAX_VALUE)) {
                all.put(r.offset(), new String[] {str(r.key()), str(r.value())});
            }
        }
        return all;
    }

    private static CompressionCodec codec(RecordBatch batch) {
        return CODECS.get(batch.compressionType());
    }

    /** Writes updates of {@code keys} keys over {@code segments} segments; returns key -> last offset. */
    private Map<String, Long> fill(InMemoryLog log, CompressionType type, int keys, int segments, int batches,
                                   int perBatch) {
        return fill(log, "key-", type, keys, segments, batches, perBatch);
    }

    private Map<String, Long> fill(InMemoryLog log, String prefix, CompressionType type, int keys, int segments,
                                   int batches, int perBatch) {
        Map<String, Long> latest = new HashMap<>();
        for (int s = 0; s < segments; s++) {
            for (int b = 0; b < batches; b++) {
                String[] k = new String[perBatch];
                String[] v = new String[perBatch];
                for (int i = 0; i < perBatch; i++) {
                    k[i] = prefix + random.nextInt(keys);
                    v[i] = "value-" + log.logEndOffset() + "-" + i;
                }
                long base = append(log, type, -1, k, v);
                for (int i = 0; i < perBatch; i++) {
                    latest.put(k[i], base + i);
                }
            }
            log.clock += HOUR;
            log.roll();
        }
        return latest;
    }

    private static void assertLatestOnly(InMemoryLog log, Map<String, Long> latestInCleanedPart, long cleanedEnd) {
        Map<Long, String[]> after = records(log);
        Map<String, Integer> seen = new HashMap<>();
        for (Map.Entry<Long, String[]> e : after.entrySet()) {
            if (e.getKey() >= cleanedEnd) {
                continue;
            }
            String key = e.getValue()[0];
            assertEquals(latestInCleanedPart.get(key), e.getKey(), "only the latest offset of " + key + " stays");
            seen.merge(key, 1, Integer::sum);
        }
        assertEquals(latestInCleanedPart.keySet(), seen.keySet());
    }

    @Test
    void keepsTheLatestRecordOfEveryKeyAtItsOffset() throws IOException {
        InMemoryLog log = new InMemoryLog(T0);
        Map<String, Long> latest = fill(log, CompressionType.NONE, 50, 10, 20, 10);
        Map<Long, String[]> before = records(log);
        long end = log.logEndOffset();
        put(log, "key-1", "in the active segment");

        CleanResult result = clean(log, 0);

        assertEquals(end, result.nextDirtyOffset());
        assertEquals(2000, result.recordsRead());
        assertEquals(2000 - 50, result.recordsRemoved());
        assertEquals(10, result.segmentsRewritten());
        assertTrue(result.bytesWritten() < result.bytesRead());
        assertLatestOnly(log, latest, end);
        Map<Long, String[]> after = records(log);
        after.forEach((offset, kv) -> assertArrayEquals(before.getOrDefault(offset, kv), kv, "unchanged record"));
        assertEquals("in the active segment", after.get(end)[1]);
        assertEquals(2, log.segments().size(), "the ten small segments became one group, the active one stays");
        assertEquals(end, log.segments().get(1).baseOffset());
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"GZIP", "LZ4", "ZSTD", "SNAPPY"})
    void compressedBatchesAreRebuiltWithTheirOwnCodec(CompressionType type) throws IOException {
        InMemoryLog log = new InMemoryLog(T0);
        Map<String, Long> latest = new HashMap<>(fill(log, type, 30, 3, 10, 8));
        latest.putAll(fill(log, "plain-", CompressionType.NONE, 30, 2, 10, 8));
        long end = log.logEndOffset();

        CleanResult result = clean(log, 0);

        assertEquals(end, result.nextDirtyOffset());
        assertLatestOnly(log, latest, end);
        boolean sawCompressed = false;
        for (ByteBuffer b : log.allBatches()) {
            RecordBatch batch = RecordBatch.at(b, 0);
            if (batch.baseOffset() < 240) {
                assertEquals(type, batch.compressionType(), "batch at " + batch.baseOffset());
                sawCompressed = true;
            } else {
                assertEquals(CompressionType.NONE, batch.compressionType());
            }
            assertEquals(batch.lastOffset() - batch.baseOffset(), 7, "the batch keeps its last offset");
        }
        assertTrue(sawCompressed);
    }

    @Test
    void batchesThatKeepEveryRecordAreCopiedByteForByte() throws IOException {
        InMemoryLog log = new InMemoryLog(T0);
        append(log, CompressionType.LZ4, -1, new String[] {"a", "b"}, new String[] {"1", "2"});
        append(log, CompressionType.LZ4, -1, new String[] {"c", "a"}, new String[] {"3", "4"});
        ByteBuffer kept = log.allBatches().get(1);
        log.roll();

        clean(log, 0);

        List<ByteBuffer> after = log.allBatches();
        assertEquals(2, after.size());
        assertEquals(kept, after.get(1), "identical bytes");
        assertEquals(List.of(1L, 2L, 3L), new ArrayList<>(records(log).keySet()));
    }

    @Test
    void tombstonesStayUntilTheDeleteHorizonHasPassed() throws IOException {
        InMemoryLog log = new InMemoryLog(T0);
        put(log, "a", "1");
        put(log, "b", "1");
        log.roll();
        log.clock += HOUR;
        put(log, "a", null);
        put(log, "c", "1");
        log.roll();
        long firstEnd = log.logEndOffset();

        // First cleaning: nothing is clean yet, so the horizon is 0 and the tombstone stays.
        // segment.bytes of 1: every segment is its own group, so none takes a newer one's modification time.
        CleanResult first = clean(log, 0, HOUR, 1 << 20, 1, () -> false);
        assertEquals(firstEnd, first.nextDirtyOffset());
        Map<Long, String[]> afterFirst = records(log);
        assertEquals(List.of(1L, 2L, 3L), new ArrayList<>(afterFirst.keySet()));
        assertNull(afterFirst.get(2L)[1]);

        // New writes an hour and a half later: the cleaned part's last segment is now older than that, but within
        // delete.retention.ms of the new one, so a cleaning of them keeps the tombstone...
        log.clock += 2 * HOUR;
        put(log, "d", "1");
        log.roll();
        CleanResult second = clean(log, first.nextDirtyOffset(), 3 * HOUR, 1 << 20, 1, () -> false);
        assertTrue(records(log).containsKey(2L));

        // ...and once the clean part ends more than delete.retention.ms after the tombstone's segment, it goes.
        log.clock += 5 * HOUR;
        put(log, "e", "1");
        log.roll();
        clean(log, second.nextDirtyOffset(), HOUR, 1 << 20, 1, () -> false);
        Map<Long, String[]> afterThird = records(log);
        assertFalse(afterThird.containsKey(2L), "the tombstone of a is gone");
        assertEquals(List.of(1L, 3L, 4L, 5L), new ArrayList<>(afterThird.keySet()));
    }

    @Test
    void emptiedBatchesGoUnlessTheyAreTheLastOfTheirProducer() throws IOException {
        InMemoryLog log = new InMemoryLog(T0);
        append(log, CompressionType.NONE, 7, new String[] {"a", "b"}, new String[] {"1", "1"}); // 0-1: emptied
        append(log, CompressionType.ZSTD, 7, new String[] {"a", "b"}, new String[] {"2", "2"}); // 2-3: last of 7
        append(log, CompressionType.NONE, -1, new String[] {"c"}, new String[] {"1"}); // 4: emptied, no producer
        log.roll();
        append(log, CompressionType.NONE, 8, new String[] {"a", "b", "c"}, new String[] {"3", "3", "2"}); // 5-7
        log.roll();

        clean(log, 0);

        List<ByteBuffer> batches = log.allBatches();
        assertEquals(2, batches.size());
        RecordBatch header = RecordBatch.at(batches.get(0), 0);
        header.ensureValid();
        assertEquals(2, header.baseOffset());
        assertEquals(3, header.lastOffset());
        assertEquals(7, header.producerId());
        assertEquals(0, header.recordCount());
        assertEquals(5, RecordBatch.at(batches.get(1), 0).baseOffset());
        assertEquals(List.of(5L, 6L, 7L), new ArrayList<>(records(log).keySet()));
    }

    @Test
    void aDedupeBufferTooSmallCleansInTwoPasses() throws IOException {
        InMemoryLog log = new InMemoryLog(T0);
        Map<String, Long> latest = fill(log, CompressionType.SNAPPY, 400, 6, 10, 20);
        long end = log.logEndOffset();
        // Room for about 250 keys (90% of slots): the 400 keys of the dirty part do not fit.
        long small = 280L * OffsetMap.ENTRY_SIZE;

        CleanResult first = clean(log, 0, DAY, small, () -> false);
        assertTrue(first.nextDirtyOffset() > 0 && first.nextDirtyOffset() < end, "stopped at "
                + first.nextDirtyOffset());
        CleanResult second = clean(log, first.nextDirtyOffset(), DAY, small, () -> false);
        long next = second.nextDirtyOffset();
        while (next < end) {
            next = clean(log, next, DAY, small, () -> false).nextDirtyOffset();
        }
        assertLatestOnly(log, latest, end);
    }

    @Test
    void controlBatchesAreKeptAsTheyAre() throws IOException {
        InMemoryLog log = new InMemoryLog(T0);
        put(log, "a", "1");
        ByteBuffer marker = new RecordBatchBuilder().baseOffset(1).producer(3, (short) 0, -1).transactional(true)
                .control(true).add(T0, new byte[] {0, 0, 0, 0}, new byte[] {0, 0, 0, 0, 0, 0}).build();
        log.append(marker);
        put(log, "a", "2");
        log.roll();

        clean(log, 0);

        List<ByteBuffer> batches = log.allBatches();
        assertEquals(2, batches.size());
        assertEquals(marker.rewind(), batches.get(0));
    }

    @Test
    void aStopRequestLeavesTheLogAsItWas() throws IOException {
        InMemoryLog log = new InMemoryLog(T0);
        fill(log, CompressionType.NONE, 10, 3, 5, 5);
        List<ByteBuffer> before = log.allBatches();
        int[] polls = {0};

        CleanResult result = clean(log, 0, DAY, 1 << 20, () -> ++polls[0] > 20);

        assertEquals(0, result.nextDirtyOffset());
        assertEquals(before, log.allBatches());
    }

    @Test
    void groupsStayWithinTheSegmentSize() throws IOException {
        InMemoryLog log = new InMemoryLog(T0);
        // Distinct keys: nothing is removed, so each group holds as much as its segments did.
        for (int s = 0; s < 6; s++) {
            for (int i = 0; i < 100; i++) {
                put(log, "k" + s + "-" + i, "x".repeat(2000));
            }
            log.roll();
        }
        long segmentBytes = log.segments().get(0).sizeInBytes();
        DefaultLogCleaner cleaner = new DefaultLogCleaner();
        cleaner.clean(new CleanRequest(log, 0, log.segments().get(6).baseOffset(), DAY,
                (int) (segmentBytes * 2 + 10), 1 << 20, log.clock, () -> false));
        assertEquals(4, log.segments().size(), "three groups of two segments, and the active one");
        assertEquals(600, records(log).size());
    }
}
