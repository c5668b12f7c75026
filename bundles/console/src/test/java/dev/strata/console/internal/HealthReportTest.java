package dev.strata.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HealthReportTest {

    @Test
    void allRunningWithAListenerIsOk() {
        HealthReport report = new HealthReport(
                List.of(new HealthReport.ComponentLine("b.Broker", "ACTIVE", null)),
                List.of(new HealthReport.ListenerLine("PLAINTEXT", "127.0.0.1", 9092, 3, 10_000, 0, 1024,
                        Long.MAX_VALUE)));
        assertTrue(report.problems().isEmpty());
        assertTrue(report.toText().startsWith("Strata health: OK\n"), report.toText());
        assertTrue(report.toText().contains("PLAINTEXT://127.0.0.1:9092, connections 3 of 10000 (0 refused), "
                + "request memory 1024 of unlimited bytes\n"), report.toText());
    }

    @Test
    void aFailedComponentAndNoListenerAreTwoProblems() {
        HealthReport report = new HealthReport(
                List.of(new HealthReport.ComponentLine("b.Broker", "ACTIVE", null),
                        new HealthReport.ComponentLine("p.Kafka", "FAILED", "failed to activate: port taken")),
                List.of());
        assertEquals(List.of("p.Kafka: failed to activate: port taken",
                "no Kafka listener is bound: clients cannot connect"), report.problems());
        assertTrue(report.toText().startsWith("Strata health: PROBLEMS (2)\n"), report.toText());
    }

    @Test
    void theFirstExceptionThatIsNotAWrapperIsShown() {
        assertEquals("java.net.BindException: Address already in use", StrataHealth.firstLine(
                "java.lang.reflect.InvocationTargetException\n\tat x\nCaused by: java.net.BindException: Address "
                        + "already in use\n\tat y"));
        assertEquals("java.lang.IllegalStateException: Kafka listener cannot bind 127.0.0.1:9092: Address already "
                + "in use", StrataHealth.firstLine("java.lang.IllegalStateException: Kafka listener cannot bind "
                + "127.0.0.1:9092: Address already in use\n\tat x\nCaused by: java.net.BindException: Address "
                + "already in use\n\tat y"));
        assertEquals("no reason given", StrataHealth.firstLine(null));
    }
}
