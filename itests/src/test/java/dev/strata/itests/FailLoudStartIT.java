package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A container whose parts cannot start says so and exits 1 instead of printing "Strata started": the Kafka port
 * taken, a data directory that is a file, an invalid broker setting. Each start is bounded by the launcher's own
 * start timeout and the harness's.
 */
class FailLoudStartIT {
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);

    @Test
    void aTakenKafkaPortFailsTheStartWithOneLineNamingIt() throws Exception {
        try (StrataContainer container = StrataContainer.create("fail-port");
             ServerSocket squatter = new ServerSocket()) {
            squatter.setReuseAddress(true);
            squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), container.kafkaPort()));
            assertStartFailsWithOneLine(container, "KafkaServerComponent",
                    "Kafka listener cannot bind 127.0.0.1:" + container.kafkaPort() + ": Address already in use");
        }
    }

    @Test
    void aDataDirectoryThatIsAFileFailsTheStart() throws Exception {
        try (StrataContainer container = StrataContainer.create("fail-datadir")) {
            Files.createDirectories(container.dataDir().getParent());
            Files.writeString(container.dataDir(), "not a directory");
            // The metadata store is the first part to open log.dirs (the broker waits for it).
            assertStartFailsWithOneLine(container, "LocalMetadataComponent", "is not a directory");
        }
    }

    @Test
    void anInvalidBrokerSettingFailsTheStartNamingTheSetting() throws Exception {
        try (StrataContainer container = StrataContainer.create("fail-config")) {
            StrataContainer.setProperties(container.home().resolve("etc/" + StrataContainer.BROKER_PID + ".cfg"),
                    Map.of("log.segment.bytes", "lots"));
            assertStartFailsWithOneLine(container, "BrokerComponent", "log.segment.bytes");
        }
    }

    /** The start ends with exit code 1, without "Strata started", and one component line containing both texts. */
    private static void assertStartFailsWithOneLine(StrataContainer container, String component, String cause)
            throws IOException, InterruptedException {
        int exit = container.startExpectingExit(EXIT_TIMEOUT);
        String log = container.log();
        assertEquals(1, exit, log);
        assertFalse(log.contains("Strata started"), log);
        List<String> causes = componentLines(log);
        assertEquals(1, causes.size(), log);
        assertTrue(causes.get(0).contains(component) && causes.get(0).contains(cause), causes.get(0));
    }

    /** The launcher's lines naming a component that did not start. */
    private static List<String> componentLines(String log) throws IOException {
        return log.lines().filter(l -> l.startsWith("strata: component ")).toList();
    }
}
