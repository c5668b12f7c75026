package dev.strata.launcher;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * Makes sure the Felix web console never runs with its well-known default login: at first start it generates a
 * random password, stores only its salted hash in the console's configuration file
 * ({@code etc/org.apache.felix.webconsole.internal.servlet.OsgiManager.cfg}, picked up by FileInstall) and the
 * plain password in {@code etc/webconsole.credentials} for the administrator, both readable by the owner only.
 *
 * <p>The hash uses the web console's own format, {@code {sha-256}<hex salt>-<iterations>-<base64 digest>}, where
 * the digest is SHA-256 applied {@code iterations} times to UTF-8 {@code salt + password}.
 *
 * <p>Not thread-safe; the launcher calls it once from its main thread.
 */
final class WebConsoleCredentials {

    static final String PID = "org.apache.felix.webconsole.internal.servlet.OsgiManager";
    static final String CONFIG_FILE = PID + ".cfg";
    static final String CREDENTIALS_FILE = "webconsole.credentials";
    static final String USERNAME = "admin";

    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final int PASSWORD_LENGTH = 24;
    private static final int SALT_BYTES = 16;
    private static final int ITERATIONS = 1000;

    /** The login the console will use: the user name and the password as configured (hashed or plain). */
    record Login(String username, String configuredPassword, boolean generated) { }

    private final Path etc;
    private final SecureRandom random;

    WebConsoleCredentials(Path etc, SecureRandom random) {
        this.etc = etc;
        this.random = random;
    }

    Path configFile() {
        return etc.resolve(CONFIG_FILE);
    }

    Path credentialsFile() {
        return etc.resolve(CREDENTIALS_FILE);
    }

    /**
     * Returns the configured login; when the console configuration has no password yet, generates one and writes
     * both files first.
     */
    Login ensure() throws IOException {
        Path config = configFile();
        if (Files.exists(config)) {
            Map<String, String> existing = PropertiesFiles.load(config, name -> null);
            String password = existing.get("password");
            if (password != null && !password.isBlank()) {
                return new Login(existing.getOrDefault("username", USERNAME), password.trim(), false);
            }
        }
        String password = generatePassword();
        String hashed = hash(password, randomSalt(), ITERATIONS);
        writeOwnerOnly(credentialsFile(), """
                # Felix web console login, generated at first start (the console stores only its hash, in
                # %s). To change it, edit that file's password (plain or hashed) or use the
                # console's configuration page; this file is not read back.
                url = /system/console
                username = %s
                password = %s
                """.formatted(CONFIG_FILE, USERNAME, password));
        writeOwnerOnly(config, """
                # Felix web console login (generated at first start; the plain password is in %s).
                username = %s
                password = %s
                """.formatted(CREDENTIALS_FILE, USERNAME, hashed));
        return new Login(USERNAME, hashed, true);
    }

    String generatePassword() {
        StringBuilder password = new StringBuilder(PASSWORD_LENGTH);
        for (int i = 0; i < PASSWORD_LENGTH; i++) {
            password.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return password.toString();
    }

    private String randomSalt() {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return HexFormat.of().formatHex(salt);
    }

    /** The web console's salted, iterated hash of {@code password}. */
    static String hash(String password, String salt, int iterations) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] bytes = (salt + password).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < iterations; i++) {
                digest.reset();
                bytes = digest.digest(bytes);
            }
            return "{sha-256}" + salt + "-" + iterations + "-" + Base64.getEncoder().encodeToString(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    /** Writes {@code text} to {@code target} through a temporary file created with mode 600, then renames it. */
    private static void writeOwnerOnly(Path target, String text) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(temp); // not a POSIX file system: rely on the directory's permissions
        } catch (FileAlreadyExistsException e) {
            throw new IOException("Another process is writing " + target, e);
        }
        try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            writer.write(text);
        }
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
