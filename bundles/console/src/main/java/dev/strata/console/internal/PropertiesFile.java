package dev.strata.console.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Rewrites a Java properties file with new values while keeping what a person wrote there: comments, blank lines,
 * the order of the keys and the exact text of every line whose value did not change. Keys that are no longer set
 * lose their line; new keys are added at the end. ISO-8859-1 with {@code \}{@code uXXXX} escapes, as FileInstall
 * reads {@code .cfg} files.
 *
 * <p>The file is replaced atomically (written beside it, then moved over it, with the old file's permissions), so
 * FileInstall, which may read it at any moment, never sees it half written.
 *
 * <p>Stateless; thread-safe. Two concurrent saves of one file end with one of them complete, never a mix.
 */
final class PropertiesFile {

    private PropertiesFile() {
    }

    /**
     * Writes {@code values} into {@code file}.
     *
     * @param values the properties the file must set, in the order new ones are appended
     * @param keepAsIs keys whose existing line stays as it is (values this format cannot hold, such as arrays)
     */
    static void save(Path file, Map<String, String> values, Set<String> keepAsIs, String newFileHeader)
            throws IOException {
        String original = Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : null;
        String text = original == null
                ? newFileHeader + merge("", values, keepAsIs) : merge(original, values, keepAsIs);
        if (text.equals(original)) {
            return; // nothing changed: leave the file (and its time stamp) alone
        }
        // A name of its own per save (concurrent saves never share one), ending in ".tmp" so FileInstall ignores it,
        // beside the target so it never leaves etc/.
        Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName() + ".", ".tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.ISO_8859_1);
            // An existing file keeps its permissions (the console login's file is owner-only, and must stay so); a
            // new one gets those of its directory without execute bits (etc/ rwxr-xr-x: rw-r--r--).
            setPermissions(temp, original != null
                    ? permissionsOf(file) : withoutExecute(permissionsOf(file.getParent())));
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Null where the file system has no POSIX permissions. */
    private static Set<PosixFilePermission> permissionsOf(Path path) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        return view == null ? null : view.readAttributes().permissions();
    }

    private static Set<PosixFilePermission> withoutExecute(Set<PosixFilePermission> permissions) {
        if (permissions == null) {
            return null;
        }
        Set<PosixFilePermission> result = EnumSet.noneOf(PosixFilePermission.class);
        result.addAll(permissions);
        result.removeAll(EnumSet.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                PosixFilePermission.OTHERS_EXECUTE));
        return result;
    }

    private static void setPermissions(Path file, Set<PosixFilePermission> permissions) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view != null && permissions != null) {
            try {
                view.setPermissions(permissions);
            } catch (FileSystemException e) {
                throw new IOException("cannot set the permissions of " + file, e);
            }
        }
    }

    /** The new text of a properties file: {@code original} with {@code values} applied (see the class comment). */
    static String merge(String original, Map<String, String> values, Set<String> keepAsIs) {
        Map<String, String> missing = new LinkedHashMap<>(values);
        Set<String> written = new HashSet<>();
        StringBuilder out = new StringBuilder(original.length() + 64);
        for (String line : logicalLines(original)) {
            Map.Entry<String, String> entry = parse(line);
            if (entry == null) {
                out.append(line).append('\n'); // comment or blank line
                continue;
            }
            String key = entry.getKey();
            if (!written.add(key)) {
                continue; // a repeated key: the first line now carries the value
            }
            if (keepAsIs.contains(key)) {
                out.append(line).append('\n');
            } else if (values.containsKey(key)) {
                String value = values.get(key);
                out.append(value.equals(entry.getValue()) ? line : format(key, value)).append('\n');
            }
            // else: no longer set, so the line goes
            missing.remove(key);
        }
        missing.forEach((key, value) -> out.append(format(key, value)).append('\n'));
        return out.toString();
    }

    static String format(String key, String value) {
        return escape(key, true) + " = " + escape(value, false);
    }

    /** Java properties escaping: what {@link Properties#load(java.io.Reader)} reads back unchanged. */
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

    /** Splits text into logical lines: a line ending in an odd number of backslashes continues (unless a comment). */
    static List<String> logicalLines(String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder current = null;
        for (String physical : text.split("\r\n|\r|\n", -1)) {
            if (current == null) {
                current = new StringBuilder(physical);
                if (isCommentOrBlank(physical)) {
                    lines.add(physical);
                    current = null;
                    continue;
                }
            } else {
                current.append('\n').append(physical);
            }
            if (!continues(physical)) {
                lines.add(current.toString());
                current = null;
            }
        }
        if (current != null) {
            lines.add(current.toString());
        }
        // split() leaves one empty string after a final line break: not a line of the file
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty() && (text.isEmpty() || text.endsWith("\n")
                || text.endsWith("\r"))) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    private static boolean isCommentOrBlank(String line) {
        String trimmed = line.stripLeading();
        return trimmed.isEmpty() || trimmed.charAt(0) == '#' || trimmed.charAt(0) == '!';
    }

    private static boolean continues(String physical) {
        int backslashes = 0;
        for (int i = physical.length() - 1; i >= 0 && physical.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    /** The key and value of one logical line, read as {@link Properties} reads it; null for a comment or blank. */
    private static Map.Entry<String, String> parse(String logicalLine) {
        if (isCommentOrBlank(logicalLine)) {
            return null;
        }
        Properties props = new Properties();
        try {
            props.load(new StringReader(logicalLine));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringReader does not fail
        } catch (IllegalArgumentException e) {
            return null; // a malformed \\u escape: keep the line as it is, as text
        }
        String key = props.stringPropertyNames().stream().findFirst().orElse(null);
        return key == null ? null : Map.entry(key, props.getProperty(key));
    }
}
