package dev.strata.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PropertiesFilesTest {

    @TempDir
    Path dir;

    @Test
    void expandsLookupFirstThenOtherKeys() throws IOException {
        Path file = dir.resolve("config.properties");
        Files.writeString(file, """
                # comment
                home.work = ${strata.home}/work
                cache = ${home.work}/felix-cache
                filter = ^(?!features\\\\.cfg$).*\\\\.cfg$
                """);
        Map<String, String> values = PropertiesFiles.load(file, name -> name.equals("strata.home") ? "/opt/strata" : null);
        assertEquals("/opt/strata/work/felix-cache", values.get("cache"));
        assertEquals("^(?!features\\.cfg$).*\\.cfg$", values.get("filter"));
    }

    @Test
    void undefinedAndCircularReferencesAreErrors() throws IOException {
        Path undefined = dir.resolve("undefined.properties");
        Files.writeString(undefined, "a = ${nowhere}\n");
        IOException e = assertThrows(IOException.class, () -> PropertiesFiles.load(undefined, name -> null));
        assertTrue(e.getMessage().contains("${nowhere}"), e.getMessage());

        Path circular = dir.resolve("circular.properties");
        Files.writeString(circular, "a = ${b}\nb = x${a}\n");
        e = assertThrows(IOException.class, () -> PropertiesFiles.load(circular, name -> null));
        assertTrue(e.getMessage().contains("circular"), e.getMessage());
    }

    @Test
    void unclosedReferenceIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> PropertiesFiles.expand("${a", Map.of(), n -> null));
        assertEquals("costs $5", PropertiesFiles.expand("costs $5", Map.of(), n -> null));
    }
}
