package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A listener that cannot bind, or loses its server socket, says so at ERROR. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListenerFailureTest {

    @TempDir
    Path dir;

    @Test
    void portInUseLogsOneErrorLineAndThrowsAClearMessage() throws Exception {
        try (FileBackedTestBroker broker = new FileBackedTestBroker(dir);
             ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
             LogCapture log = new LogCapture()) {
            int port = taken.getLocalPort();
            ServerSettings settings = new ServerSettings("127.0.0.1", port, null,
                    ServerSettings.DEFAULT_MAX_REQUEST_BYTES, 1, 1, ServerSettings.DEFAULT_MAX_IDLE_MS);
            KafkaServer server = new KafkaServer(broker, settings);
            IllegalStateException e = assertThrows(IllegalStateException.class, server::start);
            String expected = "Kafka listener cannot bind 127.0.0.1:" + port + ": Address already in use";
            assertEquals(expected, e.getMessage());
            List<String> errors = log.linesContaining("ERROR");
            assertEquals(1, errors.size(), "one ERROR line: " + log.lines());
            assertTrue(errors.get(0).contains(expected), errors.get(0));
            assertFalse(e.getMessage().contains("\n"), "one line");
            server.close(); // already stopped by start(); closing again is harmless
        }
    }

    @Test
    void serverChannelClosingUnderTheServerIsAnError() throws Exception {
        try (FileBackedTestBroker broker = new FileBackedTestBroker(dir);
             LogCapture log = new LogCapture()) {
            KafkaServer server = new KafkaServer(broker, ServerSettings.loopbackEphemeral());
            server.start();
            try {
                server.serverChannel().close().syncUninterruptibly();
                Await.until(Duration.ofSeconds(10), () -> "an ERROR line in " + log.lines(),
                        () -> log.linesContaining("ERROR").stream().anyMatch(l -> l.contains("closed unexpectedly")));
            } finally {
                server.close();
            }
            assertEquals(1, log.linesContaining("ERROR").size(), "a normal close logs no error: " + log.lines());
        }
    }
}
