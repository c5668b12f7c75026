package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The web console login a container generates at its first start ({@code etc/webconsole.credentials}). Immutable.
 */
record WebConsoleLogin(String username, String password) {

    /** How long the login file and the console's acceptance of it may take after the Kafka port answers. */
    static final Duration WAIT = Duration.ofSeconds(45);

    /** The value of an HTTP {@code Authorization} header for this login. */
    String authorization() {
        return basic(username, password);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads the login once the container has written both values, and waits until the console (which comes up after
     * the Kafka port, and takes the login once FileInstall applied it) answers {@code GET path} with it with 200.
     * Fails the test after {@link #WAIT}.
     */
    static WebConsoleLogin await(StrataContainer container, HttpClient http, String path) throws Exception {
        Path file = container.home().resolve("etc/webconsole.credentials");
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "no " + file;
        while (System.nanoTime() < deadline) {
            if (Files.isRegularFile(file)) {
                Properties credentials = new Properties();
                try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    credentials.load(in);
                }
                String user = credentials.getProperty("username");
                String password = credentials.getProperty("password");
                last = file + " without a username and a password";
                if (user != null && password != null) {
                    WebConsoleLogin login = new WebConsoleLogin(user, password);
                    try {
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + container.httpPort() + path))
                                        .timeout(Duration.ofSeconds(15))
                                        .header("Authorization", login.authorization()).GET().build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 200) {
                            return login;
                        }
                        last = "HTTP " + response.statusCode();
                    } catch (IOException e) {
                        last = e.toString();
                    }
                }
            }
            Thread.sleep(300);
        }
        fail("the web console on port " + container.httpPort() + " did not accept the generated login within " + WAIT
                + " (last: " + last + "); etc/ holds " + list(file.getParent()) + "\n" + container.logTail(40));
        return null; // not reached
    }

    private static String list(Path dir) {
        try (var entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().collect(Collectors.joining(", "));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
