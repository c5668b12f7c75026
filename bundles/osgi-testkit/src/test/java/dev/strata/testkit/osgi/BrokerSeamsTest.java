package dev.strata.testkit.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.ProduceResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.replication.Replication;
import dev.strata.record.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * The broker's seams as services in a real framework: the broker runs on the MetadataStore and Replication services
 * of their own bundles, goes away with either, comes back with it, and follows a change of log.dirs and broker.id
 * that the metadata store (same PID) takes too.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BrokerSeamsTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");
    private static final String PID = "dev.strata.broker";

    @TempDir
    Path dir;

    @Test
    void theBrokerRunsOnTheMetadataAndReplicationServicesAndFollowsThem() throws Exception {
        try (StrataFramework f = StrataFramework.start(Map.of(PID, Map.of("log.dirs", dir.resolve("a").toString())),
                StrataFramework.BROKER_BUNDLES)) {
            Broker broker = f.service(Broker.class);
            MetadataStore store = f.service(MetadataStore.class);
            assertTrue(f.hasService(Replication.class));
            assertEquals(ErrorCode.NONE, broker.createTopic("t", 1, (short) 1, Map.of(), false, CTX).error());
            assertTrue(store.topic("t").isPresent(), "the broker records topics in the MetadataStore service");
            TopicPartition tp = new TopicPartition("t", 0);
            ProduceResult acked = broker.produce(tp, batch("a"), (short) -1, 5000, CTX).get(10, TimeUnit.SECONDS);
            assertEquals(ErrorCode.NONE, acked.error(), "acks=-1 is answered: local replication committed it");
            assertEquals(1, fetch(broker, tp).highWatermark());

            // Replication is mandatory: without it there is no broker; with it back, the same data.
            Bundle replication = f.bundle("dev.strata.replication.local");
            replication.stop();
            assertFalse(f.hasService(Broker.class), "the broker is unregistered without a Replication service");
            replication.start();
            assertEquals(1, fetch(f.service(Broker.class), tp).highWatermark());

            // So is the metadata store.
            Bundle metadata = f.bundle("dev.strata.metadata.local");
            metadata.stop();
            assertFalse(f.hasService(Broker.class), "the broker is unregistered without a MetadataStore service");
            metadata.start();
            assertTrue(f.service(Broker.class).metadata().topic("t").isPresent());

            // Any other broker setting changes live: neither the store nor the broker is re-created.
            Object brokerId = serviceId(f, Broker.class);
            Object storeId = serviceId(f, MetadataStore.class);
            f.configure(PID, Map.of("log.dirs", dir.resolve("a").toString(), "auto.create.topics.enable", true));
            await(() -> f.service(Broker.class).autoCreateTopicsEnabled());
            assertEquals(brokerId, serviceId(f, Broker.class));
            assertEquals(storeId, serviceId(f, MetadataStore.class));

            // A new log.dirs and broker.id: the store re-opens on the new directory and the broker follows it,
            // opening no log of the old directory's topics there.
            String clusterA = f.service(MetadataStore.class).clusterId();
            f.configure(PID, Map.of("log.dirs", dir.resolve("b").toString(), "broker.id", 7));
            await(() -> {
                Broker b = f.service(Broker.class);
                return b.metadata().localBrokerId() == 7
                        && b.createTopic("u", 1, (short) 1, Map.of(), false, CTX).error() == ErrorCode.NONE;
            });
            Broker onB = f.service(Broker.class);
            assertNotEquals(clusterA, onB.metadata().clusterId());
            assertTrue(onB.metadata().topic("t").isEmpty());
            assertFalse(Files.exists(dir.resolve("b").resolve("t-0")));
            assertTrue(Files.exists(dir.resolve("b").resolve("u-0")));
            assertEquals(ErrorCode.NONE, onB.produce(new TopicPartition("u", 0), batch("b"), (short) -1, 5000, CTX)
                    .get(10, TimeUnit.SECONDS).error());
        }
    }

    @Test
    void withoutLogDirsBrokerAndStoreAgreeOnTheContainersDataDirectory() throws Exception {
        Path karafData = dir.resolve("karaf-data");
        try (StrataFramework f = StrataFramework.start(Map.of("karaf.data", karafData.toString()),
                Map.of(PID, Map.of("broker.id", 0)), StrataFramework.BROKER_BUNDLES)) {
            Broker broker = f.service(Broker.class);
            assertEquals(ErrorCode.NONE, broker.createTopic("t", 1, (short) 1, Map.of(), false, CTX).error());
            assertTrue(Files.isDirectory(karafData.resolve("strata").resolve("t-0")), "${karaf.data}/strata");
            assertTrue(Files.isRegularFile(karafData.resolve("strata").resolve("meta.properties")),
                    "the metadata store is in the same directory");

            // From the default to a configured directory: the broker follows the store, not the old topics.
            f.configure(PID, Map.of("log.dirs", dir.resolve("c").toString()));
            await(() -> f.service(Broker.class).metadata().topic("t").isEmpty());
            await(() -> f.service(Broker.class).createTopic("u", 1, (short) 1, Map.of(), false, CTX).error()
                    == ErrorCode.NONE);
            assertTrue(Files.exists(dir.resolve("c").resolve("u-0")));
            assertFalse(Files.exists(karafData.resolve("strata").resolve("u-0")));
            assertFalse(Files.exists(dir.resolve("c").resolve("t-0")));
        }
    }

    private static Object serviceId(StrataFramework f, Class<?> type) {
        return f.context().getServiceReference(type).getProperty("service.id");
    }

    private static FetchResult fetch(Broker broker, TopicPartition tp) {
        return broker.fetch(new FetchParams(-1, 0, 1, 1 << 20, IsolationLevel.READ_UNCOMMITTED,
                List.of(new FetchPartition(tp, 0, 1 << 20))), CTX).join().get(0);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within 30 s");
            Thread.sleep(20); // polling with a deadline
        }
    }

    private static ByteBuffer batch(String value) {
        return new RecordBatchBuilder().add(System.currentTimeMillis(), null,
                value.getBytes(StandardCharsets.UTF_8)).build();
    }
}
