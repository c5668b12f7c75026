package dev.strata.logging.logback.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.strata.api.logging.LoggerLevels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The component over a real Logback context configured as etc/logback.xml does: root INFO, Jetty WARN. */
class LogbackLoggerLevelsTest {
    private LoggerContext context;
    private ListAppender<ILoggingEvent> appender;
    private LogbackLoggerLevels levels;

    @BeforeEach
    void setUp() {
        context = new LoggerContext();
        appender = new ListAppender<>();
        appender.setContext(context);
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(appender);
        context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
        levels = new LogbackLoggerLevels(context);
    }

    @Test
    void listsEveryLoggerWithItsEffectiveLevelAndRootAsKafkaNamesIt() {
        context.getLogger("dev.strata.broker.internal.LogManager");
        Map<String, String> all = levels.levels();
        assertEquals("INFO", all.get(LoggerLevels.ROOT));
        assertFalse(all.containsKey("ROOT"), all.toString());
        assertEquals("WARN", all.get("org.eclipse.jetty"));
        assertEquals("INFO", all.get("dev.strata.broker.internal.LogManager"));
        assertEquals("INFO", all.get("dev.strata"), "Logback's parent loggers are listed too");
        assertEquals(List.copyOf(new java.util.TreeSet<>(all.keySet())), List.copyOf(all.keySet()), "sorted by name");
    }

    @Test
    void debugLinesAppearAfterSetAndStopAfterReset() {
        org.slf4j.Logger log = context.getLogger("dev.strata.broker.internal.LogManager");
        log.debug("before");
        levels.setLevel("dev.strata.broker", "DEBUG");
        log.debug("during");
        assertEquals("DEBUG", levels.levels().get("dev.strata.broker.internal.LogManager"));
        levels.setLevel("dev.strata.broker", null);
        log.debug("after");
        log.info("info after");
        assertEquals(List.of("during", "info after"), messages());
        assertEquals("INFO", levels.levels().get("dev.strata.broker"));
        assertNull(context.getLogger("dev.strata.broker").getLevel(), "inherits again");
    }

    @Test
    void aLoggerNotCreatedYetCanBeSetBeforeItLogs() {
        assertFalse(levels.levels().containsKey("dev.strata.later"));
        levels.setLevel("dev.strata.later", "TRACE");
        context.getLogger("dev.strata.later.Component").trace("traced");
        assertEquals(List.of("traced"), messages());
    }

    @Test
    void resetOfAnUnknownLoggerCreatesNothing() {
        levels.setLevel("no.such.logger", null);
        assertNull(context.exists("no.such.logger"));
    }

    @Test
    void fatalIsErrorAndOffSilences() {
        levels.setLevel("org.eclipse.jetty", "FATAL");
        assertEquals("ERROR", levels.levels().get("org.eclipse.jetty"));
        levels.setLevel("org.eclipse.jetty", "OFF");
        context.getLogger("org.eclipse.jetty.server.Server").error("silenced");
        assertEquals(List.of(), messages());
        assertEquals("OFF", levels.levels().get("org.eclipse.jetty.server.Server"));
    }

    @Test
    void otherLevelNamesAreRefusedAndChangeNothing() {
        for (String bad : List.of("VERBOSE", "ALL", "debug", "", " INFO")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> levels.setLevel("org.eclipse.jetty", bad), bad);
            assertTrue(e.getMessage().contains("Cannot set the log level of org.eclipse.jetty to " + bad
                    + " as it is not a supported log level"), e.getMessage());
        }
        assertEquals("WARN", levels.levels().get("org.eclipse.jetty"));
        assertThrows(IllegalArgumentException.class, () -> levels.setLevel(null, "INFO"));
        assertThrows(IllegalArgumentException.class, () -> levels.setLevel(" ", "INFO"));
    }

    @Test
    void rootGoesBackToItsConfiguredLevelEvenForALaterComponent() {
        context.getLogger("dev.strata.Component");
        levels.setLevel(LoggerLevels.ROOT, "ERROR");
        assertEquals("ERROR", levels.levels().get(LoggerLevels.ROOT));
        assertEquals("ERROR", levels.levels().get("dev.strata"), "children inherit the root");
        // The bundle restarted (updated) while the root is changed: the configured level is still known.
        LogbackLoggerLevels again = new LogbackLoggerLevels(context);
        again.setLevel(LoggerLevels.ROOT, null);
        assertEquals("INFO", again.levels().get(LoggerLevels.ROOT));
        assertEquals(Level.INFO, context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel());
    }

    private List<String> messages() {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
