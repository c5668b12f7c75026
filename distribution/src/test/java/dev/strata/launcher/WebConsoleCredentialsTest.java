package dev.strata.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebConsoleCredentialsTest {

    @TempDir
    Path etc;

    @Test
    void firstStartGeneratesOwnerOnlyFilesWithHashedPassword() throws Exception {
        WebConsoleCredentials credentials = new WebConsoleCredentials(etc, new SecureRandom());
        WebConsoleCredentials.Login login = credentials.ensure();
        assertTrue(login.generated());

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials.configFile())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials.credentialsFile())));

        Map<String, String> plain = PropertiesFiles.load(credentials.credentialsFile(), n -> null);
        Map<String, String> config = PropertiesFiles.load(credentials.configFile(), n -> null);
        String password = plain.get("password");
        assertTrue(password.length() >= 16, password);
        assertNotEquals("admin", password);
        assertEquals("admin", config.get("username"));
        assertTrue(config.get("password").startsWith("{sha-256}"), config.get("password"));
        assertFalse(Files.readString(credentials.configFile()).contains(password));
        assertEquals(login.configuredPassword(), config.get("password"));

        // The web console itself accepts the generated password and refuses another one.
        assertTrue(webConsoleMatches(config.get("password"), password));
        assertFalse(webConsoleMatches(config.get("password"), password + "x"));
    }

    @Test
    void laterStartsKeepTheConfiguredLogin() throws IOException {
        WebConsoleCredentials credentials = new WebConsoleCredentials(etc, new SecureRandom());
        String first = credentials.ensure().configuredPassword();
        WebConsoleCredentials.Login again = credentials.ensure();
        assertFalse(again.generated());
        assertEquals(first, again.configuredPassword());
    }

    @Test
    void passwordsDiffer() {
        WebConsoleCredentials credentials = new WebConsoleCredentials(etc, new SecureRandom());
        assertNotEquals(credentials.generatePassword(), credentials.generatePassword());
    }

    @Test
    void knownDefaultHashIsTheConsoleFormat() throws Exception {
        // The console's built-in default is the unsalted form; the salted form must verify the same way.
        assertTrue(webConsoleMatches("{sha-256}jGl25bVBBBW96Qi9Te4V37Fnqchz/Eu4qB9vKrRIqRg=", "admin"));
        assertTrue(webConsoleMatches(WebConsoleCredentials.hash("s3cret", "00ff", 7), "s3cret"));
    }

    /** Asks the web console's own (internal) password class whether {@code plain} matches {@code configured}. */
    private static boolean webConsoleMatches(String configured, String plain) throws Exception {
        Class<?> passwordClass = Class.forName("org.apache.felix.webconsole.internal.servlet.Password");
        Constructor<?> constructor = passwordClass.getDeclaredConstructor(String.class);
        constructor.setAccessible(true);
        Object password = constructor.newInstance(configured);
        Method matches = passwordClass.getDeclaredMethod("matches", byte[].class);
        matches.setAccessible(true);
        return (Boolean) matches.invoke(password, (Object) plain.getBytes(StandardCharsets.UTF_8));
    }
}
