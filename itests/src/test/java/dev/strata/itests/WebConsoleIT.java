package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Felix web console of a running container: login required, the login generated at first start (read from
 * {@code etc/webconsole.credentials}) works and the well-known default does not, and the Strata bundles are active.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WebConsoleIT {

    /** The Strata bundles every distribution must run (bnd.bnd Bundle-SymbolicName of each module). */
    private static final List<String> STRATA_BUNDLES = List.of("dev.strata.api", "dev.strata.record",
            "dev.strata.storage.segment", "dev.strata.broker", "dev.strata.protocol.kafka",
            "dev.strata.metadata.local", "dev.strata.metadata.zookeeper", "dev.strata.replication.local",
            "dev.strata.quota.noop");

    private static StrataContainer container;
    private static HttpClient http;
    private static String username;
    private static String password;

    @BeforeAll
    static void startContainer() throws Exception {
        container = StrataContainer.create("web-console").start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        WebConsoleLogin login = WebConsoleLogin.await(container, http, "/system/console/bundles");
        username = login.username();
        password = login.password();
    }

    @AfterAll
    static void stopContainer() throws Exception {
        if (container != null) {
            container.stop();
        }
    }

    private static HttpResponse<String> get(String path, String user, String pass)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + container.httpPort() + path)).timeout(Duration.ofSeconds(15)).GET();
        if (user != null) {
            request.header("Authorization", WebConsoleLogin.basic(user, pass));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutCredentialsTheConsoleAsksForThem() throws Exception {
        HttpResponse<String> response = get("/system/console/bundles", null, null);
        assertEquals(401, response.statusCode(), "GET /system/console/bundles without credentials");
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse(null);
        assertNotNull(challenge, "a 401 must carry WWW-Authenticate; headers: " + response.headers().map());
        assertTrue(challenge.toLowerCase().startsWith("basic"), "WWW-Authenticate: " + challenge);
    }

    @Test
    void wrongAndDefaultPasswordsAreRefused() throws Exception {
        assertEquals(401, get("/system/console/bundles", username, password + "x").statusCode(), "a wrong password");
        assertFalse("admin".equals(password), "the generated password must not be the well-known default");
        assertEquals(401, get("/system/console/bundles", "admin", "admin").statusCode(),
                "the well-known admin/admin login");
    }

    /**
     * Brute force is throttled: after five wrong passwords the address gets 429 with Retry-After, even with the
     * right password, until its wait is over; then the right password works and the count starts again.
     */
    @Test
    void repeatedFailedLoginsAreThrottled() throws Exception {
        // A success first: failures of other tests of this class (same address) are forgotten.
        assertEquals(200, get("/system/console/bundles", username, password).statusCode());
        int refusedWith401 = 0;
        HttpResponse<String> response = null;
        for (int i = 0; i < 10; i++) {
            response = get("/system/console/bundles", username, password + "wrong" + i);
            if (response.statusCode() != 401) {
                break;
            }
            refusedWith401++;
        }
        assertEquals(5, refusedWith401, "wrong passwords answered 401 before the throttle");
        assertEquals(429, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Retry-After").isPresent(), response.headers().map().toString());
        assertEquals(429, get("/system/console/bundles", username, password).statusCode(),
                "the right password waits too");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        int status;
        do {
            Thread.sleep(100);
            status = get("/system/console/bundles", username, password).statusCode();
        } while (status == 429 && System.nanoTime() < deadline);
        assertEquals(200, status, "the right password after the wait");
        assertEquals(401, get("/system/console/bundles", username, password + "x").statusCode(),
                "a success forgets the failures");
        assertEquals(200, get("/system/console/bundles", username, password).statusCode());
    }

    @Test
    void generatedLoginFilesAreReadableByTheOwnerOnly() throws Exception {
        for (String name : List.of("webconsole.credentials", StrataContainer.WEB_CONSOLE_PID + ".cfg")) {
            Path file = container.home().resolve("etc").resolve(name);
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            assertTrue(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)
                    .containsAll(permissions), file + " is " + PosixFilePermissions.toString(permissions));
        }
    }

    @Test
    void withTheGeneratedCredentialsTheBundlesPageLoads() throws Exception {
        HttpResponse<String> response = get("/system/console/bundles", username, password);
        assertEquals(200, response.statusCode(), "GET /system/console/bundles with the generated credentials");
        assertTrue(response.body().contains("dev.strata.broker"), "the bundles page lists dev.strata.broker");
    }

    @Test
    void strataBundlesAreActive() throws Exception {
        List<Map<String, Object>> bundles = awaitBundles(STRATA_BUNDLES);
        for (String name : STRATA_BUNDLES) {
            Map<String, Object> bundle = bundles.stream().filter(b -> name.equals(b.get("symbolicName"))).findFirst()
                    .orElse(null);
            assertNotNull(bundle, name + " not installed; bundles: " + describe(bundles));
            assertEquals("Active", bundle.get("state"), name + " state");
        }
        List<String> notActive = bundles.stream()
                .filter(b -> String.valueOf(b.get("symbolicName")).startsWith("dev.strata."))
                .filter(b -> !"Active".equals(b.get("state")))
                .map(b -> b.get("symbolicName") + "=" + b.get("state"))
                .collect(Collectors.toList());
        assertEquals(List.of(), notActive, "dev.strata.* bundles not Active");
    }

    @Test
    void everyNonFragmentBundleIsActive() throws Exception {
        List<Map<String, Object>> bundles = awaitBundles(STRATA_BUNDLES);
        List<String> notActive = bundles.stream()
                .filter(b -> !"Active".equals(b.get("state")) && !"Fragment".equals(b.get("state")))
                .map(b -> b.get("symbolicName") + "=" + b.get("state"))
                .collect(Collectors.toList());
        assertEquals(List.of(), notActive, "bundles that are neither Active nor fragments");
    }

    /** bundles.json once the named bundles are all Active (or the wait is over); the data array. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> awaitBundles(List<String> names) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            HttpResponse<String> response = get("/system/console/bundles.json", username, password);
            assertEquals(200, response.statusCode(), "GET /system/console/bundles.json");
            Map<String, Object> json = (Map<String, Object>) Json.parse(response.body());
            List<Map<String, Object>> data = new ArrayList<>();
            ((List<Object>) json.get("data")).forEach(b -> data.add((Map<String, Object>) b));
            boolean allActive = names.stream().allMatch(n -> data.stream()
                    .anyMatch(b -> n.equals(b.get("symbolicName")) && "Active".equals(b.get("state"))));
            if (allActive || System.nanoTime() > deadline) {
                return data;
            }
            Thread.sleep(500);
        }
    }

    private static String describe(List<Map<String, Object>> bundles) {
        return bundles.stream().map(b -> b.get("symbolicName") + "=" + b.get("state"))
                .collect(Collectors.joining(", "));
    }
}
