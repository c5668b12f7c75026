package dev.strata.storage.segment.internal;

import dev.strata.api.log.OffsetIndexFactory;
import dev.strata.index.testkit.IndexContractTest;
import java.nio.file.Path;

/** The index contract on the memory-mapped indexes, 2 MiB each (so the many-entries test fills them). */
class MmapIndexContractTest extends IndexContractTest {
    @Override
    protected OffsetIndexFactory newFactory(Path logDir) {
        return new MmapOffsetIndexFactory(2 * 1024 * 1024);
    }
}
