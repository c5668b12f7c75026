package dev.strata.console.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFilesTest {

    /** The filter of the distribution's etc/config.properties (features.cfg is the launcher's, not FileInstall's). */
    private static final Pattern DISTRIBUTION_FILTER = Pattern.compile("^(?!features\\.cfg$).*\\.cfg$");

    @TempDir
    Path etc;

    private ConfigFiles files() {
        return new ConfigFiles(etc, DISTRIBUTION_FILTER);
    }

    private static Dictionary<String, Object> consoleForm() {
        // What the console builds from a form with metatype types (int, boolean, long, String).
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("num.partitions", 3);
        props.put("auto.create.topics.enable", Boolean.TRUE);
        props.put("log.roll.ms", 604800000L);
        props.put("log.dirs", "./data");
        props.put("service.pid", "dev.strata.broker");
        return props;
    }

    @Test
    void theConsoleDoesNotShowTheFileLink() {
        Collection<String> shown = new ArrayList<>(List.of("num.partitions", ConfigFiles.FILENAME, "log.dirs"));
        shown.removeIf(ConfigFiles::isHidden);
        assertEquals(List.of("num.partitions", "log.dirs"), shown);
    }

    @Test
    void aLinkedConfigurationIsWrittenToItsFileWithStringValues() throws Exception {
        Path file = etc.resolve("dev.strata.broker.cfg");
        Files.writeString(file,
                "# mine\nnum.partitions = 1\n# about log.dirs\nlog.dirs=./data\nlist = a,b\ngone = x\n");
        Dictionary<String, Object> props = consoleForm();
        String[] array = {"a", "b"};
        props.put("list", array);

        assertEquals(file, files().save(null, "dev.strata.broker", file.toUri().toString(), props));

        assertEquals("3", props.get("num.partitions"));
        assertEquals("true", props.get("auto.create.topics.enable"));
        assertEquals("604800000", props.get("log.roll.ms"));
        assertEquals("./data", props.get("log.dirs"));
        assertArrayEquals(array, (String[]) props.get("list"), "arrays stay as they are");
        // The console puts the present link back itself.
        assertNull(props.get(ConfigFiles.FILENAME));
        assertEquals("""
                # mine
                num.partitions = 3
                # about log.dirs
                log.dirs=./data
                list = a,b
                auto.create.topics.enable = true
                log.roll.ms = 604800000
                """, Files.readString(file), "comments and unchanged lines kept, gone removed, new keys appended");
    }

    @Test
    void aLinkOutsideTheFileInstallDirectoryIsNeverWritten() throws Exception {
        Path outside = etc.resolveSibling(etc.getFileName() + "-elsewhere.cfg");
        Dictionary<String, Object> props = consoleForm();
        assertNull(files().save(null, "dev.strata.broker", outside.toUri().toString(), props));
        assertFalse(Files.exists(outside));
        assertNull(files().save(null, "dev.strata.broker", "not a uri", props));
        assertNull(files().delete(outside.toUri().toString()));
        try (Stream<Path> entries = Files.list(etc)) {
            assertFalse(entries.findAny().isPresent(), "nothing written");
        }
    }

    @Test
    void aConfigurationWithoutFileGetsOneHoldingItsValues() throws Exception {
        Dictionary<String, Object> props = consoleForm();
        props.put("odd key", " leading space, = : # ! \\ tab\t newline\n \u00e9\u20ac");

        Path created = files().save(null, "dev.strata.broker", null, props);

        Path file = etc.resolve("dev.strata.broker.cfg");
        assertEquals(file, created);
        assertEquals(file.toFile().toURI().toString(), props.get(ConfigFiles.FILENAME));
        assertTrue(Files.readString(file).startsWith("# Created by the Strata web console"), "says where it came from");
        Properties written = load(file);
        assertEquals(Map.of("num.partitions", "3", "auto.create.topics.enable", "true", "log.roll.ms", "604800000",
                "log.dirs", "./data", "odd key", " leading space, = : # ! \\ tab\t newline\n \u00e9\u20ac"),
                Map.copyOf(written), "every property, as strings, without the ConfigAdmin bookkeeping");
        try (Stream<Path> entries = Files.list(etc)) {
            assertEquals(List.of(file), entries.toList(), "no temporary file left behind");
        }
    }

    @Test
    void anExistingButUnlinkedFileIsLinkedAndUpdated() throws Exception {
        Path file = etc.resolve("dev.strata.storage.segment.cfg");
        Files.writeString(file, "# note\nflush = 1\n");
        Dictionary<String, Object> props = new Hashtable<>(Map.of("flush", 5));

        assertEquals(file, files().save(null, "dev.strata.storage.segment", null, props));

        assertEquals(file.toFile().toURI().toString(), props.get(ConfigFiles.FILENAME));
        assertEquals("5", props.get("flush"));
        assertEquals("# note\nflush = 5\n", Files.readString(file));
    }

    @Test
    void deletingRemovesTheLinkedFile() throws Exception {
        Path file = etc.resolve("dev.strata.broker.cfg");
        Files.writeString(file, "num.partitions = 1\n");
        assertEquals(file, files().delete(file.toUri().toString()));
        assertFalse(Files.exists(file));
        assertNull(files().delete(file.toUri().toString()), "already gone");
        assertNull(files().delete(null), "no link");
    }

    @Test
    void configurationsNoFileCanHoldAreLeftToConfigAdmin() throws Exception {
        List<ConfigFiles> noDirectory = List.of(new ConfigFiles(null, null),
                ConfigFiles.fromFrameworkProperties(null, null),
                ConfigFiles.fromFrameworkProperties(etc.toString(), "(unclosed"));
        for (ConfigFiles configFiles : noDirectory) {
            assertNull(configFiles.fileFor(null, "dev.strata.broker"), configFiles.toString());
        }
        ConfigFiles files = files();
        assertNull(files.fileFor("dev.strata.factory", "dev.strata.factory~one"), "factory configuration");
        assertNull(files.fileFor(null, "a-b"), "FileInstall would read a-b.cfg as a factory configuration");
        assertNull(files.fileFor(null, "../outside"), "a path");
        assertNull(files.fileFor(null, "features"), "a name FileInstall's filter skips");
        assertEquals(etc.resolve("dev.strata.broker.cfg"),
                ConfigFiles.fromFrameworkProperties(etc.toString(), DISTRIBUTION_FILTER.pattern())
                        .fileFor(null, "dev.strata.broker"));

        Dictionary<String, Object> props = new Hashtable<>(Map.of("level", 9));
        assertNull(files.save("dev.strata.factory", "dev.strata.factory~one", null, props));
        assertEquals(9, props.get("level"), "values keep their types");
        assertNull(props.get(ConfigFiles.FILENAME));
        try (Stream<Path> entries = Files.list(etc)) {
            assertFalse(entries.findAny().isPresent(), "nothing written");
        }
    }

    @Test
    void filterValuesAreEscaped() {
        assertEquals("a\\(b\\)\\*\\\\", ConfigFileHandler.escapeFilterValue("a(b)*\\"));
    }

    private static Properties load(Path file) throws Exception {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            props.load(in);
        }
        return props;
    }
}
