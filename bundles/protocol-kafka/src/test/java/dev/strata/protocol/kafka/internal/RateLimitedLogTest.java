package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Repeated bad input is logged at most once per interval and kind, with the count of what was left out. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RateLimitedLogTest {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimitedLogTest.class);

    @TempDir
    Path dir;

    @Test
    void oncePerIntervalPerKindWithTheSuppressedCount() {
        AtomicLong now = new AtomicLong(1_000);
        List<String> lines = new ArrayList<>();
        RateLimitedLog log = new RateLimitedLog(
                (logger, warn, line, error) -> lines.add((warn ? "WARN " : "INFO ") + line), 10_000, now::get);
        for (int i = 0; i < 2000; i++) {
            log.warn(LOG, "bad", "bad " + i);
        }
        log.info(LOG, "idle", "idle 0");
        assertEquals(List.of("WARN bad 0", "INFO idle 0"), lines);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(9_999));
        log.warn(LOG, "bad", "still within the interval");
        assertEquals(2, lines.size());
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        log.warn(LOG, "bad", "bad again");
        assertEquals("WARN bad again (and 2000 more like it since the last such line)", lines.get(2));
        now.addAndGet(TimeUnit.SECONDS.toNanos(60));
        log.warn(LOG, "bad", "quiet since");
        assertEquals("WARN quiet since", lines.get(3));
    }

    /** 300 garbage requests, each on its own connection: a handful of WARN lines, not 300. */
    @Test
    void aFloodOfBadRequestsLogsAFewLines() throws Exception {
        try (FileBackedTestBroker broker = new FileBackedTestBroker(dir); LogCapture capture = new LogCapture()) {
            KafkaServer server = new KafkaServer(broker, ServerSettings.loopbackEphemeral());
            server.start();
            long started = System.nanoTime();
            int bad = 300;
            try {
                for (int i = 0; i < bad; i++) {
                    try (RawConnection connection = new RawConnection(server.port())) {
                        // Half too large for a request, half nonsense in a well-sized frame.
                        connection.sendRaw(i % 2 == 0 ? ByteBuffer.allocate(4).putInt(-1).array()
                                : ByteBuffer.allocate(14).putInt(10).putShort((short) 30_000).array());
                        assertTrue(connection.closedByPeer(), "bad connection " + i + " closed");
                    }
                }
            } finally {
                server.close();
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            List<String> warnings = capture.linesContaining("WARN");
            // Two kinds (size prefix, bad request): at most one line each per 10 s window.
            long bound = 2 * (seconds / 10 + 1);
            assertTrue(warnings.size() >= 2 && warnings.size() <= bound,
                    warnings.size() + " WARN lines in " + seconds + " s for " + bad + " bad requests: " + warnings);
            assertTrue(warnings.stream().noneMatch(l -> l.contains("Exception")), "no stack traces: " + warnings);
        }
    }
}
