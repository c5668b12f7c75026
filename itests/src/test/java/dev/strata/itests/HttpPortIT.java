package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP service binds the configured host and port from its first bind: Felix HTTP Jetty starts on the framework
 * properties {@code org.osgi.service.http.port} and {@code org.apache.felix.http.host} (etc/config.properties),
 * never on its own default 0.0.0.0:8080 for a moment. Shown with 8080 taken: a bind there would fail and Jetty
 * would log "Failed to bind" (checked by hand: with the port configured to a taken one, that ERROR line is logged).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HttpPortIT {

    private static final int JETTY_DEFAULT_PORT = 8080;

    @Test
    void startsWithDefaultPortTakenAndNeverTriesIt() throws Exception {
        try (ServerSocket taken = takeIfFree(JETTY_DEFAULT_PORT);
             StrataContainer container = StrataContainer.create("http-port").start()) {
            // The console answers on its configured port (a free one, not 8080).
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            WebConsoleLogin.await(container, http, "/system/console/bundles");
            String log = container.log();
            assertFalse(log.contains("Failed to bind") || log.contains("Address already in use")
                    || log.contains(":" + JETTY_DEFAULT_PORT), "no bind on " + JETTY_DEFAULT_PORT + ":\n" + log);
        }
    }

    /** Binds 0.0.0.0:port for the test; null when another process holds it already (taken either way). */
    private static ServerSocket takeIfFree(int port) {
        ServerSocket socket = null;
        try {
            socket = new ServerSocket();
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(port));
            return socket;
        } catch (IOException alreadyTaken) {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException ignored) {
                // nothing bound
            }
            return null;
        }
    }
}
