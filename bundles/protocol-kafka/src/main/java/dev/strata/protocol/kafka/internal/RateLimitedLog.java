package dev.strata.protocol.kafka.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs repeated events of one kind (a malformed request, a refused connection...) at most once per interval: the
 * first event of a kind is logged at once, later ones within the interval are only counted, and the next line logged
 * for that kind says how many were left out ("(and 1999 more like it since the last such line)"). Bad input from
 * clients is logged without stack traces, so an attacker cannot fill the disk with log lines.
 *
 * <p>A count still pending when the events stop is not logged on its own; it appears with the next event of the kind.
 *
 * <p>Thread-safe: shared by all connections of a server.
 */
final class RateLimitedLog {
    /** Where a line goes; {@code warn} false means INFO. Injectable so tests can count lines. */
    @FunctionalInterface
    interface Sink {
        /** @param error logged with its stack trace; null for none */
        void emit(Logger logger, boolean warn, String line, Throwable error);
    }

    private static final Sink SLF4J = (logger, warn, line, error) -> {
        if (warn) {
            logger.warn(line, error);
        } else {
            logger.info(line, error);
        }
    };

    static final long DEFAULT_INTERVAL_MS = 10_000;

    private final Sink sink;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Kind> kinds = new HashMap<>();

    /** At most one line per kind every {@code intervalMs}, to the logger each call names. */
    RateLimitedLog(long intervalMs) {
        this(SLF4J, intervalMs, System::nanoTime);
    }

    RateLimitedLog(Sink sink, long intervalMs, LongSupplier nanoClock) {
        this.sink = sink;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.nanoClock = nanoClock;
    }

    void warn(Logger logger, String kind, String message) {
        log(logger, true, kind, message, null);
    }

    /** For server-side failures, whose stack trace matters: still at most one per kind and interval. */
    void warn(Logger logger, String kind, String message, Throwable error) {
        log(logger, true, kind, message, error);
    }

    void info(Logger logger, String kind, String message) {
        log(logger, false, kind, message, null);
    }

    private void log(Logger logger, boolean warn, String kind, String message, Throwable error) {
        long suppressed;
        long now = nanoClock.getAsLong();
        synchronized (kinds) {
            Kind k = kinds.computeIfAbsent(kind, x -> new Kind());
            if (k.logged && now - k.lastLogged < intervalNanos) {
                k.suppressed++;
                return;
            }
            suppressed = k.suppressed;
            k.logged = true;
            k.lastLogged = now;
            k.suppressed = 0;
        }
        sink.emit(logger, warn, suppressed == 0 ? message
                : message + " (and " + suppressed + " more like it since the last such line)", error);
    }

    private static final class Kind {
        boolean logged;
        long lastLogged;
        long suppressed;
    }
}
