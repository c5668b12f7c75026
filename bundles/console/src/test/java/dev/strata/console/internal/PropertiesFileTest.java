package dev.strata.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PropertiesFileTest {

    @TempDir
    Path dir;

    private static Map<String, String> values(String... keysAndValues) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            values.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return values;
    }

    @Test
    void changedValuesAreReplacedInPlaceAndEverythingElseKept() {
        String original = """
                # header

                a = 1
                ! bang comment
                b:two
                c   three
                #c = commented out
                """;
        String merged = PropertiesFile.merge(original, values("a", "10", "b", "two", "c", "three", "d", "new"),
                Set.of());
        assertEquals("""
                # header

                a = 10
                ! bang comment
                b:two
                c   three
                #c = commented out
                d = new
                """, merged);
    }

    @Test
    void continuedLinesAreOneProperty() {
        String original = "list = one, \\\n    two\nnext = x\n# a comment ending in a backslash \\\nlast = y\n";
        assertEquals(original, PropertiesFile.merge(original, values("list", "one, two", "next", "x", "last", "y"),
                Set.of()), "unchanged: kept as written");
        assertEquals("list = 1\nnext = x\n# a comment ending in a backslash \\\nlast = y\n",
                PropertiesFile.merge(original, values("list", "1", "next", "x", "last", "y"), Set.of()));
    }

    @Test
    void removedAndRepeatedKeysLoseTheirLines() {
        String original = "a = 1\nb = 2\na = 3\n";
        assertEquals("a = 3\n", PropertiesFile.merge(original, values("a", "3"), Set.of()));
    }

    @Test
    void keptKeysStayAsWritten() {
        assertEquals("arr = x,y\n", PropertiesFile.merge("arr = x,y\n", values(), Set.of("arr")));
    }

    @Test
    void windowsLineEndsAndAMissingFinalLineEndAreRead() {
        assertEquals("a = 1\nb = 3\n", PropertiesFile.merge("a = 1\r\nb = 2", values("a", "1", "b", "3"), Set.of()));
        assertEquals("a = 1\n", PropertiesFile.merge("", values("a", "1"), Set.of()));
    }

    @Test
    void whatIsWrittenReadsBackAsTheValues() throws Exception {
        Map<String, String> values = values("plain", "v", "odd key", " lead, = : # ! \\ tab\t nl\n \u00e9\u20ac",
                "empty", "", "x\\", "trailing backslash\\");
        Path file = dir.resolve("x.cfg");
        PropertiesFile.save(file, values, Set.of(), "# header\n");
        Properties read = new Properties();
        try (var in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            read.load(in);
        }
        assertEquals(values, Map.copyOf(read));
        assertTrue(Files.readString(file, StandardCharsets.ISO_8859_1).startsWith("# header\n"));
        // A second save of the merged file keeps it byte for byte.
        String before = Files.readString(file, StandardCharsets.ISO_8859_1);
        PropertiesFile.save(file, values, Set.of(), "# header\n");
        assertEquals(before, Files.readString(file, StandardCharsets.ISO_8859_1));
    }

    @Test
    void escapingReadsBackUnchanged() throws Exception {
        for (String text : List.of("", "plain", " lead", "trail ", "a=b:c#d!e", "back\\slash", "\t\n\r\f",
                "\u00e9\u20ac\u0001", "x\\")) {
            Properties props = new Properties();
            props.load(new StringReader(PropertiesFile.format(text, text)));
            assertEquals(Map.of(text, text), Map.copyOf(props), "written: " + PropertiesFile.format(text, text));
            assertTrue(PropertiesFile.format(text, text).chars().allMatch(c -> c >= 0x20 && c <= 0x7e),
                    "ASCII only: " + text);
        }
    }

    @Test
    void anUnchangedFileIsNotTouchedAndAChangedOneKeepsItsPermissions() throws Exception {
        Path file = dir.resolve("secret.cfg");
        Files.writeString(file, "password = p\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(file, old);

        PropertiesFile.save(file, values("password", "p"), Set.of(), "");
        assertEquals(old, Files.getLastModifiedTime(file), "nothing to change: not rewritten");

        PropertiesFile.save(file, values("password", "q"), Set.of(), "");
        assertEquals("password = q\n", Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (Stream<Path> entries = Files.list(dir)) {
            assertEquals(List.of(file), entries.toList(), "no temporary file left behind");
        }
    }

    @Test
    void aNewFileGetsTheDirectorysPermissionsWithoutExecute() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        Path file = dir.resolve("new.cfg");
        PropertiesFile.save(file, values("a", "1"), Set.of(), "");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
}
