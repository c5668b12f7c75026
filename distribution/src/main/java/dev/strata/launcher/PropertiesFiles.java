package dev.strata.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Reads the launcher's properties files ({@code etc/config.properties}, {@code etc/features.cfg},
 * {@code etc/system.properties}) and expands {@code ${name}} references in their values: first from the
 * given lookup (system properties), then from the other keys of the same file.
 *
 * <p>Stateless, so thread-safe.
 */
final class PropertiesFiles {

    private static final int MAX_DEPTH = 32;

    private PropertiesFiles() {
    }

    /** Loads {@code file} (ISO-8859-1 escapes as {@link Properties} reads them; UTF-8 text) and expands references. */
    static Map<String, String> load(Path file, UnaryOperator<String> lookup) throws IOException {
        Properties raw = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            raw.load(reader);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : raw.stringPropertyNames()) {
            values.put(key, raw.getProperty(key));
        }
        Map<String, String> expanded = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : values.entrySet()) {
            try {
                expanded.put(entry.getKey(), expand(entry.getValue(), values, lookup, new HashSet<>(Set.of(entry.getKey())), 0));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": property " + entry.getKey() + ": " + e.getMessage(), e);
            }
        }
        return expanded;
    }

    /** Expands every {@code ${name}} in {@code value}; an unknown name is an error, {@code $} alone is kept. */
    static String expand(String value, Map<String, String> local, UnaryOperator<String> lookup) {
        return expand(value, local, lookup, new HashSet<>(), 0);
    }

    private static String expand(String value, Map<String, String> local, UnaryOperator<String> lookup,
                                 Set<String> resolving, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("references nested deeper than " + MAX_DEPTH);
        }
        StringBuilder out = new StringBuilder(value.length());
        int i = 0;
        while (i < value.length()) {
            int start = value.indexOf("${", i);
            if (start < 0) {
                out.append(value, i, value.length());
                break;
            }
            int end = value.indexOf('}', start + 2);
            if (end < 0) {
                throw new IllegalArgumentException("unclosed ${ in '" + value + "'");
            }
            out.append(value, i, start);
            String name = value.substring(start + 2, end);
            String replacement = lookup.apply(name);
            if (replacement == null) {
                String localValue = local.get(name);
                if (localValue == null) {
                    throw new IllegalArgumentException("undefined reference ${" + name + "}");
                }
                if (!resolving.add(name)) {
                    throw new IllegalArgumentException("circular reference ${" + name + "}");
                }
                replacement = expand(localValue, local, lookup, resolving, depth + 1);
                resolving.remove(name);
            }
            out.append(replacement);
            i = end + 1;
        }
        return out.toString();
    }
}
