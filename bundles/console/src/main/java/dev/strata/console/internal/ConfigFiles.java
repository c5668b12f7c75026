package dev.strata.console.internal;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Where a configuration saved in the web console is kept: the FileInstall file {@code <dir>/<pid>.cfg} it came
 * from (its {@value #FILENAME} property), or, for a PID no file holds yet (its defaults come from metatype), a new
 * file of that name. The file is written here, not by FileInstall's own write-back
 * ({@code felix.fileinstall.enableConfigSave}): that one truncates and rewrites the file in place, which its own
 * directory scan can read half written (seen at container start: a configuration emptied), and it turns the file
 * into FileInstall's typed format ({@code key = I"3"}) as soon as one value is not a string.
 *
 * <p>The console's form posts only the properties it shows; {@link #isHidden} keeps {@value #FILENAME} out of the
 * form, and the console then carries it over unchanged. Values are stored as strings, as FileInstall reads them from
 * a plain properties file, so the configuration has the same types before and after a restart and FileInstall,
 * reading the file back, finds nothing changed.
 *
 * <p>Files are only ever written or deleted inside the FileInstall directory. Immutable and thread-safe; the file
 * system is the only shared state.
 */
final class ConfigFiles {

    /** FileInstall's link from a configuration to its file (a file: URI). */
    static final String FILENAME = "felix.fileinstall.filename";

    /** ConfigAdmin bookkeeping that never goes to a file. */
    private static final Set<String> NOT_IN_FILE = Set.of(FILENAME, "service.pid", "service.factoryPid",
            "service.bundleLocation");

    private static final String NEW_FILE_HEADER = "# Created by the Strata web console at the first save of this "
            + "configuration there. FileInstall applies\n# edits to this file live; changes saved in the console are "
            + "written back here.\n";

    /**
     * PIDs that name a file FileInstall reads back as the same singleton configuration: no path separators, and
     * no '-' (FileInstall reads {@code a-b.cfg} as factory {@code a}, name {@code b}).
     */
    private static final Pattern FILE_PID = Pattern.compile("[A-Za-z0-9_.]+");

    private final Path dir;
    private final Pattern filter;

    /**
     * @param dir FileInstall's configuration directory (framework property {@code felix.fileinstall.dir}); null
     *        when there is none, then nothing is written
     * @param filter the file names FileInstall reads there ({@code felix.fileinstall.filter}); null for all
     */
    ConfigFiles(Path dir, Pattern filter) {
        this.dir = dir == null ? null : dir.toAbsolutePath().normalize();
        this.filter = filter;
    }

    /** From the framework properties; a filter that is not a valid regex means nothing is ever written. */
    static ConfigFiles fromFrameworkProperties(String dir, String filter) {
        if (dir == null || dir.isBlank()) {
            return new ConfigFiles(null, null);
        }
        try {
            return new ConfigFiles(Path.of(dir.trim()), filter == null ? null : Pattern.compile(filter));
        } catch (PatternSyntaxException | InvalidPathException e) {
            return new ConfigFiles(null, null);
        }
    }

    /** Whether the console should leave this property out of its form (and so keep its value on save). */
    static boolean isHidden(String property) {
        return FILENAME.equals(property);
    }

    /** The file FileInstall would read for this configuration, or null if it has none or cannot have one. */
    Path fileFor(String factoryPid, String pid) {
        // A factory configuration made in the console has a generated PID that no file name maps back to.
        if (dir == null || factoryPid != null || pid == null || !FILE_PID.matcher(pid).matches()) {
            return null;
        }
        String name = pid + ".cfg";
        if (filter != null && !filter.matcher(name).matches()) {
            return null;
        }
        return dir.resolve(name);
    }

    /** The file a {@value #FILENAME} names, if it lies in the FileInstall directory; else null. */
    Path linkedFile(String fileName) {
        if (dir == null || fileName == null) {
            return null;
        }
        try {
            Path file = Path.of(URI.create(fileName)).toAbsolutePath().normalize();
            return dir.equals(file.getParent()) ? file : null;
        } catch (IllegalArgumentException | FileSystemNotFoundException e) {
            return null; // not a file: URI
        }
    }

    /**
     * Saves the properties the console is about to store in a configuration to its file, and prepares them: values
     * become strings and a configuration no file held so far gets its {@value #FILENAME}.
     *
     * @param linkedFile the configuration's current {@value #FILENAME}, null if none (the console puts a
     *        present one back itself after this call)
     * @param properties the properties to store; changed in place
     * @return the file written, or null if the configuration has no file here (ConfigAdmin alone keeps it)
     */
    Path save(String factoryPid, String pid, String linkedFile, Dictionary<String, Object> properties)
            throws IOException {
        Path file = linkedFile != null ? linkedFile(linkedFile) : fileFor(factoryPid, pid);
        if (file == null) {
            return null;
        }
        Map<String, String> values = new TreeMap<>();
        Set<String> keepAsIs = new HashSet<>();
        for (String key : Collections.list(properties.keys())) {
            Object value = properties.get(key);
            if (value instanceof Number || value instanceof Boolean || value instanceof Character) {
                value = String.valueOf(value);
                properties.put(key, value);
            }
            if (NOT_IN_FILE.contains(key)) {
                continue;
            }
            if (value instanceof String text) {
                values.put(key, text);
            } else {
                keepAsIs.add(key); // an array: plain properties cannot hold it; what the file says stays
            }
        }
        PropertiesFile.save(file, values, keepAsIs, NEW_FILE_HEADER);
        if (linkedFile == null) {
            // The form FileInstall itself uses (java.io.File's URI), so both name the file alike.
            properties.put(FILENAME, file.toFile().toURI().toString());
        }
        return file;
    }

    /** Deletes the file of a configuration deleted in the console; returns it, or null if there was none here. */
    Path delete(String linkedFile) throws IOException {
        Path file = linkedFile(linkedFile);
        return file != null && Files.deleteIfExists(file) ? file : null;
    }

    @Override
    public String toString() {
        return "ConfigFiles[" + (dir == null ? "no directory" : dir + File.separator + "<pid>.cfg") + "]";
    }
}
