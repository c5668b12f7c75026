package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Strata deployed into a stock Apache Karaf 4.4 the way an integrator would: {@code feature:repo-add} of Strata's
 * features repository, {@code feature:install strata}. The features use Karaf's own DS (scr), ConfigAdmin and
 * pax-logging, so installing Strata refreshes no Karaf bundle, and installing an unrelated Karaf feature afterwards
 * (aries-blueprint, whose bundles Karaf carries in system/) neither refreshes a bundle nor restarts the broker:
 * kafka-clients and kcat produce and consume across it without a connection being closed.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class KarafIT {

    /** {@code id | state | level | version | name} of {@code bundle:list -t 0}. */
    private static final Pattern BUNDLE_LINE =
            Pattern.compile("^\\s*(\\d+)\\s*\\|\\s*(\\w+)\\s*\\|\\s*(\\d+)\\s*\\|\\s*([^|]*?)\\s*\\|\\s*(.*?)\\s*$");

    @Test
    void strataInstallsIntoKarafAndLaterFeatureInstallsLeaveItRunning() throws Exception {
        String version = System.getProperty("project.version");
        assertTrue(version != null && !version.isBlank(), "project.version is not set (the itests pom sets it)");
        try (KarafContainer karaf = KarafContainer.create("strata")) {
            karaf.start();
            Map<String, String> karafBundles = bundles(karaf);

            karaf.execute("feature:repo-add mvn:dev.strata/strata-features/" + version + "/xml/features");
            int bootLog = karaf.logText().length();
            karaf.execute("feature:install -v strata");
            Map<String, String> installed = bundles(karaf);
            karafBundles.forEach((id, line) -> assertEquals(line, installed.get(id),
                    "installing strata changed Karaf's bundle " + id));
            assertFalse(karaf.logText().substring(bootLog).contains("Refreshing bundles"), "installing strata refreshed bundles");
            List<String> strata = installed.values().stream().filter(l -> l.contains("| Strata ")).toList();
            assertTrue(strata.size() >= 13, "Strata bundles: " + strata);
            installed.values().forEach(line -> assertTrue(line.contains("| Active |") || line.contains("Hosts:"),
                    "not Active: " + line));
            // Karaf's DS and logging, not a second runtime: no Felix SCR 2.2.14, no slf4j-api bundle of Strata's.
            assertTrue(installed.values().stream().noneMatch(l -> l.contains("slf4j.api") || l.contains("2.2.14")),
                    "strata brought its own runtime: " + installed.values());
            awaitListening(karaf, true);
            // The shipped broker.cfg leaves log.dirs unset: in Karaf the data goes to ${karaf.data}/strata.
            assertTrue(java.nio.file.Files.isRegularFile(karaf.data().resolve("strata").resolve("meta.properties")),
                    "no broker data in ${karaf.data}/strata");

            try (Admin admin = admin(karaf);
                 KafkaProducer<String, String> producer = producer(karaf);
                 KafkaConsumer<String, String> consumer = consumer(karaf, null)) {
                admin.createTopics(List.of(new NewTopic("karaf", 1, (short) 1), new NewTopic("karaf-kcat", 1, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS);
                TopicPartition partition = new TopicPartition("karaf", 0);
                consumer.assign(List.of(partition));
                produce(producer, "before", 100);
                assertValues(consumer, "before", 100);
                kcatRoundTrip(karaf, "kcat-before");

                int listenerCloses = count(karaf.logText(), "Kafka listener on port " + karaf.kafkaPort() + " closed");
                int logLength = karaf.logText().length();
                Map<String, String> beforeUnrelated = bundles(karaf);

                karaf.execute("feature:install -v aries-blueprint");
                Map<String, String> afterUnrelated = bundles(karaf);
                beforeUnrelated.forEach((id, line) -> assertEquals(line, afterUnrelated.get(id),
                        "installing aries-blueprint changed bundle " + id));
                assertTrue(afterUnrelated.size() > beforeUnrelated.size(), "aries-blueprint installed no bundle");
                String logSince = karaf.logText().substring(logLength);
                assertFalse(logSince.contains("Refreshing bundles"), "aries-blueprint refreshed bundles:\n" + logSince);
                assertEquals(listenerCloses, count(karaf.logText(),
                        "Kafka listener on port " + karaf.kafkaPort() + " closed"), "the broker restarted:\n" + logSince);

                produce(producer, "after", 100);
                assertValues(consumer, "after", 100);
                kcatRoundTrip(karaf, "kcat-after");
                assertEquals(0.0, metric(producer.metrics(), "producer-metrics", "connection-close-total"),
                        "the producer lost a connection");
                assertEquals(0.0, metric(consumer.metrics(), "consumer-metrics", "connection-close-total"),
                        "the consumer lost a connection");
            }

            // A group's committed offsets, listed by Strata's Gogo command in Karaf's shell.
            try (KafkaConsumer<String, String> member = consumer(karaf, "karaf-group")) {
                member.subscribe(List.of("karaf"));
                pollUntil(member, 200);
                member.commitSync(Duration.ofSeconds(30));
            }
            // bin/client -b does not print a command's return value (an interactive session does): echo prints it.
            String groups = karaf.execute("echo (strata:groups)");
            assertTrue(groups.contains("karaf-group"), "strata:groups printed: " + groups);

            karaf.execute("feature:uninstall strata");
            awaitListening(karaf, false);
            assertTrue(karaf.logText().contains("Kafka listener on port " + karaf.kafkaPort() + " closed"));
            assertTrue(bundles(karaf).values().stream().noneMatch(l -> l.contains("| Strata ")),
                    "Strata bundles left after feature:uninstall");
        }
    }

    @Test
    void strataCoreInstallsAloneWithItsDefaultProviders() throws Exception {
        String version = System.getProperty("project.version");
        try (KarafContainer karaf = KarafContainer.create("core")) {
            karaf.start();
            karaf.execute("feature:repo-add mvn:dev.strata/strata-features/" + version + "/xml/features");
            karaf.execute("feature:install -v strata-core");
            // The broker's MetadataStore, Replication and LogStore requirements pull in the single-broker defaults.
            Map<String, String> bundles = bundles(karaf);
            for (String name : List.of("Strata Broker", "Strata Metadata (local)", "Strata Replication (local)",
                    "Strata Storage segment", "Apache Felix Declarative Services")) {
                assertTrue(bundles.values().stream().anyMatch(l -> l.endsWith("| " + name) && l.contains("| Active |")),
                        name + " not Active: " + bundles.values());
            }
            awaitLog(karaf, "Broker 0 started on ");
        }
    }

    private static void awaitLog(KarafContainer karaf, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!karaf.logText().contains(text)) {
            if (System.nanoTime() > deadline) {
                fail("karaf.log has no '" + text + "' after 60 s");
            }
            Thread.sleep(200);
        }
    }

    /** Bundle id to its {@code bundle:list} line. */
    private static Map<String, String> bundles(KarafContainer karaf) throws IOException, InterruptedException {
        Map<String, String> bundles = new LinkedHashMap<>();
        for (String line : karaf.execute("bundle:list -t 0").split("\n")) {
            Matcher m = BUNDLE_LINE.matcher(line);
            if (m.matches()) {
                bundles.put(m.group(1), m.group(1) + " | " + m.group(2) + " | " + m.group(3) + " | " + m.group(4)
                        + " | " + m.group(5));
            }
        }
        assertTrue(bundles.size() > 20, "bundle:list printed too little: " + bundles);
        return bundles;
    }

    private static void awaitListening(KarafContainer karaf, boolean listening) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (KarafContainer.listening(karaf.kafkaPort()) != listening) {
            if (System.nanoTime() > deadline) {
                fail("Kafka port " + karaf.kafkaPort() + (listening ? " not open" : " still open") + " after 60 s");
            }
            Thread.sleep(200);
        }
    }

    private static void produce(KafkaProducer<String, String> producer, String prefix, int count) throws Exception {
        List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sends.add(producer.send(new ProducerRecord<>("karaf", prefix + "-" + i, prefix + "-" + i)));
        }
        for (java.util.concurrent.Future<?> send : sends) {
            send.get(60, TimeUnit.SECONDS);
        }
    }

    /** The next {@code count} records the consumer reads are {@code prefix-0 ... prefix-(count-1)}. */
    private static void assertValues(KafkaConsumer<String, String> consumer, String prefix, int count) {
        List<ConsumerRecord<String, String>> records = pollUntil(consumer, count);
        for (int i = 0; i < count; i++) {
            assertEquals(prefix + "-" + i, records.get(i).value());
        }
    }

    private static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> consumer, int count) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (records.size() < count) {
            if (System.nanoTime() > deadline) {
                fail("consumed " + records.size() + " of " + count + " records within 60 s");
            }
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }

    /** kcat (librdkafka) produces three lines to karaf-kcat and reads them back from where they start. */
    private static void kcatRoundTrip(KarafContainer karaf, String prefix) throws Exception {
        java.nio.file.Path executable = ClientProcess.findOnPath("kcat");
        if (executable == null) {
            fail("kcat is not installed (`apt-get install kcat`; .ci/run installs it on CI)");
        }
        ClientProcess kcat = new ClientProcess(karaf.log().getParent().resolve("kcat"), new java.util.HashMap<>());
        Files.writeString(kcat.workDir().resolve("empty.conf"), "");
        List<String> base = List.of(executable.toString(), "-F", kcat.workDir().resolve("empty.conf").toString(),
                "-b", karaf.bootstrapServers(), "-t", "karaf-kcat");
        String lines = prefix + "-0\n" + prefix + "-1\n" + prefix + "-2\n";
        List<String> produce = new ArrayList<>(base);
        produce.addAll(List.of("-P", "-c", "3"));
        ClientProcess.Result produced = kcat.run(produce, lines, Kcat.TIMEOUT);
        assertEquals(0, produced.exitCode(), produced.describe());
        List<String> consume = new ArrayList<>(base);
        consume.addAll(List.of("-C", "-e", "-f", "%s\\n"));
        ClientProcess.Result consumed = kcat.run(consume, "", Kcat.TIMEOUT);
        assertEquals(0, consumed.exitCode(), consumed.describe());
        assertTrue(consumed.stdout().contains(lines), "kcat read: " + consumed.stdout());
    }

    private static double metric(Map<MetricName, ? extends Metric> metrics, String group, String name) {
        return metrics.entrySet().stream()
                .filter(e -> e.getKey().group().equals(group) && e.getKey().name().equals(name))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + group + "/" + name));
    }

    private static int count(String text, String needle) {
        int count = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            count++;
        }
        return count;
    }

    private static Admin admin(KarafContainer karaf) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, karaf.bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return Admin.create(props);
    }

    private static KafkaProducer<String, String> producer(KarafContainer karaf) {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, karaf.bootstrapServers(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** A consumer reading from the earliest offset; in {@code group} with manual commits, or without a group. */
    private static KafkaConsumer<String, String> consumer(KarafContainer karaf, String group) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, karaf.bootstrapServers());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        if (group != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }
}
