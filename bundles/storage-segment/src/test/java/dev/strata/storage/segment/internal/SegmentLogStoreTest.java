package dev.strata.storage.segment.internal;

import static dev.strata.storage.segment.internal.LogTestSupport.TP;
import static dev.strata.storage.segment.internal.LogTestSupport.appendBatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.log.LogConfig;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store as DS builds it: configuration, the scheduled flush check, closing logs on deactivation. */
class SegmentLogStoreTest {
    @TempDir
    Path tmp;

    private static SegmentLogStore.Config config(long flushCheckMs) {
        return new SegmentLogStore.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SegmentLogStore.Config.class;
            }

            @Override
            public long flush_check_interval_ms() {
                return flushCheckMs;
            }

            @Override
            public long recovery_point_checkpoint_interval_ms() {
                return 60_000;
            }

            @Override
            public int max_open_inactive_segments() {
                return 4;
            }

            @Override
            public String indexFactory_target() {
                return "(strata.index.type=mmap)";
            }
        };
    }

    /** As DS does: the constructor, then the bind of the index factory. */
    private static SegmentLogStore activate(SegmentLogStore.Config config) {
        SegmentLogStore store = new SegmentLogStore(config);
        store.bindIndexFactory(new MmapOffsetIndexFactory(), java.util.Map.of("strata.index.type", "mmap"));
        return store;
    }

    @Test
    void theScheduledCheckFlushesAnIdleLogAndDeactivationClosesLogsCleanly() throws Exception {
        SegmentLogStore store = activate(config(10));
        Path dir = tmp.resolve("t-0");
        SegmentedLog log = (SegmentedLog) store.open(dir, TP,
                new LogConfig(1 << 20, 1L << 40, Long.MAX_VALUE, 20, 4096, 1 << 20, 0));
        appendBatches(log, 1, 3, 0);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (log.unflushedMessages() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(0, log.unflushedMessages(), "the flush check never flushed the idle log");

        store.modified(config(0));
        store.deactivate();
        assertTrue(Files.exists(dir.resolve(LogFiles.CLEAN_SHUTDOWN)));
        SegmentLogStore again = activate(config(0));
        assertEquals(3, again.open(dir, TP, LogConfig.DEFAULT).logEndOffset());
        again.deactivate();
    }
}
