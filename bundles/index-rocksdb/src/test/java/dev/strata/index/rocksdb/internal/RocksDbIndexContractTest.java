package dev.strata.index.rocksdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.log.IndexEntry;
import dev.strata.api.log.OffsetIndex;
import dev.strata.api.log.OffsetIndexFactory;
import dev.strata.index.testkit.IndexContractTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The index contract on real RocksDB databases, plus what is RocksDB's own: where the files go, deactivation. */
class RocksDbIndexContractTest extends IndexContractTest {
    @Override
    protected OffsetIndexFactory newFactory(Path logDir) {
        return new RocksDbIndexFactory(1 << 20);
    }

    @Override
    protected void closeFactory(OffsetIndexFactory f) {
        ((RocksDbIndexFactory) f).deactivate();
    }

    @Test
    void oneDatabasePerLogDirectoryNamedSoTheBrokerNeverTakesItForAPartition() throws IOException {
        factory.open(dir, 0).append(1, 10);
        factory.open(Files.createDirectories(logDir.resolve("u-3")), 0).append(1, 10);
        try (var dirs = Files.list(logDir)) {
            assertEquals(1, dirs.filter(d -> d.getFileName().toString().equals(IndexDb.DIR_NAME)).count());
        }
        // The broker's partition directory pattern: <topic>-<partition number>.
        assertTrue(!IndexDb.DIR_NAME.matches("(.+)-(0|[1-9][0-9]{0,8})"));
    }

    @Test
    void entriesSurviveTheFactorysDeactivationAndAClosedDatabaseFailsCleanly() throws IOException {
        OffsetIndex index = factory.open(dir, 0);
        index.append(7, 70);
        index.flush();
        ((RocksDbIndexFactory) factory).deactivate();
        assertThrows(IllegalStateException.class, () -> index.lookup(3), "no native call on a closed database");
        factory = newFactory(logDir);
        assertEquals(new IndexEntry(7, 70), factory.open(dir, 0).lookup(9));
    }
}
