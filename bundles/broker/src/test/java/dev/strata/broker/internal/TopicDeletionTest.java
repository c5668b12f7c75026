package dev.strata.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Topic deletion renames each partition directory to {@code -delete} first and finishes after a crash. */
class TopicDeletionTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");

    @TempDir
    Path dir;
    private final InMemoryIndexLogStore store = new InMemoryIndexLogStore();

    private BrokerSettings settings() {
        return BrokerSettings.of(Map.of("log.dirs", dir.toString()));
    }

    private List<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void deletingATopicLeavesNoDirectoryOfIt() throws IOException {
        BrokerCore core = TestCores.start(settings(), store);
        try {
            assertEquals(ErrorCode.NONE, core.broker.createTopic("gone", 30, (short) 1, Map.of(), false, CTX)
                    .error());
            assertEquals(ErrorCode.NONE, core.broker.createTopic("kept", 1, (short) 1, Map.of(), false, CTX)
                    .error());
            assertTrue(entries().contains("gone-29"));
            assertEquals(ErrorCode.NONE, core.broker.deleteTopic("gone", CTX));
            assertTrue(entries().stream().noneMatch(e -> e.startsWith("gone-")), entries().toString());
            assertTrue(entries().contains("kept-0"));
        } finally {
            core.close();
        }
    }

    @Test
    void deletionsACrashInterruptedAreFinishedAtTheNextStart() throws IOException {
        // What a kill leaves after the renames: -delete directories with segment files in them.
        for (int p = 0; p < 5; p++) {
            Path renamed = Files.createDirectories(dir.resolve("gone-" + p + ".0123456789abcdef0123456789abcdef"
                    + LogManager.DELETE_SUFFIX));
            Files.write(renamed.resolve("00000000000000000000.log"), new byte[1024]);
        }
        // A partition directory of no known topic (crash before the rename) is left alone.
        Files.createDirectories(dir.resolve("orphan-0"));
        BrokerCore core = TestCores.start(settings(), store);
        try {
            assertTrue(entries().stream().noneMatch(e -> e.endsWith(LogManager.DELETE_SUFFIX)), entries().toString());
            assertTrue(entries().contains("orphan-0"));
            assertEquals(ErrorCode.NONE, core.broker.createTopic("gone", 1, (short) 1, Map.of(), false, CTX)
                    .error());
            assertFalse(entries().contains("gone-1"));
        } finally {
            core.close();
        }
    }
}
