package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Logger levels changed while the container runs (strata-logging-logback over Logback): the container logs in the
 * format it always had (etc/logback.xml); Gogo {@code strata:log-level} (through the console's Gogo tab) turns the
 * Kafka listener's loggers to DEBUG, and its DEBUG line for each new connection appears in container.log; after
 * {@code reset} a new connection logs nothing until DEBUG is set again.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LogLevelIT {
    private static final String LISTENER = "dev.strata.protocol.kafka";
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** etc/logback.xml's pattern: ISO time with offset, [thread], level, the logger's last name, message. */
    private static final Pattern LINE = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) \\[[^\\]]+\\] "
                    + "(TRACE|DEBUG|INFO|WARN|ERROR) [\\w$]+ - .*");

    @Test
    void debugLinesOfALoggerAppearWhileItIsSetAndStopAfterReset() throws Exception {
        try (StrataContainer container = StrataContainer.create("log-level").start()) {
            String started = container.log();
            List<String> brokerStarted = started.lines().filter(l -> l.contains("Broker 0 started on ")).toList();
            assertEquals(1, brokerStarted.size(), started);
            assertTrue(LINE.matcher(brokerStarted.get(0)).matches(), "line format: " + brokerStarted.get(0));
            assertTrue(brokerStarted.get(0).contains("] INFO BrokerCore - Broker 0 started on "), brokerStarted.get(0));
            assertFalse(started.contains("] DEBUG "), "root is INFO as configured:\n" + started);
            assertFalse(started.contains("] INFO AbstractConnector - "), "Jetty is WARN as configured:\n" + started);

            String all = container.gogo("strata:log-level");
            assertTrue(all.lines().anyMatch(l -> l.matches("root +INFO")), all);
            assertTrue(all.lines().anyMatch(l -> l.matches("org\\.eclipse\\.jetty +WARN")), "quiet Jetty:\n" + all);

            assertEquals("Set " + LISTENER + ": effective level now DEBUG",
                    container.gogo("strata:log-level " + LISTENER + " debug").trim());
            String listener = container.gogo("strata:log-level " + LISTENER);
            assertTrue(listener.lines().anyMatch(l -> l.matches(
                    Pattern.quote(LISTENER) + "\\.internal\\.RequestDispatcher +DEBUG")), listener);
            int first = connect(container);
            String line = awaitConnectionLine(container, first);
            assertTrue(LINE.matcher(line).matches(), line);
            assertTrue(line.contains("] DEBUG RequestDispatcher - Connection from "), line);

            assertEquals("Reset " + LISTENER + ": effective level now INFO",
                    container.gogo("strata:log-level " + LISTENER + " reset").trim());
            int quiet = connect(container);
            // DEBUG again and one more connection: its line marks that the quiet connection's moment is logged.
            container.gogo("strata:log-level " + LISTENER + ".internal.RequestDispatcher DEBUG");
            awaitConnectionLine(container, connect(container));
            assertEquals(List.of(), connectionLines(container, quiet), "no DEBUG line after reset");
            container.gogo("strata:log-level " + LISTENER + ".internal.RequestDispatcher reset");

            String refused = container.gogo("strata:log-level " + LISTENER + " LOUD");
            assertTrue(refused.startsWith("Error: Cannot set the log level of " + LISTENER + " to LOUD as it is not "
                    + "a supported log level"), refused);
            assertTrue(container.gogo("strata:log-level root").lines().anyMatch(l -> l.matches("root +INFO")));
        }
    }

    /** One Kafka connection (an ApiVersions round trip, so the broker has seen it), closed; its local port. */
    private static int connect(StrataContainer container) throws Exception {
        try (RawKafkaConnection connection = container.rawConnection(Duration.ofSeconds(10))) {
            assertEquals(0, connection.apiVersions().errorCode());
            return connection.localPort();
        }
    }

    private static List<String> connectionLines(StrataContainer container, int port) throws Exception {
        String suffix = "Connection from /127.0.0.1:" + port;
        return container.log().lines().filter(l -> l.endsWith(suffix)).toList();
    }

    private static String awaitConnectionLine(StrataContainer container, int port) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> lines = connectionLines(container, port);
            if (!lines.isEmpty()) {
                assertEquals(1, lines.size(), lines.toString());
                return lines.get(0);
            }
            Thread.sleep(100);
        }
        fail("no DEBUG line for the connection from port " + port + " within " + WAIT + ":\n"
                + container.logTail(30));
        return null;
    }
}
