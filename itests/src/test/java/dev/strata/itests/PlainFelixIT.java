package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.felix.framework.Felix;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Strata's bundles in a plain Felix framework set up as an integrator would (README "Deploying into an existing
 * Felix framework"): the framework in the host's JVM, the OSGi runtime the integrator chose (SCR, ConfigAdmin,
 * Metatype, slf4j-api with slf4j-simple as the binding, found through SPI Fly), no FileInstall, no Gogo, no HTTP,
 * no Strata launcher. The host configures the broker through ConfigAdmin (its API is shared with the framework by
 * a system bundle export, as a host that configures its framework does); then stock kafka-clients create a topic,
 * produce and consume.
 *
 * <p>The bundles are read from the assembled distribution's {@code system/} (Maven layout), which is what CI has
 * after {@code mvn verify}; the binding, which Strata's own runtime does not use (it ships Logback), is the
 * slf4j-simple jar of this test's class path.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PlainFelixIT {

    /** The integrator's runtime, in install order (groupId/artifactId/version in system/). */
    static final List<String> RUNTIME = List.of(
            "org.osgi/org.osgi.util.function/1.2.0",
            "org.osgi/org.osgi.util.promise/1.3.0",
            "org.osgi/org.osgi.service.component/1.5.1",
            "org.apache.felix/org.apache.felix.scr/2.2.14",
            "org.apache.felix/org.apache.felix.configadmin/1.9.26",
            // Metatype imports the OSGi Log Service API: an OSGi LogService implementation.
            "org.apache.felix/org.apache.felix.log/1.3.0",
            "org.apache.felix/org.apache.felix.metatype/1.2.4",
            // slf4j-api 2 finds its binding through java.util.ServiceLoader and requires the OSGi Service Loader
            // Mediator (osgi.extender=osgi.serviceloader.processor) to resolve at all: SPI Fly provides it.
            "org.ow2.asm/asm/9.7.1",
            "org.ow2.asm/asm-tree/9.7.1",
            "org.ow2.asm/asm-analysis/9.7.1",
            "org.ow2.asm/asm-commons/9.7.1",
            "org.ow2.asm/asm-util/9.7.1",
            "org.apache.aries.spifly/org.apache.aries.spifly.dynamic.bundle/1.3.7",
            "org.slf4j/slf4j-api/2.0.17");

    /** Strata's bundles for a broker that serves Kafka clients (README lists what each adds). */
    static final List<String> STRATA = List.of(
            "dev.strata/strata-api",
            "dev.strata/strata-record",
            "dev.strata/strata-storage-segment",
            "dev.strata/strata-broker",
            "dev.strata/strata-metadata-local",
            "dev.strata/strata-replication-local",
            "dev.strata/strata-quota-noop",
            "dev.strata/strata-log-cleaner",
            "dev.strata/strata-group-coordinator",
            "dev.strata/strata-partitioner-default",
            "dev.strata/strata-compression-gzip",
            "io.netty/netty-common",
            "io.netty/netty-buffer",
            "io.netty/netty-resolver",
            "io.netty/netty-transport",
            "io.netty/netty-transport-native-unix-common",
            "io.netty/netty-codec-base",
            "io.netty/netty-handler",
            "dev.strata/strata-protocol-kafka");

    private Framework framework;

    @AfterEach
    void stopFramework() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(TimeUnit.SECONDS.toMillis(30));
        }
    }

    @Test
    void brokerServesInAnIntegratorsFelix() throws Exception {
        Path system = StrataContainer.distribution().resolve("system");
        Path work = Files.createTempDirectory(Files.createDirectories(
                Paths.get(System.getProperty("strata.itests.work", "target/containers")).toAbsolutePath()),
                "plain-felix-");
        Path dataDir = work.resolve("kafka-data");
        int kafkaPort = StrataContainer.freePort();

        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, work.resolve("felix-cache").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // The host configures Strata through ConfigAdmin, so it shares that API with the framework; sun.misc lets
        // Netty use Unsafe as in Strata's own distribution (it works without, more slowly).
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "org.osgi.service.cm;version=1.6.1,sun.misc");
        // Felix's implicit boot delegation would let ServiceLoader, asked from inside a bundle, find the host's own
        // class path (here slf4j-simple for kafka-clients): slf4j-api then fails "provider not a subtype" and logs
        // nothing. A host with SLF4J on its class path turns it off.
        // Netty's JFR events then need the JDK's jdk.jfr packages by boot delegation (implicit delegation gave them).
        config.put("felix.bootdelegation.implicit", "false");
        config.put(Constants.FRAMEWORK_BOOTDELEGATION, "jdk.jfr.*");
        framework = new Felix(config);
        framework.init();
        framework.start();
        BundleContext context = framework.getBundleContext();

        List<Bundle> runtime = install(context, system, RUNTIME);
        runtime.add(installJar(context, Path.of(org.slf4j.simple.SimpleLogger.class.getProtectionDomain()
                .getCodeSource().getLocation().toURI())));
        startAll(context, runtime);
        configure(context, "dev.strata.broker", Map.of("log.dirs", dataDir.toString()));
        configure(context, "dev.strata.protocol.kafka", Map.of("host", "127.0.0.1", "port", kafkaPort));
        List<Bundle> strata = install(context, system, STRATA);
        startAll(context, strata);
        for (Bundle bundle : context.getBundles()) {
            boolean fragment = (bundle.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
            assertEquals(fragment ? Bundle.RESOLVED : Bundle.ACTIVE, bundle.getState(),
                    bundle.getSymbolicName() + " state");
        }

        // slf4j-api found the integrator's binding (through SPI Fly), rather than falling back to no logging.
        Bundle slf4j = Stream.of(context.getBundles()).filter(b -> "slf4j.api".equals(b.getSymbolicName()))
                .findFirst().orElseThrow();
        Object loggerFactory = slf4j.loadClass("org.slf4j.LoggerFactory").getMethod("getILoggerFactory")
                .invoke(null);
        assertEquals("org.slf4j.simple.SimpleLoggerFactory", loggerFactory.getClass().getName(),
                "SLF4J binding inside the framework");

        String bootstrap = "127.0.0.1:" + kafkaPort;
        String topic = "plain-felix";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000))) {
            Clients.createTopic(admin, topic, 2);
        }
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 100; i++) {
                String value = "record-" + i;
                producer.send(new ProducerRecord<>(topic, "key-" + (i % 7), value)).get(30, TimeUnit.SECONDS);
                sent.add(value);
            }
        }
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, String>> read;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                new StringDeserializer())) {
            read = Clients.readAll(consumer, Clients.partitions(topic, 2), Duration.ofSeconds(60));
        }
        assertEquals(sent.stream().sorted().toList(),
                read.stream().map(ConsumerRecord::value).sorted().collect(Collectors.toList()),
                "every produced record is consumed once");

        // The configured log.dirs holds the partitions, nothing landed in the working directory's data/.
        try (Stream<Path> files = Files.list(dataDir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.contains(topic + "-0") && names.contains(topic + "-1"), "partition dirs in " + names);
        }
    }

    /** Installs the bundles {@code group/artifact[/version]} from the Maven layout under {@code system}. */
    private static List<Bundle> install(BundleContext context, Path system, List<String> coordinates)
            throws IOException, BundleException {
        List<Bundle> installed = new ArrayList<>();
        for (String coordinate : coordinates) {
            Path jar = jar(system, coordinate);
            try (InputStream in = Files.newInputStream(jar)) {
                installed.add(context.installBundle(jar.toUri().toString(), in));
            }
        }
        return installed;
    }

    private static Bundle installJar(BundleContext context, Path jar) throws IOException, BundleException {
        try (InputStream in = Files.newInputStream(jar)) {
            return context.installBundle(jar.toUri().toString(), in);
        }
    }

    /** The one jar of {@code group/artifact/version}, or of the one version of {@code group/artifact} present. */
    static Path jar(Path system, String coordinate) throws IOException {
        String[] parts = coordinate.split("/");
        Path artifactDir = system.resolve(parts[0].replace('.', '/')).resolve(parts[1]);
        Path versionDir;
        if (parts.length == 3) {
            versionDir = artifactDir.resolve(parts[2]);
        } else {
            try (Stream<Path> versions = Files.list(artifactDir)) {
                List<Path> all = versions.filter(Files::isDirectory).toList();
                if (all.size() != 1) {
                    throw new IllegalStateException("expected one version of " + coordinate + " in " + system
                            + ", found " + all);
                }
                versionDir = all.get(0);
            }
        }
        Path jar = versionDir.resolve(parts[1] + "-" + versionDir.getFileName() + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(coordinate + " is not in the distribution: " + jar);
        }
        return jar;
    }

    private static void startAll(BundleContext context, List<Bundle> bundles) throws BundleException {
        for (Bundle bundle : bundles) {
            if ((bundle.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) == 0) {
                bundle.start();
            }
        }
    }

    /** What the host does to configure a PID: ConfigAdmin's API, location "?" so any bundle may bind it. */
    private static void configure(BundleContext context, String pid, Map<String, ?> properties) throws IOException {
        var reference = context.getServiceReference(ConfigurationAdmin.class);
        if (reference == null) {
            throw new IllegalStateException("ConfigurationAdmin is not running (is its API shared by the host?)");
        }
        ConfigurationAdmin admin = context.getService(reference);
        try {
            Configuration configuration = admin.getConfiguration(pid, "?");
            Dictionary<String, Object> dictionary = new Hashtable<>(properties);
            configuration.update(dictionary);
        } finally {
            context.ungetService(reference);
        }
    }
}
