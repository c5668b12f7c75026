package dev.strata.storage.segment.internal;

import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.LogConfig;
import dev.strata.record.RecordBatchBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a test: measures how long opening every log takes after a crash, with the recovery points the logs wrote
 * and without them (every segment checked in full, what the store did after every crash before recovery points).
 * Run on demand (docs/benchmarks.md has the command); sizes from system properties.
 */
@EnabledIfSystemProperty(named = "strata.bench", matches = "true")
class RecoveryTimeBench {
    private static final int PARTITIONS = Integer.getInteger("bench.partitions", 20);
    private static final long BYTES_PER_PARTITION = Long.getLong("bench.partition.mb", 200) << 20;
    private static final long SEGMENT_BYTES = Long.getLong("bench.segment.mb", 32) << 20;

    @Test
    void restartTimeAfterACrash() throws IOException {
        Path base = Path.of(System.getProperty("bench.dir", "target/recovery-bench"));
        LogConfig config = new LogConfig(SEGMENT_BYTES, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 4096,
                10 << 20, 0);
        SegmentLogStore writer = new SegmentLogStore(new MmapOffsetIndexFactory(), System::currentTimeMillis);
        ByteBuffer template = batch(new Random(1));
        long start = System.nanoTime();
        long total = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            Path dir = base.resolve("bench-" + p);
            SegmentedLog log = (SegmentedLog) writer.open(dir, new TopicPartition("bench", p), config);
            while (log.sizeInBytes() < BYTES_PER_PARTITION) {
                ByteBuffer b = template.duplicate();
                b.putLong(0, log.logEndOffset());
                log.append(b);
            }
            total += log.sizeInBytes();
            // No close: the broker is killed with its logs open.
        }
        System.out.printf("RecoveryTimeBench wrote %d partitions, %.2f GB, %d MiB segments in %.1f s%n", PARTITIONS,
                total / 1e9, SEGMENT_BYTES >> 20, (System.nanoTime() - start) / 1e9);
        for (int round = 1; round <= Integer.getInteger("bench.rounds", 3); round++) {
            System.out.printf("RecoveryTimeBench round %d: with recovery points %.2f s, without (every segment "
                    + "checked) %.2f s%n", round, openAll(base, config, false), openAll(base, config, true));
        }
    }

    /** Opens every log as a restarted broker does, after a crash (the previous opens are not closed either). */
    private static double openAll(Path base, LogConfig config, boolean withoutRecoveryPoints) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            dirs.add(base.resolve("bench-" + p));
        }
        if (withoutRecoveryPoints) {
            for (Path dir : dirs) {
                Files.deleteIfExists(dir.resolve(RecoveryPointFile.NAME));
            }
        }
        SegmentLogStore store = new SegmentLogStore(new MmapOffsetIndexFactory(), System::currentTimeMillis);
        List<SegmentedLog> logs = new ArrayList<>();
        long start = System.nanoTime();
        for (int p = 0; p < PARTITIONS; p++) {
            logs.add((SegmentedLog) store.open(dirs.get(p), new TopicPartition("bench", p), config));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (SegmentedLog log : logs) {
            log.flush(); // what a running broker does soon enough: the next crash's recovery point
            log.checkpointRecoveryPoint();
        }
        return seconds;
    }

    /** A 100-record batch of about 16 KiB with random values (so the CRC has real work). */
    private static ByteBuffer batch(Random random) {
        RecordBatchBuilder b = new RecordBatchBuilder().baseOffset(0);
        for (int i = 0; i < 100; i++) {
            byte[] value = new byte[160];
            random.nextBytes(value);
            b.add(1_700_000_000_000L + i, ("key-" + i).getBytes(), value);
        }
        return b.build();
    }
}
