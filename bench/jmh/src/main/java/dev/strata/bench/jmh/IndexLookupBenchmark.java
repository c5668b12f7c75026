package dev.strata.bench.jmh;

import dev.strata.api.log.IndexEntry;
import dev.strata.api.log.OffsetIndex;
import dev.strata.api.log.OffsetIndexFactory;
import dev.strata.api.log.TimeIndex;
import dev.strata.api.log.TimestampOffset;
import dev.strata.index.rocksdb.internal.RocksDbIndexFactory;
import dev.strata.storage.segment.internal.MmapOffsetIndexFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency of one warm lookup at a random target in the offset and the time index of one segment, for the
 * memory-mapped and the RocksDB implementations. The segment is laid out as the broker writes it with 1 KiB records
 * and {@code index.interval.bytes} 4096: one offset entry per 4 KiB of log (4 offsets apart) and one time entry per
 * offset entry (1 ms apart), so a 1 GiB segment has 262,144 entries of each. The indexes are written, closed and
 * opened again by a new factory (the state of every segment but the active one after a restart or a roll); the
 * warm-up iterations then bring what the lookups touch into memory (page cache, RocksDB's block cache).
 *
 * <p>The factories are the bundles' own classes, made with their plain-Java constructors (no OSGi here) and the
 * defaults of their configurations: mmap with 10 MiB per index file, RocksDB with an 8 MiB write buffer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class IndexLookupBenchmark {
    private static final int INTERVAL_BYTES = 4096;
    private static final int OFFSETS_PER_ENTRY = 4;
    private static final long BASE_OFFSET = 1_000_000L;
    private static final long BASE_TIMESTAMP = 1_700_000_000_000L;
    /** Pre-drawn targets, so the measured call is the lookup and not the random generator. */
    private static final int TARGETS = 1 << 16;

    @Param({"mmap", "rocksdb"})
    public String impl;

    /** The segment's size: 128 MiB (32,768 entries) and 1 GiB (262,144 entries) by default. */
    @Param({"128", "1024"})
    public int segmentMiB;

    private Path logDir;
    private OffsetIndexFactory factory;
    private OffsetIndex offsets;
    private TimeIndex times;
    private final long[] offsetTargets = new long[TARGETS];
    private final long[] timeTargets = new long[TARGETS];
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        logDir = Files.createTempDirectory("strata-jmh-index");
        Path dir = Files.createDirectories(logDir.resolve("bench-0"));
        int entries = (int) ((long) segmentMiB * 1024 * 1024 / INTERVAL_BYTES);

        OffsetIndexFactory writer = newFactory();
        try (OffsetIndex o = writer.open(dir, BASE_OFFSET); TimeIndex t = writer.openTimeIndex(dir, BASE_OFFSET)) {
            for (int i = 1; i <= entries; i++) {
                long offset = BASE_OFFSET + (long) i * OFFSETS_PER_ENTRY;
                o.append(offset, i * INTERVAL_BYTES);
                t.maybeAppend(BASE_TIMESTAMP + i, offset);
            }
            o.flush();
            t.flush();
        }
        closeFactory(writer);

        factory = newFactory();
        offsets = factory.open(dir, BASE_OFFSET);
        times = factory.openTimeIndex(dir, BASE_OFFSET);
        if (offsets.entries() != entries || times.entries() != entries) {
            throw new IllegalStateException(impl + " kept " + offsets.entries() + " offset and " + times.entries()
                    + " time entries of " + entries + ": the figures would not be of a full index");
        }
        SplittableRandom random = new SplittableRandom(42);
        long lastOffset = BASE_OFFSET + (long) entries * OFFSETS_PER_ENTRY;
        for (int i = 0; i < TARGETS; i++) {
            offsetTargets[i] = random.nextLong(BASE_OFFSET, lastOffset + 1);
            timeTargets[i] = random.nextLong(BASE_TIMESTAMP, BASE_TIMESTAMP + entries + 1);
        }
        checkAnswers();
    }

    /** The figures are only worth having if the answers are right: the floor entry of each target. */
    private void checkAnswers() throws IOException {
        for (int i = 0; i < 1000; i++) {
            long target = offsetTargets[i];
            long floor = target - (target - BASE_OFFSET) % OFFSETS_PER_ENTRY;
            IndexEntry expected = new IndexEntry(floor, (int) (floor - BASE_OFFSET) / OFFSETS_PER_ENTRY * INTERVAL_BYTES);
            IndexEntry got = offsets.lookup(target);
            if (!got.equals(expected)) {
                throw new IllegalStateException(impl + " offset lookup " + target + ": " + got + ", not " + expected);
            }
            long ts = timeTargets[i];
            TimestampOffset expectedTs = ts == BASE_TIMESTAMP ? new TimestampOffset(-1, BASE_OFFSET)
                    : new TimestampOffset(ts, BASE_OFFSET + (ts - BASE_TIMESTAMP) * OFFSETS_PER_ENTRY);
            TimestampOffset gotTs = times.lookup(ts);
            if (!gotTs.equals(expectedTs)) {
                throw new IllegalStateException(impl + " time lookup " + ts + ": " + gotTs + ", not " + expectedTs);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        offsets.close();
        times.close();
        closeFactory(factory);
        try (Stream<Path> files = Files.walk(logDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    public IndexEntry offsetLookup() throws IOException {
        return offsets.lookup(offsetTargets[next++ & (TARGETS - 1)]);
    }

    @Benchmark
    public TimestampOffset timeLookup() throws IOException {
        return times.lookup(timeTargets[next++ & (TARGETS - 1)]);
    }

    private OffsetIndexFactory newFactory() {
        return switch (impl) {
            case "mmap" -> new MmapOffsetIndexFactory();
            case "rocksdb" -> new RocksDbIndexFactory(8L * 1024 * 1024);
            default -> throw new IllegalArgumentException("impl is mmap or rocksdb, not " + impl);
        };
    }

    private static void closeFactory(OffsetIndexFactory f) {
        if (f instanceof RocksDbIndexFactory rocks) {
            rocks.deactivate();
        }
    }
}
