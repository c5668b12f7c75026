package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A Kafka listener that loses its port while the container runs (its configuration moved to a port another
 * process holds) is an ERROR line on stdout and a problem in the health report (web console Status tab, the
 * same text as Gogo {@code strata:health}); moved back, it runs again and the report is OK. Also: the JVM runs
 * with bin/strata's bounded heap and direct memory.
 */
class HealthIT {
    private static final Duration WAIT = Duration.ofSeconds(45);

    @Test
    void aListenerThatCannotBindIsAnErrorAndAHealthProblemUntilItRunsAgain() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        try (StrataContainer container = StrataContainer.create("health").start();
             ServerSocket squatter = new ServerSocket()) {
            // bin/strata bounds heap and direct memory instead of the JVM's default (a quarter of the RAM).
            assertTrue(container.jvmArguments().containsAll(java.util.List.of("-Xmx1g",
                    "-XX:MaxDirectMemorySize=512m")), container.jvmArguments().toString());
            WebConsoleLogin login = WebConsoleLogin.await(container, http, "/system/console/bundles");
            String healthy = awaitHealth(container, http, login, text -> text.startsWith("Strata health: OK"));
            assertTrue(healthy.contains("PLAINTEXT://127.0.0.1:" + container.kafkaPort()), healthy);

            squatter.setReuseAddress(true);
            squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            java.nio.file.Path cfg = container.home().resolve("etc/" + StrataContainer.PROTOCOL_PID + ".cfg");
            StrataContainer.setProperties(cfg, Map.of("port", Integer.toString(squatter.getLocalPort())));

            // Between the old listener's stop and the failed start the report may show only "no listener".
            String broken = awaitHealth(container, http, login,
                    text -> text.contains("KafkaServerComponent: failed to activate"));
            assertTrue(broken.startsWith("Strata health: PROBLEMS (2)"), broken);
            assertTrue(broken.contains("cannot bind 127.0.0.1:" + squatter.getLocalPort()), broken);
            assertTrue(broken.contains("no Kafka listener is bound"), broken);
            awaitLog(container, "ERROR strata: component dev.strata.protocol.kafka.internal.KafkaServerComponent");

            StrataContainer.setProperties(cfg, Map.of("port", Integer.toString(container.kafkaPort())));
            String again = awaitHealth(container, http, login, text -> text.startsWith("Strata health: OK"));
            assertTrue(again.contains("PLAINTEXT://127.0.0.1:" + container.kafkaPort()), again);
            awaitLog(container, "strata: component dev.strata.protocol.kafka.internal.KafkaServerComponent runs "
                    + "again");
            try (RawKafkaConnection connection = container.rawConnection(Duration.ofSeconds(5))) {
                assertEquals(0, connection.apiVersions().errorCode());
            }
        }
    }

    /** Polls the health report until it matches; fails with the last report after {@link #WAIT}. */
    private static String awaitHealth(StrataContainer container, HttpClient http, WebConsoleLogin login,
                                      Predicate<String> condition) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + container.httpPort()
                            + "/system/console/status-strata-health.txt"))
                    .header("Authorization", WebConsoleLogin.basic(login.username(), login.password()))
                    .timeout(Duration.ofSeconds(10)).GET().build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            // The console prefixes the printer's title line ("*** Strata health:"); the report follows it.
            last = response.body().replaceFirst("(?s)^\\*\\*\\*[^\\n]*\\n", "");
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("health report never matched within " + WAIT + "; last:\n" + last + "\n"
                + container.logTail(30));
    }

    private static void awaitLog(StrataContainer container, String line) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (container.log().contains(line)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no log line '" + line + "' within " + WAIT + ":\n" + container.logTail(40));
    }
}
