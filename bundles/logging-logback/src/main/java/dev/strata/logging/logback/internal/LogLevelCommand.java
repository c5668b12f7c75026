package dev.strata.logging.logback.internal;

import dev.strata.api.logging.LoggerLevels;
import java.util.Locale;
import java.util.Map;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell command {@code strata:log-level [<logger> [<level>|reset]]}: without arguments every logger with its
 * effective level; with a logger, that logger's level (and its children's); with a level, sets it (Kafka's names,
 * any case); {@code reset} makes the logger inherit again (the root goes back to its configured level). The same
 * change as Kafka's BROKER_LOGGER alter. Text out; problems are a line starting with {@code Error:}. Thread-safe.
 */
@Component(service = LogLevelCommand.class, property = {
    "osgi.command.scope=strata",
    "osgi.command.function=log-level"})
public final class LogLevelCommand {
    static final String RESET = "reset";
    private final LoggerLevels levels;

    @Activate
    public LogLevelCommand(@Reference(name = "levels") LoggerLevels levels) {
        this.levels = levels;
    }

    // Gogo finds a method by the function's name; "log-level" is no Java name, so Gogo calls _main with the
    // command name first.

    @Descriptor("Prints every logger with its effective level")
    public String _main(@Descriptor("command") String command) {
        return show(null);
    }

    @Descriptor("Prints a logger's effective level and its children's")
    public String _main(@Descriptor("command") String command, @Descriptor("logger name, or root") String logger) {
        return show(logger);
    }

    @Descriptor("Sets a logger's level (TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF) or resets it to inherit")
    public String _main(@Descriptor("command") String command, @Descriptor("logger name, or root") String logger,
                        @Descriptor("level, or reset") String level) {
        try {
            boolean reset = RESET.equalsIgnoreCase(level);
            levels.setLevel(logger, reset ? null : level.toUpperCase(Locale.ROOT));
            String now = levels.levels().get(logger);
            return (reset ? "Reset " : "Set ") + logger + (now == null ? "" : ": effective level now " + now);
        } catch (IllegalArgumentException e) {
            return "Error: " + e.getMessage();
        }
    }

    private String show(String logger) {
        Map<String, String> all = levels.levels();
        StringBuilder out = new StringBuilder(String.format("%-60s %s%n", "LOGGER", "LEVEL"));
        int shown = 0;
        for (Map.Entry<String, String> e : all.entrySet()) {
            String name = e.getKey();
            if (logger == null || name.equals(logger) || name.startsWith(logger + ".")) {
                out.append(String.format("%-60s %s%n", name, e.getValue()));
                shown++;
            }
        }
        if (shown == 0) {
            return "No logger " + logger + " yet; its level is the nearest ancestor's. Set one with strata:log-level "
                    + logger + " <level>";
        }
        return out.toString();
    }
}
