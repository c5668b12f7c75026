package dev.strata.console.internal;

import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.Dictionary;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How a configuration saved in the web console stays tied to its FileInstall file {@code <dir>/<pid>.cfg}.
 *
 * <p>FileInstall writes a changed configuration back to the file named by its {@value #FILENAME} property. The
 * console's form posts only the properties it shows, so a save would drop that property; {@link #isHidden} hides
 * it from the form, and the console then carries hidden properties over unchanged. A configuration no file holds
 * yet (a PID whose defaults come from metatype) gets its file here, at its first save.
 *
 * <p>Values are stored as strings, as FileInstall reads them from a plain properties file: FileInstall keeps
 * writing the file in plain {@code key = value} form (a typed value such as an Integer would turn the whole file
 * into its typed {@code key = I"3"} format), and after a restart the configuration has the same types as before.
 *
 * <p>Immutable and thread-safe; the file system is the only shared state.
 */
final class ConfigFiles {

    /** FileInstall's link from a configuration to its file (a file: URI). */
    static final String FILENAME = "felix.fileinstall.filename";

    /** ConfigAdmin bookkeeping that FileInstall never writes to a file either. */
    private static final Set<String> NOT_IN_FILE = Set.of(FILENAME, "service.pid", "service.factoryPid",
            "service.bundleLocation");

    /**
     * PIDs that name a file FileInstall reads back as the same singleton configuration: no path separators, and
     * no '-' (FileInstall reads {@code a-b.cfg} as factory {@code a}, name {@code b}).
     */
    private static final Pattern FILE_PID = Pattern.compile("[A-Za-z0-9_.]+");

    private final Path dir;
    private final Pattern filter;

    /**
     * @param dir FileInstall's configuration directory (framework property {@code felix.fileinstall.dir}); null
     *        when there is none, then no file is created
     * @param filter the file names FileInstall reads there ({@code felix.fileinstall.filter}); null for all
     */
    ConfigFiles(Path dir, Pattern filter) {
        this.dir = dir;
        this.filter = filter;
    }

    /** From the framework properties; a filter that is not a valid regex means no file is ever created. */
    static ConfigFiles fromFrameworkProperties(String dir, String filter) {
        if (dir == null || dir.isBlank()) {
            return new ConfigFiles(null, null);
        }
        try {
            return new ConfigFiles(Path.of(dir.trim()), filter == null ? null : Pattern.compile(filter));
        } catch (PatternSyntaxException e) {
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

    /**
     * Prepares the properties the console is about to store in a configuration so that FileInstall writes them to
     * the configuration's file: values become strings and, if no file holds the configuration yet, its file is
     * created (holding these values) and linked.
     *
     * @param linkedFile the configuration's current {@value #FILENAME}, null if none (the console puts a
     *        present one back itself after this call)
     * @param properties the properties to store; changed in place
     * @return the file created, or null if none was
     */
    Path prepareUpdate(String factoryPid, String pid, String linkedFile, Dictionary<String, Object> properties)
            throws IOException {
        Path file = linkedFile == null ? fileFor(factoryPid, pid) : null;
        if (linkedFile == null && file == null) {
            return null; // not a file's configuration: ConfigAdmin alone keeps it, as before
        }
        for (String key : Collections.list(properties.keys())) {
            Object value = properties.get(key);
            if (value instanceof Number || value instanceof Boolean || value instanceof Character) {
                properties.put(key, String.valueOf(value));
            }
        }
        if (file == null) {
            return null;
        }
        Path created = null;
        if (!Files.exists(file)) {
            write(file, properties);
            created = file;
        }
        // The form FileInstall itself uses (java.io.File's URI), so both name the file alike.
        properties.put(FILENAME, file.toFile().getAbsoluteFile().toURI().toString());
        return created;
    }

    /**
     * Writes the properties (strings only) in Java properties form, ISO-8859-1 as FileInstall reads it. The file
     * appears at once complete (written aside, then moved): FileInstall may read it at any moment. A value that is
     * not a string (an array) is left to FileInstall, which adds it in its typed form when it writes the file.
     */
    static void write(Path file, Dictionary<String, Object> properties) throws IOException {
        List<String> keys = Collections.list(properties.keys());
        Collections.sort(keys);
        // ".tmp": not a .cfg, so FileInstall ignores it; beside the target, so the move stays in etc/.
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.ISO_8859_1)) {
            out.write("# Created by the Strata web console at the first save of this configuration there. "
                    + "FileInstall applies\n# edits to this file live; changes saved in the console are written back "
                    + "here.\n");
            for (String key : keys) {
                Object value = properties.get(key);
                if (!NOT_IN_FILE.contains(key) && value instanceof String) {
                    out.write(escape(key, true) + " = " + escape((String) value, false) + "\n");
                }
            }
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Java properties escaping: what {@link java.util.Properties#load(java.io.Reader)} reads back unchanged. */
    static String escape(String text, boolean isKey) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\f' -> out.append("\\f");
                case '=', ':', '#', '!' -> out.append('\\').append(c);
                case ' ' -> out.append(isKey || i == 0 ? "\\ " : " ");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "ConfigFiles[" + (dir == null ? "no directory" : dir + File.separator + "<pid>.cfg") + "]";
    }
}
