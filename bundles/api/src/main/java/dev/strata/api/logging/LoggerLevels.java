package dev.strata.api.logging;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The logging backend's loggers and their levels, changed live. Levels are Kafka's names: TRACE, DEBUG, INFO, WARN,
 * ERROR, OFF. Registered by the bundle that wires the SLF4J backend; thread-safe.
 */
// One implementation per logging backend, tightly versioned with this API; callers only call it.
@ProviderType
public interface LoggerLevels {
    /** The root logger's name, as Kafka reports it. */
    String ROOT = "root";

    /** Every logger the backend has created, with its effective level, sorted by name ({@link #ROOT} included). */
    Map<String, String> levels();

    /**
     * Sets a logger's level ({@code null} resets it to inherit its parent's; the root goes back to its configured
     * level).
     *
     * @throws IllegalArgumentException for a level that is not one of the names above
     */
    void setLevel(String logger, String level);
}
