package dev.strata.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Checks the assembled target/strata/ against its features repository: every bundle and configuration file a
 * feature names is in system/, every jar in system/ is named by a feature, and etc/features.cfg boots features
 * that exist. The bundles reach system/ through features/pom.xml, so this catches that list and features.xml
 * drifting apart.
 */
class DistributionContentTest {

    private final Path strata = Path.of(System.getProperty("strata.dir", "target/strata"));
    private final Path system = strata.resolve("system");

    @Test
    void systemHoldsExactlyTheFeaturesBundles() throws Exception {
        Map<String, String> featuresConfig = PropertiesFiles.load(strata.resolve("etc/features.cfg"), System::getProperty);
        List<String> repositories = Main.list(featuresConfig.get("featuresRepositories"));
        assertEquals(1, repositories.size(), repositories.toString());
        String version = System.getProperty("project.version");
        if (version != null) {
            assertEquals("mvn:dev.strata/strata-features/" + version + "/xml/features", repositories.get(0));
        }
        FeaturesRepository repository = FeaturesRepository.read(MavenUrl.parse(repositories.get(0)).resolveIn(system));

        Set<Path> named = new TreeSet<>();
        for (FeaturesRepository.Feature feature : repository.features().values()) {
            for (FeaturesRepository.BundleRef bundle : feature.bundles()) {
                Path file = MavenUrl.parse(bundle.url()).resolveIn(system);
                assertTrue(Files.isRegularFile(file), feature.name() + ": " + bundle.url() + " missing at " + file);
                named.add(file);
            }
            for (FeaturesRepository.ConfigFile configFile : feature.configFiles()) {
                Path file = MavenUrl.parse(configFile.url()).resolveIn(system);
                assertTrue(Files.isRegularFile(file), feature.name() + ": " + configFile.url() + " missing at " + file);
                Path installed = strata.resolve(configFile.finalName().substring(1));
                assertTrue(Files.isRegularFile(installed), "default configuration not in the distribution: " + installed);
            }
        }
        Set<Path> jars;
        try (Stream<Path> files = Files.walk(system)) {
            jars = files.filter(f -> f.toString().endsWith(".jar")).collect(Collectors.toCollection(TreeSet::new));
        }
        jars.removeAll(named);
        assertEquals(Set.of(), jars, "jars in system/ that no feature names (features/pom.xml lists more than features.xml)");

        // Every boot feature resolves, and the distribution boots at least the umbrella feature Karaf users install.
        FeaturesRepository.Resolution boot = repository.resolve(Main.list(featuresConfig.get("featuresBoot")));
        List<FeaturesRepository.BundleRef> umbrella =
                new ArrayList<>(repository.resolve(List.of("strata")).bundles());
        umbrella.removeAll(boot.bundles());
        assertEquals(List.of(), umbrella, "bundles of feature strata that etc/features.cfg does not boot");
    }

    @Test
    void launcherFilesAreInPlace() throws IOException {
        for (String file : List.of("bin/strata", "etc/config.properties", "etc/system.properties",
                "etc/org.apache.felix.fileinstall-deploy.cfg", "deploy")) {
            assertTrue(Files.exists(strata.resolve(file)), file);
        }
        try (Stream<Path> lib = Files.list(strata.resolve("lib"))) {
            assertTrue(lib.anyMatch(f -> f.getFileName().toString().startsWith("org.apache.felix.framework-")));
        }
    }
}
