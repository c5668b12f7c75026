package dev.strata.protocol.kafka.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Captures what slf4j-simple writes (it prints to the current {@code System.err} at each call) while still passing it
 * through, so a test can count or match log lines. Thread-safe; close to restore {@code System.err}.
 */
final class LogCapture implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    LogCapture() {
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (captured) {
                    captured.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (captured) {
                    captured.write(b, off, len);
                }
                original.write(b, off, len);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    /** Every line captured so far. */
    List<String> lines() {
        String text;
        synchronized (captured) {
            text = captured.toString(StandardCharsets.UTF_8);
        }
        return Arrays.stream(text.split("\\R")).filter(l -> !l.isEmpty()).toList();
    }

    /** The captured lines that contain {@code fragment}. */
    List<String> linesContaining(String fragment) {
        return lines().stream().filter(l -> l.contains(fragment)).toList();
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
