package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The web console's Configuration tab as a browser uses it: a configuration's form loaded as the page loads it, and
 * saved as its Save button posts it (every shown property, {@code /system/console/configMgr/<pid>}). Logged in with
 * the container's generated login. Not thread-safe.
 */
final class ConsoleConfigForm {

    private final StrataContainer container;
    private final HttpClient http;
    private final String authorization;

    private ConsoleConfigForm(StrataContainer container, HttpClient http, String authorization) {
        this.container = container;
        this.http = http;
        this.authorization = authorization;
    }

    /** Reads the generated login and waits until the console (which comes up after the Kafka port) takes it. */
    static ConsoleConfigForm login(StrataContainer container, HttpClient http) throws Exception {
        return new ConsoleConfigForm(container, http,
                WebConsoleLogin.await(container, http, "/system/console/configMgr").authorization());
    }

    /** The configuration as the console's page loads it: property name to its JSON description. */
    @SuppressWarnings("unchecked")
    Map<String, Object> shown(String pid) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(consoleUri("/system/console/configMgr/" + pid))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, response.statusCode(), "load " + pid + ": " + response.body());
        Map<String, Object> json = (Map<String, Object>) Json.parse(response.body());
        Map<String, Object> properties = (Map<String, Object>) json.get("properties");
        assertNotNull(properties, "no properties for " + pid + ": " + response.body());
        return properties;
    }

    /** A property's shown value (a single value, or the first of several); null if it has none. */
    @SuppressWarnings("unchecked")
    static String value(Map<String, Object> shown, String key) {
        Map<String, Object> property = (Map<String, Object>) shown.get(key);
        assertNotNull(property, key + " not shown; shown: " + shown.keySet());
        Object value = property.containsKey("value") ? property.get("value") : property.get("values");
        if (value instanceof List<?> list) {
            return list.isEmpty() ? null : String.valueOf(list.get(0));
        }
        return value == null ? null : String.valueOf(value);
    }

    /** Posts the form as the console's Save button does: every shown property, with {@code changes} applied. */
    @SuppressWarnings("unchecked")
    void save(String pid, Map<String, Object> shown, Map<String, String> changes) throws Exception {
        List<String> form = new ArrayList<>();
        form.add(field("apply", "true"));
        form.add(field("action", "ajaxConfigManager"));
        form.add(field("propertylist", String.join(",", shown.keySet())));
        for (Map.Entry<String, Object> entry : shown.entrySet()) {
            String key = entry.getKey();
            Map<String, Object> property = (Map<String, Object>) entry.getValue();
            if (changes.containsKey(key)) {
                form.add(field(key, changes.get(key)));
            } else if (property.get("values") instanceof List<?> values) {
                values.forEach(v -> form.add(field(key, String.valueOf(v))));
            } else {
                Object value = property.get("value");
                form.add(field(key, value == null ? "" : String.valueOf(value)));
            }
        }
        HttpResponse<String> response = send(HttpRequest.newBuilder(consoleUri("/system/console/configMgr/" + pid))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(String.join("&", form))));
        // The console answers a save with a redirect to the configuration's page.
        assertTrue(response.statusCode() == 302 || response.statusCode() == 200,
                "save " + pid + ": HTTP " + response.statusCode() + " " + response.body());
    }

    private static String field(String name, String value) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private URI consoleUri(String path) {
        return URI.create("http://127.0.0.1:" + container.httpPort() + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(15)).header("Authorization", authorization).build(),
                HttpResponse.BodyHandlers.ofString());
    }

}
