package dev.strata.logging.logback.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.strata.api.logging.LoggerLevels;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.osgi.service.component.annotations.Component;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * {@link LoggerLevels} over Logback's {@link LoggerContext}, the container's SLF4J provider: the loggers Logback has
 * created (parents of a dotted name included, as Logback creates them) with their effective levels, and levels set
 * or reset live. Logback's root logger ({@code ROOT}) is reported and addressed as Kafka's {@code root}.
 *
 * <p>Levels are Kafka's names (upper case, as Kafka validates BROKER_LOGGER values); {@code FATAL} becomes
 * {@code ERROR}, as under Kafka's Log4j-to-SLF4J bridge, since Logback has no FATAL. A level set for a logger that
 * does not exist yet creates it, so a class that has not logged yet can be turned up before it does.
 *
 * <p>Thread-safe: Logback's loggers are.
 */
@Component(service = LoggerLevels.class)
public final class LogbackLoggerLevels implements LoggerLevels {
    /**
     * The root level logback.xml set, kept in the context (not this object) so that a component started again later,
     * after the root was changed live, still resets it to the configured level.
     */
    static final String CONFIGURED_ROOT_LEVEL = "dev.strata.logging.configuredRootLevel";
    private static final Map<String, Level> LEVELS = Map.of(
            "TRACE", Level.TRACE, "DEBUG", Level.DEBUG, "INFO", Level.INFO, "WARN", Level.WARN,
            "ERROR", Level.ERROR, "FATAL", Level.ERROR, "OFF", Level.OFF);

    private final LoggerContext context;
    private final Level configuredRootLevel;

    /** The container's Logback, as SLF4J found it. */
    public LogbackLoggerLevels() {
        this(loggerContext(LoggerFactory.getILoggerFactory()));
    }

    LogbackLoggerLevels(LoggerContext context) {
        this.context = Objects.requireNonNull(context, "context");
        synchronized (context) {
            Object kept = context.getObject(CONFIGURED_ROOT_LEVEL);
            if (!(kept instanceof Level)) {
                kept = root().getLevel();
                context.putObject(CONFIGURED_ROOT_LEVEL, kept);
            }
            this.configuredRootLevel = (Level) kept;
        }
    }

    private static LoggerContext loggerContext(ILoggerFactory factory) {
        if (factory instanceof LoggerContext context) {
            return context;
        }
        // SLF4J bound another provider (or none: SPI Fly missing): there are no Logback levels to change.
        throw new IllegalStateException("SLF4J's logger factory is " + factory.getClass().getName()
                + ", not Logback's LoggerContext: is logback-classic installed and found through SPI Fly?");
    }

    @Override
    public Map<String, String> levels() {
        SortedMap<String, String> levels = new TreeMap<>();
        for (Logger logger : context.getLoggerList()) {
            levels.put(kafkaName(logger), logger.getEffectiveLevel().toString());
        }
        return levels;
    }

    @Override
    public void setLevel(String logger, String level) {
        if (logger == null || logger.isBlank()) {
            throw new IllegalArgumentException("A logger name is required");
        }
        if (level == null) {
            reset(logger);
            return;
        }
        Level target = LEVELS.get(level);
        if (target == null) {
            throw new IllegalArgumentException("Cannot set the log level of " + logger + " to " + level
                    + " as it is not a supported log level. Valid log levels are "
                    + "TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF");
        }
        (isRoot(logger) ? root() : context.getLogger(logger)).setLevel(target);
    }

    private void reset(String logger) {
        if (isRoot(logger)) {
            root().setLevel(configuredRootLevel == null ? Level.DEBUG : configuredRootLevel);
            return;
        }
        Logger existing = context.exists(logger);
        if (existing != null) {
            existing.setLevel(null); // inherits its nearest ancestor's level again
        }
    }

    private Logger root() {
        return context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private static boolean isRoot(String logger) {
        return ROOT.equalsIgnoreCase(logger);
    }

    private static String kafkaName(Logger logger) {
        return org.slf4j.Logger.ROOT_LOGGER_NAME.equals(logger.getName()) ? ROOT : logger.getName();
    }
}
