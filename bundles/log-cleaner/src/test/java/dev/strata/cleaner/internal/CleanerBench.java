package dev.strata.cleaner.internal;

import dev.strata.api.cleaner.CleanRequest;
import dev.strata.api.cleaner.CleanResult;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import dev.strata.api.log.LogConfig;
import dev.strata.api.log.PartitionLog;
import dev.strata.api.log.SegmentInfo;
import dev.strata.compression.lz4.internal.Lz4Codec;
import dev.strata.record.RecordBatchBuilder;
import dev.strata.storage.segment.internal.MmapOffsetIndexFactory;
import dev.strata.storage.segment.internal.SegmentLogStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a test: the cleaner's throughput on the real segment store. Writes {@code bench.mb} MiB (1024) of updates of
 * {@code bench.keys} keys (100,000), 100 records of about 100 bytes a batch (values of 90 random letters out of
 * 16), uncompressed or with
 * {@code bench.codec=lz4}, in 64 MiB segments; then cleans the whole log once with one thread's share of Kafka's
 * default dedupe buffer (128 MiB) and prints MB/s. Run on demand (docs/benchmarks.md has the command).
 */
@EnabledIfSystemProperty(named = "strata.bench", matches = "true")
class CleanerBench {
    private static final long BYTES = Long.getLong("bench.mb", 1024) << 20;
    private static final int KEYS = Integer.getInteger("bench.keys", 100_000);

    @Test
    void compactOneLog() throws IOException {
        Path dir = Path.of(System.getProperty("bench.dir", "target/cleaner-bench"));
        String codecName = System.getProperty("bench.codec", "none");
        CompressionCodec codec = codecName.equals("lz4") ? new Lz4Codec() : null;
        DefaultLogCleaner cleaner = new DefaultLogCleaner();
        cleaner.codecs = codec == null ? List.of()
                : List.of(Map.entry(Map.of(CompressionCodec.PROPERTY_TYPE, "lz4"), codec));
        SegmentLogStore store = new SegmentLogStore(new MmapOffsetIndexFactory(), System::currentTimeMillis);
        PartitionLog log = store.open(dir.resolve("bench-0"), new TopicPartition("bench", 0),
                new LogConfig(64L << 20, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 4096, 10 << 20, 0));
        Random random = new Random(1);
        long start = System.nanoTime();
        while (log.sizeInBytes() < BYTES) {
            RecordBatchBuilder b = new RecordBatchBuilder().baseOffset(log.logEndOffset());
            for (int i = 0; i < 100; i++) {
                // 90 bytes from 16 letters: lz4 halves them about, as it does JSON-like values.
                byte[] value = new byte[90];
                for (int j = 0; j < value.length; j++) {
                    value[j] = (byte) ('a' + random.nextInt(16));
                }
                b.add(System.currentTimeMillis(), ("key-" + random.nextInt(KEYS)).getBytes(StandardCharsets.UTF_8),
                        value);
            }
            log.append(b.build(codec));
        }
        log.roll();
        long written = log.sizeInBytes();
        System.out.printf("CleanerBench wrote %.1f MB (%s, %d keys, %d records, %d segments) in %.1f s%n",
                written / 1e6, codecName, KEYS, log.logEndOffset(), log.segments().size(),
                (System.nanoTime() - start) / 1e9);
        List<SegmentInfo> segments = log.segments();
        long cleanStart = System.nanoTime();
        CleanResult r = cleaner.clean(new CleanRequest(log, 0, segments.get(segments.size() - 1).baseOffset(),
                86_400_000L, 1 << 30, 128L << 20, System.currentTimeMillis(), () -> false));
        double secs = (System.nanoTime() - cleanStart) / 1e9;
        System.out.printf("CleanerBench cleaned %.1f MB in %.1f s: %.1f MB/s of log cleaned, %.1f MB written,"
                        + " %d of %d records removed, next dirty offset %d of %d%n", r.bytesRead() / 1e6, secs,
                r.bytesRead() / 1e6 / secs, r.bytesWritten() / 1e6, r.recordsRemoved(), r.recordsRead(),
                r.nextDirtyOffset(), log.logEndOffset());
        log.delete();
    }
}
