package dev.strata.broker.internal;

import static dev.strata.broker.internal.TestBatches.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.TopicPartition;
import dev.strata.metadata.local.internal.LocalMetadataStore;
import dev.strata.replication.local.internal.LocalReplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerComponentTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");

    @TempDir
    Path dir;

    @Test
    void lifecycleOpensReconfiguresAndClosesEveryLog() throws Exception {
        InMemoryIndexLogStore store = new InMemoryIndexLogStore();
        Map<String, Object> props = new HashMap<>();
        props.put("log.dirs", dir.resolve("a").toString());
        props.put("broker.id", "3"); // FileInstall delivers strings
        // The metadata store reads the same configuration (PID dev.strata.broker), which DS publishes with it.
        BrokerComponent broker = new BrokerComponent(store, new LocalMetadataStore(props), props,
                new LocalReplication());
        broker.openCore(props);

        assertEquals(3, broker.metadata().localBrokerId());
        assertEquals(ErrorCode.NONE, broker.createTopic("t", 2, (short) -1, Map.of(), false, CTX).error());
        assertTrue(broker.metadata().topic("t").isPresent());
        TopicPartition tp = new TopicPartition("t", 0);
        assertEquals(0, broker.produce(tp, batch(1, "a"), (short) 1, 1000, CTX).join().baseOffset());
        assertFalse(broker.autoCreateTopicsEnabled());

        // a live change: no restart, the same logs stay open
        props.put("auto.create.topics.enable", "true");
        broker.modified(props);
        assertTrue(broker.autoCreateTopicsEnabled());
        assertFalse(store.opened.get(dir.resolve("a").resolve("t-0")).closed);

        // an invalid change is refused and the broker keeps its previous settings
        Map<String, Object> bad = new HashMap<>(props);
        bad.put("log.segment.bytes", "lots");
        bad.put("auto.create.topics.enable", "false");
        assertThrows(IllegalArgumentException.class, () -> broker.modified(bad));
        assertTrue(broker.autoCreateTopicsEnabled());
        props.put("log.flush.interval.ms", " "); // blank means default
        broker.modified(props);

        // a fetch parked at deactivation is answered, and every log is closed
        CompletableFuture<List<FetchResult>> waiting = broker.fetch(new FetchParams(-1, 60_000, 1, 1 << 20,
                IsolationLevel.READ_UNCOMMITTED, List.of(new FetchPartition(tp, 1, 1 << 20))), CTX);
        assertFalse(waiting.isDone());
        String clusterId = broker.metadata().clusterId();
        broker.deactivate();
        assertEquals(ErrorCode.NONE, waiting.get(10, TimeUnit.SECONDS).get(0).error());
        store.opened.values().forEach(log -> assertTrue(log.closed, "log left open"));
        assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER,
                broker.produce(tp, batch(1, "late"), (short) 1, 1000, CTX).join().error());

        // a new data directory: the broker waits until the metadata store of that directory is bound
        broker.openCore(props);
        assertEquals(clusterId, broker.metadata().clusterId());
        props.put("log.dirs", dir.resolve("b").toString());
        broker.modified(props);
        assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER,
                broker.produce(tp, batch(1, "waiting"), (short) 1, 1000, CTX).join().error());
        assertFalse(Files.exists(dir.resolve("b").resolve("t-0")), "no log of the old store's topics opened");
        // DS: the store, configured anew, is replaced; the broker is deactivated, rebound and activated
        broker.deactivate();
        LocalMetadataStore storeB = new LocalMetadataStore(props);
        BrokerComponent onB = new BrokerComponent(store, storeB, props, new LocalReplication());
        onB.openCore(props);
        assertNotEquals(clusterId, onB.metadata().clusterId());
        assertTrue(onB.metadata().topics().isEmpty());
        assertTrue(Files.exists(dir.resolve("b").resolve("meta.properties")));
        assertEquals(ErrorCode.NONE, onB.createTopic("u", 1, (short) -1, Map.of(), false, CTX).error());

        // a store of another broker.id is not run on either
        props.put("broker.id", "4");
        onB.modified(props);
        assertEquals(ErrorCode.NOT_CONTROLLER, onB.createTopic("v", 1, (short) -1, Map.of(), false, CTX).error());
        onB.deactivate();
    }
}
