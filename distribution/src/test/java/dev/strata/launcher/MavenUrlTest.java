package dev.strata.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MavenUrlTest {

    @Test
    void jarInRepositoryLayout() {
        MavenUrl url = MavenUrl.parse("mvn:org.apache.felix/org.apache.felix.scr/2.2.14");
        assertEquals("jar", url.type());
        assertNull(url.classifier());
        assertEquals(Path.of("org/apache/felix/org.apache.felix.scr/2.2.14/org.apache.felix.scr-2.2.14.jar"),
                url.relativePath());
    }

    @Test
    void typeAndClassifier() {
        MavenUrl url = MavenUrl.parse("mvn:dev.strata/strata-features/0.1.0-SNAPSHOT/xml/features");
        assertEquals(Path.of("dev/strata/strata-features/0.1.0-SNAPSHOT/strata-features-0.1.0-SNAPSHOT-features.xml"),
                url.relativePath());
        assertEquals("mvn:dev.strata/strata-features/0.1.0-SNAPSHOT/xml/features", url.toString());
    }

    @Test
    void emptyTypeMeansJar() {
        assertEquals(Path.of("g/a/1/a-1-c.jar"), MavenUrl.parse("mvn:g/a/1//c").relativePath());
    }

    @Test
    void rejectsWhatItCannotResolveLocally() {
        assertThrows(IllegalArgumentException.class, () -> MavenUrl.parse("file:/tmp/x.jar"));
        assertThrows(IllegalArgumentException.class, () -> MavenUrl.parse("mvn:g/a"));
        assertThrows(IllegalArgumentException.class, () -> MavenUrl.parse("mvn:https://repo.example!g/a/1"));
        assertThrows(IllegalArgumentException.class, () -> MavenUrl.parse("mvn:g/../../etc/1"));
        assertThrows(IllegalArgumentException.class, () -> MavenUrl.parse("mvn:g//1"));
    }
}
