package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A configuration saved in the web console's Configuration tab applies live, is written to its {@code etc/<pid>.cfg}
 * (the file keeps its comments and every other property) and is still in force after a restart. Saves go through
 * the console's own form POST ({@code /system/console/configMgr/<pid>}, every shown property, as the page sends
 * them). Owned by the strata-console bundle.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class WebConsoleConfigIT {

    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final String FILENAME = "felix.fileinstall.filename";
    private static final String GZIP_PID = "dev.strata.compression.gzip";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final AtomicInteger topics = new AtomicInteger();
    private StrataContainer container;
    private ConsoleConfigForm form;

    @AfterEach
    void stopContainer() throws Exception {
        if (container != null) {
            container.stop();
        }
    }

    @Test
    void consoleEditsApplyLiveAreWrittenToEtcAndSurviveARestart() throws Exception {
        container = StrataContainer.create("web-console-config").start();
        login();
        Path brokerFile = container.home().resolve("etc/" + StrataContainer.BROKER_PID + ".cfg");
        String brokerFileBefore = Files.readString(brokerFile, StandardCharsets.ISO_8859_1);
        assertFalse(Files.exists(container.home().resolve("etc/" + GZIP_PID + ".cfg")), "no gzip file to begin with");

        try (Admin admin = Clients.admin(container)) {
            assertEquals(1, partitionsOfNewTopic(admin), "num.partitions before the console edit");

            Map<String, Object> shown = shownProperties(StrataContainer.BROKER_PID);
            assertFalse(shown.containsKey(FILENAME), "FileInstall's link is not a form field: " + shown.keySet());
            assertEquals("1", value(shown, "num.partitions"));
            save(StrataContainer.BROKER_PID, shown, Map.of("num.partitions", "3"));

            awaitPartitionsOfNewTopic(admin, 3);
        }

        // Written back to the file FileInstall reads at every start: plain key = value, comments kept.
        Properties file = awaitFileValue(brokerFile, "num.partitions", "3");
        assertEquals(container.dataDir().toString(), file.getProperty("log.dirs"), "log.dirs kept");
        Map<String, Object> shownAfter = shownProperties(StrataContainer.BROKER_PID);
        for (String key : shownAfter.keySet()) {
            if (value(shownAfter, key) != null) {
                assertEquals(value(shownAfter, key), file.getProperty(key), key + " in " + brokerFile);
            }
        }
        String brokerFileAfter = Files.readString(brokerFile, StandardCharsets.ISO_8859_1);
        for (String line : brokerFileBefore.lines().filter(l -> l.startsWith("#")).toList()) {
            assertTrue(brokerFileAfter.contains(line), "comment kept: " + line + "\n" + brokerFileAfter);
        }
        assertTrue(brokerFileAfter.lines().filter(l -> !l.startsWith("#")).noneMatch(l -> l.contains("\"")),
                "plain properties, not FileInstall's typed format:\n" + brokerFileAfter);

        // A PID with no file yet (its defaults come from metatype) gets etc/<pid>.cfg at its first save.
        Map<String, Object> gzip = shownProperties(GZIP_PID);
        save(GZIP_PID, gzip, Map.of("level", "9"));
        Path gzipFile = container.home().resolve("etc/" + GZIP_PID + ".cfg");
        awaitFileValue(gzipFile, "level", "9");
        assertEquals("9", value(shownProperties(GZIP_PID), "level"));

        assertTrue(container.stop(), "clean stop");
        container.start();
        login();
        assertEquals("3", value(shownProperties(StrataContainer.BROKER_PID), "num.partitions"), "after the restart");
        assertEquals("9", value(shownProperties(GZIP_PID), "level"), "gzip level after the restart");
        try (Admin admin = Clients.admin(container)) {
            assertEquals(3, partitionsOfNewTopic(admin), "num.partitions in force after the restart");
        }
        assertEquals("3", container.readProperties("etc/" + StrataContainer.BROKER_PID + ".cfg")
                .getProperty("num.partitions"), "the file still holds the edit after the restart");

        // A second save after the restart still reaches the file (the link survived the restart).
        save(StrataContainer.BROKER_PID, shownProperties(StrataContainer.BROKER_PID), Map.of("num.partitions", "2"));
        awaitFileValue(brokerFile, "num.partitions", "2");
    }

    /** Creates a topic with the broker's default partition count (CreateTopics with -1) and returns its count. */
    private int partitionsOfNewTopic(Admin admin) throws Exception {
        String topic = "console-config-" + topics.incrementAndGet();
        admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty()))).all()
                .get(30, TimeUnit.SECONDS);
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(topic);
        return description.partitions().size();
    }

    /** The broker may re-activate on a configuration change: retry until a new topic gets {@code expected}. */
    private void awaitPartitionsOfNewTopic(Admin admin, int expected) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "nothing yet";
        while (System.nanoTime() < deadline) {
            try {
                int partitions = partitionsOfNewTopic(admin);
                if (partitions == expected) {
                    return;
                }
                last = partitions + " partitions";
            } catch (Exception e) {
                last = e.toString();
            }
            Thread.sleep(300);
        }
        fail("a topic created with the default partition count did not get " + expected + " within " + WAIT
                + " of the console save (last: " + last + ")\n" + container.logTail(30));
    }

    private Properties awaitFileValue(Path file, String key, String expected) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Properties props = new Properties();
        while (System.nanoTime() < deadline) {
            props = new Properties();
            if (Files.exists(file)) {
                try (var in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
                    props.load(in);
                } catch (IOException e) {
                    // caught in the middle of a rewrite: look again
                }
                if (expected.equals(props.getProperty(key))) {
                    return props;
                }
            }
            Thread.sleep(200);
        }
        fail(file + " does not set " + key + "=" + expected + " within " + WAIT + " of the console save; it reads:\n"
                + (Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "(no file)") + "\n"
                + container.logTail(30));
        return props;
    }

    /** Reads the generated login and waits until the console (which comes up after the Kafka port) takes it. */
    private void login() throws Exception {
        form = ConsoleConfigForm.login(container, http);
    }

    private Map<String, Object> shownProperties(String pid) throws Exception {
        return form.shown(pid);
    }

    private static String value(Map<String, Object> shown, String key) {
        return ConsoleConfigForm.value(shown, key);
    }

    private void save(String pid, Map<String, Object> shown, Map<String, String> changes) throws Exception {
        form.save(pid, shown, changes);
    }
}
