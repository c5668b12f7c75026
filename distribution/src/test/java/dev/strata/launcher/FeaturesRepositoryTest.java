package dev.strata.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeaturesRepositoryTest {

    @TempDir
    Path dir;

    private FeaturesRepository write(String xml) throws IOException {
        Path file = dir.resolve("features.xml");
        Files.writeString(file, xml);
        return FeaturesRepository.read(file);
    }

    @Test
    void dependenciesFirstAndEachBundleOnce() throws IOException {
        FeaturesRepository repository = write("""
                <features xmlns="http://karaf.apache.org/xmlns/features/v1.6.0" name="test">
                  <feature name="runtime" version="1">
                    <bundle>mvn:g/log/1</bundle>
                    <bundle start="false">mvn:g/optional/1</bundle>
                  </feature>
                  <feature name="core" version="1">
                    <feature>runtime</feature>
                    <configfile finalname="/etc/core.cfg">mvn:g/features/1/cfg/core</configfile>
                    <bundle>mvn:g/core/1</bundle>
                  </feature>
                  <feature name="web">
                    <feature version="1">runtime</feature>
                    <bundle>mvn:g/log/1</bundle>
                    <bundle>mvn:g/web/1</bundle>
                  </feature>
                </features>
                """);
        FeaturesRepository.Resolution resolution = repository.resolve(List.of("core", "web"));
        assertEquals(List.of("runtime", "core", "web"), resolution.features());
        assertEquals(List.of("mvn:g/log/1", "mvn:g/optional/1", "mvn:g/core/1", "mvn:g/web/1"),
                resolution.bundles().stream().map(FeaturesRepository.BundleRef::url).toList());
        assertFalse(resolution.bundles().get(1).start());
        assertTrue(resolution.bundles().get(0).start());
        assertEquals(List.of(new FeaturesRepository.ConfigFile("mvn:g/features/1/cfg/core", "/etc/core.cfg", false)),
                resolution.configFiles());
    }

    @Test
    void containerDependenciesAndRequirementsAreLeftToTheContainer() throws IOException {
        // scr and store are dependency="true": a resolving container installs them only when needed; the launcher
        // boots exactly what etc/features.cfg names, so neither is installed (scr is not even in this repository).
        FeaturesRepository repository = write("""
                <features xmlns="http://karaf.apache.org/xmlns/features/v1.6.0" name="test">
                  <feature name="store"><bundle>mvn:g/store/1</bundle></feature>
                  <feature name="core">
                    <feature dependency="true" prerequisite="false">scr</feature>
                    <feature dependency="true">store</feature>
                    <requirement>osgi.service;filter:="(objectClass=org.osgi.service.cm.ConfigurationAdmin)"</requirement>
                    <capability>strata.core;version:Version="1"</capability>
                    <bundle>mvn:g/core/1</bundle>
                  </feature>
                </features>
                """);
        assertEquals(List.of(), repository.features().get("core").dependencies());
        FeaturesRepository.Resolution core = repository.resolve(List.of("core"));
        assertEquals(List.of("core"), core.features());
        assertEquals(List.of("mvn:g/core/1"), core.bundles().stream().map(FeaturesRepository.BundleRef::url).toList());
        assertEquals(List.of("mvn:g/store/1", "mvn:g/core/1"), repository.resolve(List.of("store", "core")).bundles()
                .stream().map(FeaturesRepository.BundleRef::url).toList());
    }

    @Test
    void unknownFeatureAndCyclesAreNamed() throws IOException {
        FeaturesRepository repository = write("""
                <features xmlns="http://karaf.apache.org/xmlns/features/v1.6.0">
                  <feature name="a"><feature>b</feature></feature>
                  <feature name="b"><feature>a</feature></feature>
                </features>
                """);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> repository.resolve(List.of("nope")));
        assertTrue(unknown.getMessage().contains("'nope'"), unknown.getMessage());
        IllegalArgumentException cycle = assertThrows(IllegalArgumentException.class,
                () -> repository.resolve(List.of("a")));
        assertTrue(cycle.getMessage().contains("cycle"), cycle.getMessage());
    }

    @Test
    void rejectsOtherDocumentsAndDoctypes() {
        assertThrows(IOException.class, () -> write("<project/>"));
        assertThrows(IOException.class, () -> write("""
                <?xml version="1.0"?>
                <!DOCTYPE features [<!ENTITY x SYSTEM "file:///etc/passwd">]>
                <features><feature name="a"><bundle>&x;</bundle></feature></features>
                """));
        assertThrows(IOException.class, () -> write("<features><feature name='a'/><feature name='a'/></features>"));
    }
}
