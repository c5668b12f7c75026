package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The assembled distribution as shipped (no container started): the layout the other tests and users rely on. */
class DistributionLayoutIT {

    private final Path dist = StrataContainer.distribution();

    @Test
    void launcherIsExecutable() {
        assertTrue(Files.isExecutable(dist.resolve("bin/strata")), dist.resolve("bin/strata") + " is not executable");
    }

    @Test
    void configurationFilesHoldTheContractKeys() throws IOException {
        Properties framework = load(dist.resolve("etc/config.properties"));
        assertEquals("8080", framework.getProperty("org.osgi.service.http.port"), "etc/config.properties http port");
        assertEquals("127.0.0.1", framework.getProperty("org.apache.felix.http.host"),
                "etc/config.properties http host");
        Properties broker = load(dist.resolve("etc/" + StrataContainer.BROKER_PID + ".cfg"));
        // Unset, so the container's default applies (data/ in the working directory here, ${karaf.data}/strata in
        // Karaf): the same file serves both.
        assertEquals(null, broker.getProperty("log.dirs"), "log.dirs in etc/dev.strata.broker.cfg");
        Properties protocol = load(dist.resolve("etc/" + StrataContainer.PROTOCOL_PID + ".cfg"));
        assertEquals("9092", protocol.getProperty("port"), "port in etc/dev.strata.protocol.kafka.cfg");
        assertEquals("127.0.0.1", protocol.getProperty("host"), "host in etc/dev.strata.protocol.kafka.cfg");
    }

    @Test
    void systemHoldsTheStrataBundlesAndLibTheFramework() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> jars = Files.walk(dist.resolve("system"))) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).collect(Collectors.toList())) {
                try (JarFile file = new JarFile(jar.toFile())) {
                    String bsn = file.getManifest() == null ? null
                            : file.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
                    if (bsn != null) {
                        names.add(bsn.split(";")[0].trim());
                    }
                }
            }
        }
        for (String expected : List.of("dev.strata.api", "dev.strata.record", "dev.strata.storage.segment",
                "dev.strata.broker", "dev.strata.protocol.kafka",
                "dev.strata.metadata.local", "dev.strata.replication.local", "dev.strata.quota.noop",
                "dev.strata.cleaner")) {
            assertTrue(names.contains(expected), expected + " not in system/; bundles there: " + names);
        }
        try (Stream<Path> lib = Files.list(dist.resolve("lib"))) {
            assertTrue(lib.anyMatch(p -> p.getFileName().toString().startsWith("org.apache.felix.framework")),
                    "the Felix framework jar in lib/");
        }
        assertTrue(Files.isDirectory(dist.resolve("deploy")), "deploy/ exists");
    }

    private static Properties load(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), file + " missing");
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(in);
        }
        return props;
    }
}
