package dev.strata.broker.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.CreateTopicResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.metadata.local.internal.LocalMetadataStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionBudgetTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");

    @TempDir
    Path dir;

    /** A process with fixed descriptor figures (the environment, not the thing under test). */
    private static PartitionBudget.FileDescriptors fds(long open, long max) {
        return new PartitionBudget.FileDescriptors() {
            @Override
            public OptionalLong open() {
                return OptionalLong.of(open);
            }

            @Override
            public OptionalLong max() {
                return OptionalLong.of(max);
            }
        };
    }

    @Test
    void creationsThatWouldEatTheSpareDescriptorsAreRefusedWithTheFigures() throws IOException {
        LocalMetadataStore store = new LocalMetadataStore(dir, 0);
        PartitionBudget budget = new PartitionBudget(fds(1000, 4096));
        // 4096 - 1000 in use - 1024 spare = 2072 free: 1036 partitions of 2 files each.
        assertDoesNotThrow(() -> budget.check(store, 1036, Integer.MAX_VALUE));
        StrataException e = assertThrows(StrataException.class, () -> budget.check(store, 1037, Integer.MAX_VALUE));
        assertEquals(ErrorCode.POLICY_VIOLATION, e.error());
        assertTrue(e.getMessage().contains("1000 of 4096 in use") && e.getMessage().contains("ulimit -n"),
                e.getMessage());
        // A high limit keeps a tenth spare.
        assertThrows(StrataException.class, () -> new PartitionBudget(fds(0, 100_000)).check(store, 45_001,
                Integer.MAX_VALUE));
    }

    @Test
    void maxBrokerPartitionsCountsEveryHostedPartition() throws IOException {
        LocalMetadataStore store = new LocalMetadataStore(dir, 0);
        store.createTopic("t", 2, (short) 1, Map.of());
        PartitionBudget budget = new PartitionBudget(fds(0, 1_000_000));
        assertDoesNotThrow(() -> budget.check(store, 3, 5));
        StrataException e = assertThrows(StrataException.class, () -> budget.check(store, 4, 5));
        assertEquals(ErrorCode.POLICY_VIOLATION, e.error());
        assertTrue(e.getMessage().contains("max.broker.partitions=5 (this broker hosts 2)"), e.getMessage());
    }

    @Test
    void withoutFiguresOnlyTheCapApplies() throws IOException {
        LocalMetadataStore store = new LocalMetadataStore(dir, 0);
        PartitionBudget budget = new PartitionBudget(new PartitionBudget.FileDescriptors() {
            @Override
            public OptionalLong open() {
                return OptionalLong.empty();
            }

            @Override
            public OptionalLong max() {
                return OptionalLong.empty();
            }
        });
        assertDoesNotThrow(() -> budget.check(store, 1_000_000, Integer.MAX_VALUE));
    }

    @Test
    void theBrokerRefusesBeyondMaxBrokerPartitionsAndCreatesNothing() throws IOException {
        InMemoryIndexLogStore logs = new InMemoryIndexLogStore();
        BrokerCore core = TestCores.start(BrokerSettings.of(Map.of("log.dirs", dir.toString(),
                "max.broker.partitions", "10")), logs);
        try {
            assertEquals(ErrorCode.NONE, core.broker.createTopic("a", 6, (short) 1, Map.of(), false, CTX).error());
            CreateTopicResult refused = core.broker.createTopic("b", 5, (short) 1, Map.of(), false, CTX);
            assertEquals(ErrorCode.POLICY_VIOLATION, refused.error(), refused.message());
            assertEquals(ErrorCode.POLICY_VIOLATION,
                    core.broker.createTopic("b", 5, (short) 1, Map.of(), true, CTX).error());
            assertEquals(ErrorCode.POLICY_VIOLATION, core.broker.createTopic("c",
                    List.of(List.of(0), List.of(0), List.of(0), List.of(0), List.of(0)), Map.of(), false, CTX)
                    .error());
            assertTrue(core.metadata.topic("b").isEmpty());
            assertTrue(Files.notExists(dir.resolve("b-0")));
            assertEquals(ErrorCode.NONE, core.broker.createTopic("b", 4, (short) 1, Map.of(), false, CTX).error());
        } finally {
            core.close();
        }
    }
}
