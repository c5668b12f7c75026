package dev.strata.logging.logback.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** strata:log-level over the real component and a real Logback context. */
class LogLevelCommandTest {
    private static final String NAME = "log-level";
    private LoggerContext context;
    private LogLevelCommand command;

    @BeforeEach
    void setUp() {
        context = new LoggerContext();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
        context.getLogger("dev.strata.broker.internal.LogManager");
        context.getLogger("org.eclipse.jetty.server.Server").setLevel(Level.WARN);
        command = new LogLevelCommand(new LogbackLoggerLevels(context));
    }

    @Test
    void showsAllOrOneLoggerAndItsChildren() {
        String all = command._main(NAME);
        assertTrue(all.lines().anyMatch(l -> l.matches("root +INFO")), all);
        assertTrue(all.lines().anyMatch(l -> l.matches("org\\.eclipse\\.jetty\\.server\\.Server +WARN")), all);
        String strata = command._main(NAME, "dev.strata.broker");
        assertTrue(strata.contains("dev.strata.broker.internal.LogManager"), strata);
        assertFalse(strata.contains("jetty"), strata);
        assertFalse(command._main(NAME, "dev.strata.b").contains("LogManager"), "a name, not a prefix");
        assertTrue(command._main(NAME, "nothing.here").startsWith("No logger nothing.here yet"));
    }

    @Test
    void setsInAnyCaseAndResets() {
        assertEquals("Set dev.strata.broker: effective level now DEBUG", command._main(NAME, "dev.strata.broker", "debug"));
        assertTrue(context.getLogger("dev.strata.broker.internal.LogManager").isDebugEnabled());
        assertEquals("Reset dev.strata.broker: effective level now INFO", command._main(NAME, "dev.strata.broker", "reset"));
        assertFalse(context.getLogger("dev.strata.broker.internal.LogManager").isDebugEnabled());
    }

    @Test
    void aBadLevelIsAnErrorLine() {
        String answer = command._main(NAME, "dev.strata.broker", "loud");
        assertTrue(answer.startsWith("Error: Cannot set the log level of dev.strata.broker to LOUD"), answer);
    }
}
