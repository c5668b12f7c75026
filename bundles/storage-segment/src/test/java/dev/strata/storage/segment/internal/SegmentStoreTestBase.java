package dev.strata.storage.segment.internal;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real segment store (memory-mapped indexes) over a temporary directory, with a manual clock, closed after each
 * test: what the store's tests share.
 */
abstract class SegmentStoreTestBase {
    @TempDir
    Path tmp;

    final LogTestSupport.ManualClock clock = new LogTestSupport.ManualClock();
    final SegmentLogStore store = new SegmentLogStore(new MmapOffsetIndexFactory(), clock::get);

    @AfterEach
    void closeAll() {
        store.deactivate();
    }
}
