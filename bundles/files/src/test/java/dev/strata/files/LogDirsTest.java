package dev.strata.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogDirsTest {

    @Test
    void defaultIsKarafsDataDirectoryInKaraf(@TempDir Path karafData) {
        Map<String, String> framework = Map.of("karaf.data", karafData + " ");
        assertEquals(karafData.resolve("strata"), LogDirs.defaultDir(framework::get));
    }

    @Test
    void defaultIsDataInTheWorkingDirectoryElsewhere() {
        Path expected = Paths.get(System.getProperty("user.dir"), "data").normalize();
        assertEquals(expected, LogDirs.defaultDir(name -> null));
        assertEquals(expected, LogDirs.defaultDir(Map.of("karaf.data", " ")::get));
    }

    @Test
    void configuredValueWinsAndBlankIsTheDefault(@TempDir Path dir) {
        Path dflt = dir.resolve("default");
        assertEquals(dflt, LogDirs.resolve(null, dflt));
        assertEquals(dflt, LogDirs.resolve("  ", dflt));
        assertEquals(dir.resolve("x"), LogDirs.resolve(" " + dir.resolve("a/../x") + " ", dflt));
        assertEquals(Paths.get("rel").toAbsolutePath(), LogDirs.resolve("rel", dflt));
    }

    @Test
    void moreThanOneDirectoryIsRefused(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LogDirs.resolve(dir + "/a," + dir + "/b", dir));
        assertEquals("log.dirs must name exactly one directory: " + dir + "/a," + dir + "/b", e.getMessage());
    }
}
