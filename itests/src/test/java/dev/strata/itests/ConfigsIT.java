package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Live configuration against the real container with kafka-clients 4.1.1's Admin and Kafka's own kafka-configs
 * (kafka.admin.ConfigCommand from the Scala core jar, run in a child JVM): topic, broker and cluster-default settings
 * described with Kafka's sources and synonyms, altered and in force at once, kept across a restart; a web console
 * edit and an Admin alter of a broker setting are one change seen by both; bad alters get INVALID_CONFIG with
 * Kafka's message and change nothing.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConfigsIT {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final ConfigResource BROKER = new ConfigResource(ConfigResource.Type.BROKER, "0");
    private static final ConfigResource DEFAULT = new ConfigResource(ConfigResource.Type.BROKER, "");

    private StrataContainer container;

    @AfterEach
    void stopContainer() throws Exception {
        if (container != null) {
            container.stop();
        }
    }

    private static Config describe(Admin admin, ConfigResource resource) throws Exception {
        return admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true)
                .includeDocumentation(true)).all().get(30, TimeUnit.SECONDS).get(resource);
    }

    private static void alter(Admin admin, ConfigResource resource, AlterConfigOp... ops) throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, List.of(ops))).all().get(30, TimeUnit.SECONDS);
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    private static String synonyms(ConfigEntry e) {
        return e.synonyms().stream().map(s -> s.source() + ":" + s.name() + "=" + s.value()).toList().toString();
    }

    @Test
    void topicBrokerAndDefaultConfigsAreDescribedAlteredLiveAndKeptAcrossARestart() throws Exception {
        container = StrataContainer.create("configs").start();
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "configured");
        ConfigResource plain = new ConfigResource(ConfigResource.Type.TOPIC, "plain");
        try (Admin admin = Clients.admin(container)) {
            Clients.createTopic(admin, "configured", 1);
            Clients.createTopic(admin, "plain", 1);

            // Kafka's sources, synonyms, read-only flags, types and documentation
            Config broker = describe(admin, BROKER);
            ConfigEntry hours = broker.get("log.retention.hours");
            assertEquals("168", hours.value());
            assertEquals(ConfigSource.DEFAULT_CONFIG, hours.source());
            assertTrue(hours.isReadOnly(), "only the first synonym is dynamic");
            assertEquals(ConfigEntry.ConfigType.INT, hours.type());
            assertFalse(broker.get("message.max.bytes").isReadOnly());
            assertEquals(ConfigSource.STATIC_BROKER_CONFIG, broker.get("log.dirs").source());
            assertTrue(broker.get("log.dirs").isReadOnly());
            ConfigEntry retention = describe(admin, plain).get("retention.ms");
            assertEquals("604800000", retention.value());
            assertEquals(ConfigSource.DEFAULT_CONFIG, retention.source());
            assertEquals("[DEFAULT_CONFIG:log.retention.hours=168]", synonyms(retention));
            assertEquals(ConfigEntry.ConfigType.LONG, retention.type());
            assertTrue(retention.documentation() != null && !retention.documentation().isEmpty());

            // a topic, the cluster default and this broker
            alter(admin, topic, set("retention.ms", "5000"), new AlterConfigOp(new ConfigEntry("cleanup.policy",
                    "compact"), AlterConfigOp.OpType.APPEND));
            alter(admin, DEFAULT, set("log.retention.ms", "600000"));
            alter(admin, BROKER, set("message.max.bytes", "200000"));

            Config configured = describe(admin, topic);
            assertEquals("5000", configured.get("retention.ms").value());
            assertEquals(ConfigSource.DYNAMIC_TOPIC_CONFIG, configured.get("retention.ms").source());
            assertEquals("delete,compact", configured.get("cleanup.policy").value());
            retention = describe(admin, plain).get("retention.ms");
            assertEquals("600000", retention.value());
            assertEquals("[DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=600000, DEFAULT_CONFIG:log.retention.hours"
                    + "=168]", synonyms(retention));
            assertEquals(List.of("log.retention.ms"), describe(admin, DEFAULT).entries().stream()
                    .map(ConfigEntry::name).toList(), "the default entity lists what is set there, as Kafka");
            ConfigEntry max = describe(admin, BROKER).get("message.max.bytes");
            assertEquals("200000", max.value());
            assertEquals(ConfigSource.DYNAMIC_BROKER_CONFIG, max.source());
            assertEquals("200000", describe(admin, plain).get("max.message.bytes").value());
            assertTooLarge("plain", 300_000);

            // The console shows the Admin alter of this broker's setting...
            ConsoleConfigForm form = ConsoleConfigForm.login(container, HttpClient.newHttpClient());
            awaitShown(form, "message.max.bytes", "200000");
            // ...and a console edit of it is what Admin sees, as this broker's dynamic setting
            form.save(StrataContainer.BROKER_PID, form.shown(StrataContainer.BROKER_PID),
                    Map.of("message.max.bytes", "150000"));
            awaitDescribed(admin, BROKER, "message.max.bytes", e -> "150000".equals(e.value())
                    && e.source() == ConfigSource.DYNAMIC_BROKER_CONFIG);
            assertEquals("150000", describe(admin, plain).get("max.message.bytes").value());
        }

        assertTrue(container.stop(), "clean stop");
        container.start();
        try (Admin admin = Clients.admin(container)) {
            assertEquals("5000", describe(admin, topic).get("retention.ms").value());
            assertEquals("600000", describe(admin, plain).get("retention.ms").value());
            ConfigEntry max = describe(admin, BROKER).get("message.max.bytes");
            assertEquals("150000", max.value());
            assertEquals(ConfigSource.DYNAMIC_BROKER_CONFIG, max.source());
            assertTooLarge("plain", 160_000);
            ConsoleConfigForm form = ConsoleConfigForm.login(container, HttpClient.newHttpClient());
            awaitShown(form, "message.max.bytes", "150000");

            // deleting it over Kafka puts the default back in force, and in the console
            admin.incrementalAlterConfigs(Map.of(BROKER, List.of(new AlterConfigOp(new ConfigEntry(
                    "message.max.bytes", null), AlterConfigOp.OpType.DELETE)))).all().get(30, TimeUnit.SECONDS);
            // (the console's copy goes a moment later: ConfigAdmin tells the broker asynchronously)
            awaitDescribed(admin, BROKER, "message.max.bytes", e -> e.source() == ConfigSource.DEFAULT_CONFIG
                    && "1048588".equals(e.value()));
            assertEquals("1048588", describe(admin, plain).get("max.message.bytes").value());
            assertEquals("1048588", ConsoleConfigForm.value(form.shown(StrataContainer.BROKER_PID),
                    "message.max.bytes"), "the console shows the default again");
        }
    }

    @Test
    void badAltersGetInvalidConfigAndKafkaConfigsWorksAsAgainstKafka() throws Exception {
        container = StrataContainer.create("configs-tool").start();
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "tool");
        try (Admin admin = Clients.admin(container)) {
            Clients.createTopic(admin, "tool", 1);
            alter(admin, topic, set("retention.ms", "7000"));

            assertInvalid(admin, topic, "Invalid value soon for configuration retention.ms: Not a number of type "
                    + "LONG", set("segment.ms", "60000"), set("retention.ms", "soon"));
            assertInvalid(admin, topic, "Unknown topic config name: retention.weeks", set("retention.weeks", "1"));
            assertInvalid(admin, BROKER, "Cannot update these configs dynamically: Set(broker.id)",
                    set("broker.id", "5"));
            assertInvalid(admin, DEFAULT, "Invalid value -3 for configuration log.cleaner.threads: Value must be at "
                    + "least 0", set("log.cleaner.threads", "-3"));
            assertInvalid(admin, BROKER, "Unknown broker config name: log.retention.weeks",
                    set("log.retention.weeks", "1"));
            Config after = describe(admin, topic);
            assertEquals("7000", after.get("retention.ms").value(), "nothing changed");
            assertTrue(after.get("segment.ms").source() != ConfigSource.DYNAMIC_TOPIC_CONFIG, "nothing changed");
            assertTrue(describe(admin, DEFAULT).entries().isEmpty());
            // validateOnly changes nothing either
            admin.incrementalAlterConfigs(Map.of(topic, List.of(set("retention.ms", "9000"))),
                    new org.apache.kafka.clients.admin.AlterConfigsOptions().validateOnly(true)).all()
                    .get(30, TimeUnit.SECONDS);
            assertEquals("7000", describe(admin, topic).get("retention.ms").value());
        }

        String bootstrap = container.bootstrapServers();
        Tool tool = new Tool(container.home().resolve("kafka-configs"));
        Tool.Run altered = tool.run("--bootstrap-server", bootstrap, "--entity-type", "topics", "--entity-name",
                "tool", "--alter", "--add-config", "retention.ms=8000,cleanup.policy=[compact,delete]");
        assertEquals(0, altered.exit(), altered.toString());
        assertEquals("Completed updating config for topic tool.", altered.out().strip());
        Tool.Run topicOut = tool.run("--bootstrap-server", bootstrap, "--entity-type", "topics", "--entity-name",
                "tool", "--describe");
        assertEquals(0, topicOut.exit(), topicOut.toString());
        assertTrue(topicOut.out().startsWith("Dynamic configs for topic tool are:\n"), topicOut.out());
        assertTrue(Pattern.compile("(?m)^  retention.ms=8000 sensitive=false synonyms=\\{DYNAMIC_TOPIC_CONFIG:"
                + "retention.ms=8000, DEFAULT_CONFIG:log.retention.hours=168}$").matcher(topicOut.out()).find(),
                topicOut.out());
        assertTrue(topicOut.out().contains("  cleanup.policy=compact,delete sensitive=false synonyms={"
                + "DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, DEFAULT_CONFIG:log.cleanup.policy=delete}"),
                topicOut.out());

        Tool.Run brokerAlter = tool.run("--bootstrap-server", bootstrap, "--entity-type", "brokers",
                "--entity-name", "0", "--alter", "--add-config", "log.cleaner.threads=2");
        assertEquals(0, brokerAlter.exit(), brokerAlter.toString());
        assertEquals("Completed updating config for broker 0.", brokerAlter.out().strip());
        Tool.Run brokerOut = tool.run("--bootstrap-server", bootstrap, "--entity-type", "brokers",
                "--entity-name", "0", "--describe");
        assertEquals("Dynamic configs for broker 0 are:\n  log.cleaner.threads=2 sensitive=false synonyms={"
                + "DYNAMIC_BROKER_CONFIG:log.cleaner.threads=2, DEFAULT_CONFIG:log.cleaner.threads=1}",
                brokerOut.out().strip(), brokerOut.toString());
        Tool.Run defaultAlter = tool.run("--bootstrap-server", bootstrap, "--entity-type", "brokers",
                "--entity-default", "--alter", "--add-config", "log.retention.ms=3600000");
        assertEquals("Completed updating default config for brokers in the cluster.", defaultAlter.out().strip(),
                defaultAlter.toString());
        Tool.Run all = tool.run("--bootstrap-server", bootstrap, "--entity-type", "brokers", "--entity-name", "0",
                "--describe", "--all");
        assertTrue(all.out().startsWith("All configs for broker 0 are:\n"), all.out());
        assertTrue(all.out().contains("\n  log.retention.ms=3600000 sensitive=false synonyms={"
                + "DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=3600000, DEFAULT_CONFIG:log.retention.hours=168}\n"),
                all.out());
        assertTrue(all.out().contains("\n  log.retention.minutes=null sensitive=false synonyms={}\n"), all.out());
        // broker loggers: Kafka's rules, levels changed live through the logging backend
        String logger = "dev.strata.broker.internal.BrokerService";
        Tool.Run loggers = tool.run("--bootstrap-server", bootstrap, "--entity-type", "broker-loggers",
                "--entity-name", "0", "--describe");
        assertTrue(loggers.out().startsWith("Dynamic configs for broker-logger 0 are:\n"), loggers.toString());
        assertTrue(loggers.out().contains("\n  root=INFO sensitive=false synonyms={}"), loggers.out());
        Tool.Run debug = tool.run("--bootstrap-server", bootstrap, "--entity-type", "broker-loggers",
                "--entity-name", "0", "--alter", "--add-config", logger + "=DEBUG");
        assertEquals("Completed updating config for broker-logger 0.", debug.out().strip(), debug.toString());
        try (Admin admin = Clients.admin(container)) {
            ConfigResource brokerLoggers = new ConfigResource(ConfigResource.Type.BROKER_LOGGER, "0");
            assertEquals("DEBUG", describe(admin, brokerLoggers).get(logger).value());
            assertEquals(ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG, describe(admin, brokerLoggers).get(logger)
                    .source());
            assertInvalid(admin, brokerLoggers, "Cannot set the log level of " + logger + " to LOUD as it is not a "
                    + "supported log level. Valid log levels are DEBUG, ERROR, FATAL, INFO, TRACE, WARN",
                    set(logger, "LOUD"));
            assertInvalid(admin, brokerLoggers, "Logger no.such.logger does not exist!", set("no.such.logger",
                    "DEBUG"));
            alter(admin, brokerLoggers, new AlterConfigOp(new ConfigEntry(logger, ""), AlterConfigOp.OpType.DELETE));
            assertEquals("INFO", describe(admin, brokerLoggers).get(logger).value(), "inherits the root's again");
        }

        Tool.Run bad = tool.run("--bootstrap-server", bootstrap, "--entity-type", "topics", "--entity-name", "tool",
                "--alter", "--add-config", "retention.ms=soon");
        assertTrue(bad.exit() != 0, bad.toString());
        assertTrue(bad.all().contains("InvalidConfigurationException: Invalid value soon for configuration "
                + "retention.ms: Not a number of type LONG"), bad.toString());
    }

    private static void assertInvalid(Admin admin, ConfigResource resource, String message, AlterConfigOp... ops) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> alter(admin, resource, ops));
        assertInstanceOf(InvalidConfigurationException.class, e.getCause(), e.toString());
        assertEquals(message, e.getCause().getMessage());
    }

    private void assertTooLarge(String topic, int size) throws Exception {
        Map<String, Object> props = Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "none", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.ACKS_CONFIG, "1");
        try (KafkaProducer<String, String> producer = Clients.producer(container, props)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> producer.send(
                    new ProducerRecord<>(topic, "x".repeat(size))).get(30, TimeUnit.SECONDS));
            assertInstanceOf(RecordTooLargeException.class, e.getCause(), e.toString());
        }
    }

    private void awaitShown(ConsoleConfigForm form, String key, String expected) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            last = ConsoleConfigForm.value(form.shown(StrataContainer.BROKER_PID), key);
            if (expected.equals(last)) {
                return;
            }
            Thread.sleep(200);
        }
        fail("the console does not show " + key + "=" + expected + " within " + WAIT + " (last: " + last + ")\n"
                + container.logTail(30));
    }

    private void awaitDescribed(Admin admin, ConfigResource resource, String key, Predicate<ConfigEntry> expected)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        ConfigEntry last = null;
        while (System.nanoTime() < deadline) {
            last = describe(admin, resource).get(key);
            if (expected.test(last)) {
                return;
            }
            Thread.sleep(200);
        }
        fail(key + " of " + resource + " is not as expected within " + WAIT + " (last: " + last + ")\n"
                + container.logTail(30));
    }

    /** kafka-configs: Kafka's ConfigCommand in a child JVM on this test's classpath (Kafka's core jar is on it). */
    private static final class Tool {
        /** @param all stderr and stdout, for messages and diagnosis */
        record Run(int exit, String out, String all) {
        }

        private final ClientProcess process;

        Tool(Path workDir) throws Exception {
            this.process = new ClientProcess(workDir, Map.of());
        }

        Run run(String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-cp", System.getProperty("java.class.path"), "kafka.admin.ConfigCommand"));
            command.addAll(List.of(args));
            ClientProcess.Result r = process.run(command, "", Duration.ofSeconds(60));
            return new Run(r.exitCode(), r.stdout(), r.describe());
        }
    }
}
