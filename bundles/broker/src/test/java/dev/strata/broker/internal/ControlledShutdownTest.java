package dev.strata.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.metadata.local.internal.LocalMetadataStore;
import dev.strata.replication.local.internal.LocalReplication;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker stopping with the framework asks the controller to move its leaderships first, while its logs serve. */
class ControlledShutdownTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");

    @TempDir
    Path dir;

    private BrokerComponent broker(InMemoryIndexLogStore store, ClusterStandIn cluster, Map<String, Object> props)
            throws Exception {
        BrokerComponent broker = new BrokerComponent(store, cluster, props, new LocalReplication());
        broker.openCore(props);
        assertEquals(ErrorCode.NONE, broker.createTopic("t", 2, (short) -1, Map.of(), false, CTX).error());
        return broker;
    }

    @Test
    void frameworkStopHandsLeadershipsOverBeforeTheLogsClose() throws Exception {
        InMemoryIndexLogStore store = new InMemoryIndexLogStore();
        Map<String, Object> props = new HashMap<>(Map.of("log.dirs", dir.toString()));
        ClusterStandIn cluster = new ClusterStandIn(new LocalMetadataStore(props));
        AtomicBoolean logsOpenMeanwhile = new AtomicBoolean();
        cluster.duringControlledShutdown = () -> logsOpenMeanwhile.set(!store.opened.isEmpty()
                && store.opened.values().stream().noneMatch(l -> l.closed));
        BrokerComponent broker = broker(store, cluster, props);
        broker.frameworkStopping(() -> true);
        broker.deactivate();
        assertEquals(1, cluster.controlledShutdowns.get());
        assertTrue(logsOpenMeanwhile.get(), "the logs serve while leaderships move");
        store.opened.values().forEach(l -> assertTrue(l.closed));
    }

    @Test
    void noControlledShutdownWhenDisabledOrOnlyTheBrokerStops() throws Exception {
        Map<String, Object> props = new HashMap<>(Map.of("log.dirs", dir.resolve("a").toString(),
                "controlled.shutdown.enable", "false"));
        ClusterStandIn disabled = new ClusterStandIn(new LocalMetadataStore(props));
        BrokerComponent b1 = broker(new InMemoryIndexLogStore(), disabled, props);
        b1.frameworkStopping(() -> true);
        b1.deactivate();
        assertEquals(0, disabled.controlledShutdowns.get());

        Map<String, Object> props2 = new HashMap<>(Map.of("log.dirs", dir.resolve("b").toString()));
        ClusterStandIn bundleStop = new ClusterStandIn(new LocalMetadataStore(props2));
        BrokerComponent b2 = broker(new InMemoryIndexLogStore(), bundleStop, props2);
        b2.deactivate(); // a bundle update or a reconfiguration, not the process stopping
        assertEquals(0, bundleStop.controlledShutdowns.get());
    }
}
