package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One container, and an {@link Admin} client on it, shared by the tests of a class: started before the class's own
 * {@code @BeforeAll} methods, checked to be running before each test, and stopped after the class's {@code @AfterAll}
 * methods. Register it as a static field:
 *
 * <pre>{@code @RegisterExtension
 * static final SharedContainer strata = new SharedContainer("produce-consume");}</pre>
 *
 * <p>Not thread-safe: JUnit calls it from the thread that runs the class.
 */
final class SharedContainer implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    /** Work on the container's copy after it is created and before its first start (e.g. extra etc/ settings). */
    @FunctionalInterface
    interface BeforeStart {
        void accept(StrataContainer container) throws Exception;
    }

    private final String name;
    private final BeforeStart beforeStart;
    private StrataContainer container;
    private Admin admin;

    SharedContainer(String name) {
        this(name, container -> { });
    }

    SharedContainer(String name, BeforeStart beforeStart) {
        this.name = name;
        this.beforeStart = beforeStart;
    }

    /**
     * A shared container whose group coordinator does not delay a new group's first rebalance
     * ({@code group.initial.rebalance.delay.ms=0}), for tests whose clients join groups one run at a time.
     */
    static SharedContainer withQuickGroupJoins(String name) {
        return new SharedContainer(name, container -> StrataContainer.setProperties(
                container.home().resolve("etc/" + ConsumerGroupsIT.COORDINATOR_PID + ".cfg"),
                Map.of("group.initial.rebalance.delay.ms", "0")));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        container = StrataContainer.create(name);
        beforeStart.accept(container);
        container.start();
        admin = Clients.admin(container);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        assertTrue(container.isRunning(), "container died: " + container.logTail(40));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (admin != null) {
            admin.close(Duration.ofSeconds(10));
        }
        if (container != null) {
            container.stop();
        }
    }

    StrataContainer container() {
        return container;
    }

    Admin admin() {
        return admin;
    }
}
