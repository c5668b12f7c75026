package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.kafka.api.ListenerLoad;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** max.connections, max.connections.per.ip (with overrides) and max.connection.creation.rate on real sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionLimitsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private FileBackedTestBroker broker;
    private KafkaServer server;
    private final List<RawConnection> open = new ArrayList<>();

    @BeforeEach
    void createBroker() {
        broker = new FileBackedTestBroker(dir);
    }

    @AfterEach
    void stop() throws Exception {
        for (RawConnection c : open) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
        broker.close();
    }

    private void start(ListenerLimits limits) {
        server = new KafkaServer(broker, ServerSettings.loopbackEphemeral().withLimits(limits));
        server.start();
    }

    private static InetAddress loopback(int last) throws IOException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    }

    /** Connects from {@code from} and checks the connection is served (an ApiVersions round trip). */
    private RawConnection served(InetAddress from) throws IOException {
        RawConnection c = new RawConnection(server.port(), from);
        open.add(c);
        c.send(new ApiVersionsRequestData().setClientSoftwareName("limits-test").setClientSoftwareVersion("1"),
                (short) 3, 1);
        ApiVersionsResponseData response = new ApiVersionsResponseData();
        assertEquals(1, c.readResponse(response, (short) 3));
        assertEquals(Errors.NONE.code(), response.errorCode());
        return c;
    }

    /** Connects from {@code from} and checks the server closes the connection without serving it. */
    private void refused(InetAddress from) throws IOException {
        try (RawConnection c = new RawConnection(server.port(), from)) {
            assertTrue(c.closedByPeer(), "connection from " + from + " should be closed by the server");
        }
    }

    @Test
    void maxConnectionsClosesTheNextConnectionAndAFreedSlotLetsANewOneIn() throws Exception {
        start(ListenerLimits.defaults().withMaxConnections(3));
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < 3; i++) {
                served(null);
            }
            assertEquals(3, server.openConnections());
            refused(null);
            refused(null);
            assertEquals(2, server.refusedConnections());
            ListenerLoad load = (ListenerLoad) server.listener();
            assertEquals(3, load.openConnections());
            assertEquals(3, load.maxConnections());
            assertEquals(2, load.refusedConnections());
            assertEquals(0, load.requestBytesInUse());
            assertEquals(ListenerLimits.DEFAULT_QUEUED_MAX_REQUEST_BYTES, load.requestBytesLimit());
            List<String> lines = log.linesContaining("max.connections=3");
            assertEquals(1, lines.size(), "one rate-limited line for two refusals: " + log.lines());
            assertTrue(lines.get(0).contains("Refusing connection from /127.0.0.1:"), lines.get(0));
        }
        open.remove(0).close();
        Await.until(WAIT, "a slot to be freed", () -> server.openConnections() == 2);
        served(null);
        refused(null);
    }

    @Test
    void perIpLimitWithOverrides() throws Exception {
        InetAddress one = loopback(1);
        InetAddress two = loopback(2);
        InetAddress three = loopback(3);
        start(ListenerLimits.defaults().withMaxConnectionsPerIp(2,
                ListenerLimits.parseOverrides("127.0.0.2:4, 127.0.0.3:0")));
        for (int i = 0; i < 2; i++) {
            served(one);
        }
        refused(one);
        for (int i = 0; i < 4; i++) {
            served(two);
        }
        refused(two);
        refused(three);
        assertEquals(6, server.openConnections());
        // Another address's connections do not count against this one's limit; closing one frees a slot.
        open.remove(0).close();
        Await.until(WAIT, "127.0.0.1's slot to be freed", () -> server.openConnections() == 5);
        served(one);
        refused(one);
    }

    @Test
    void creationRateDelaysAcceptsWithoutRefusing() throws Exception {
        int rate = 10;
        int connections = 3 * rate;
        start(ListenerLimits.defaults().withMaxConnectionCreationRate(rate));
        long started = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            served(null).close();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        // A burst of `rate`, then `rate` per second: 30 connections need about 2 s; unthrottled they take ~0.1 s.
        assertTrue(seconds >= 1.5, connections + " connections at max.connection.creation.rate=" + rate
                + " took only " + seconds + " s");
        assertEquals(0, server.refusedConnections(), "throttled, never refused");
    }

    @Test
    void overridesParseAsKafkaWritesThem() throws Exception {
        assertEquals(Map.of(loopback(1), 5, InetAddress.getByName("::1"), 7),
                ListenerLimits.parseOverrides("127.0.0.1:5,::1:7"));
        assertEquals(Map.of(), ListenerLimits.parseOverrides(" "));
        assertFalse(ListenerLimits.resolveMaxConnections(ListenerLimits.AUTO) <= 0);
        assertEquals(12, ListenerLimits.resolveMaxConnections(12));
    }
}
