package dev.strata.files;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Durable replacement of small metadata files: write a temp file, fsync it, rename it over the target atomically,
 * fsync the directory. A crash leaves either the old or the new file, never a torn one. Stateless: thread-safe, but
 * callers serialise writes to the same file.
 *
 * <p>Not an API: the bundles that use it (broker, metadata-local) each embed a private copy of this package at
 * build time (bnd {@code -conditionalpackage}), so it is written once and exported by no one.
 */
public final class AtomicFiles {
    /** Metadata files are small; anything larger is not ours. */
    private static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

    private AtomicFiles() {
    }

    /** Replaces {@code target} with the properties, sorted by key, in ISO-8859-1 escaped form. */
    public static void writeProperties(Path target, Map<String, String> values, String comment) throws IOException {
        Properties props = new Properties();
        props.putAll(values);
        StringWriter text = new StringWriter();
        props.store(text, comment);
        // Properties.store writes in hash order; sort the lines (after the comment and date) for readable diffs.
        String[] lines = text.toString().split("\n");
        StringBuilder out = new StringBuilder();
        TreeMap<String, String> sorted = new TreeMap<>();
        for (String line : lines) {
            if (line.startsWith("#")) {
                out.append(line).append('\n');
            } else if (!line.isBlank()) {
                sorted.put(line, line);
            }
        }
        sorted.keySet().forEach(l -> out.append(l).append('\n'));
        write(target, out.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    public static void write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        fsyncDirectory(dir);
    }

    /** Makes a rename or a deletion in {@code dir} durable; a no-op where directories cannot be opened. */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some platforms (Windows) cannot open a directory; the rename is as durable as they allow.
        }
    }

    /** The properties in {@code file}, or empty when it does not exist. A leftover temp file is ignored. */
    public static Optional<Map<String, String>> readProperties(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file + " is larger than " + MAX_FILE_BYTES + " bytes; not a Strata metadata file");
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            props.load(r);
        }
        Map<String, String> out = new TreeMap<>();
        for (String k : props.stringPropertyNames()) {
            out.put(k, props.getProperty(k));
        }
        return Optional.of(out);
    }
}
