package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.quota.QuotaManager;
import dev.strata.api.quota.QuotaType;
import dev.strata.protocol.kafka.api.KafkaListener;
import dev.strata.testkit.osgi.StrataFramework;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * Client quotas on the wire (KIP-219), against this bundle running in a real framework with the real broker: a
 * {@link QuotaManager} service registered there is bound by the listener (optional, dynamic, greedy), told each
 * request's usage, and its throttle comes back in throttle_time_ms, after which the connection is not read for that
 * long. Removing the service stops the throttling.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class QuotaThrottleTest {
    private static final int THROTTLE_MS = 400;
    private static final List<String> BUNDLES = List.of("io.netty.common", "io.netty.buffer", "io.netty.resolver",
            "io.netty.transport", "io.netty.codec-base", "dev.strata.protocol.kafka");

    /** The quota manager under which the test client is over its produce quota; it keeps what it was told. */
    static final class ProduceThrottler implements QuotaManager {
        record Usage(QuotaType type, String user, String clientId, long amount) {
        }

        final List<Usage> recorded = new CopyOnWriteArrayList<>();

        @Override
        public long record(QuotaType type, String user, String clientId, long amount, long nowMs) {
            recorded.add(new Usage(type, user, clientId, amount));
            return type == QuotaType.PRODUCE_BYTES ? THROTTLE_MS : 0;
        }

        List<Usage> of(QuotaType type) {
            return recorded.stream().filter(u -> u.type() == type).toList();
        }
    }

    @TempDir
    Path dir;

    private StrataFramework framework;
    private int port;

    @BeforeEach
    void start() throws Exception {
        List<String> bundles = new ArrayList<>(StrataFramework.BROKER_BUNDLES);
        bundles.addAll(BUNDLES);
        framework = StrataFramework.start(Map.of(
                "dev.strata.broker", Map.of("log.dirs", dir.toString()),
                KafkaServerComponent.PID, Map.of("host", "127.0.0.1", "port", 0)), bundles);
        Broker broker = framework.service(Broker.class);
        RequestContext ctx = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1", "PLAINTEXT");
        assertEquals(ErrorCode.NONE, broker.createTopic("t", 1, (short) 1, Map.of(), false, ctx).error());
        port = (Integer) framework.serviceProperties(KafkaListener.class.getName()).get(KafkaListener.PROP_PORT);
    }

    @AfterEach
    void stop() {
        if (framework != null) {
            framework.close();
        }
    }

    @Test
    void aThrottledClientIsToldAndItsConnectionIsMutedForThatLong() throws Exception {
        ProduceThrottler throttler = new ProduceThrottler();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_RANKING, 100);
        ServiceRegistration<QuotaManager> registration =
                framework.context().registerService(QuotaManager.class, throttler, props);
        try (RawConnection c = new RawConnection(port)) {
            byte[] produce = RawConnection.request(produce("over quota"), (short) 9, 1);
            c.sendRaw(produce);
            ProduceResponseData produced = new ProduceResponseData();
            assertEquals(1, c.readResponse(produced, (short) 9));
            long answered = System.nanoTime();
            assertEquals(ErrorCode.NONE.code(),
                    produced.responses().iterator().next().partitionResponses().get(0).errorCode());
            assertEquals(THROTTLE_MS, produced.throttleTimeMs(), "the throttle is announced in the response at once");

            // The next request waits in the socket until the throttle ends.
            c.send(new ApiVersionsRequestData(), (short) 3, 2);
            ApiVersionsResponseData versions = new ApiVersionsResponseData();
            assertEquals(2, c.readResponse(versions, (short) 3));
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
            assertTrue(waitedMs >= THROTTLE_MS - 50, "the connection was read again after " + waitedMs + " ms");
            assertEquals(0, versions.throttleTimeMs());

            // A consumer's fetch is recorded by its response bytes.
            FetchRequestData fetch = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(1)
                    .setMaxBytes(1 << 20);
            fetch.topics().add(new FetchRequestData.FetchTopic().setTopic("t").setPartitions(List.of(
                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                            .setPartitionMaxBytes(1 << 20))));
            c.send(fetch, (short) 11, 3);
            FetchResponseData fetched = new FetchResponseData();
            assertEquals(3, c.readResponse(fetched, (short) 11));
            assertEquals(0, fetched.throttleTimeMs());

            ProduceThrottler.Usage producedUsage = throttler.of(QuotaType.PRODUCE_BYTES).get(0);
            assertEquals(new ProduceThrottler.Usage(QuotaType.PRODUCE_BYTES, "ANONYMOUS", "raw-test",
                    produce.length - 4), producedUsage, "the request's frame bytes, for the header's client id");
            long fetchBytes = throttler.of(QuotaType.FETCH_BYTES).get(0).amount();
            int recordBytes = fetched.responses().get(0).partitions().get(0).records().sizeInBytes();
            assertTrue(recordBytes > 0 && fetchBytes > recordBytes, fetchBytes + " response bytes for "
                    + recordBytes + " record bytes");
            assertEquals(3, throttler.of(QuotaType.REQUEST_TIME).size(), "every request's handler time");
            assertTrue(throttler.recorded.stream().allMatch(u -> u.user().equals("ANONYMOUS")
                    && u.clientId().equals("raw-test") && u.amount() >= 0));

            // Without a quota manager nobody is throttled (the reference is dynamic).
            registration.unregister();
            registration = null;
            c.send(produce("free"), (short) 9, 4);
            ProduceResponseData free = new ProduceResponseData();
            assertEquals(4, c.readResponse(free, (short) 9));
            assertEquals(0, free.throttleTimeMs());
            assertFalse(throttler.recorded.size() > 6, "the removed quota manager was not called again");
        } finally {
            if (registration != null) {
                registration.unregister();
            }
        }
    }

    private static ProduceRequestData produce(String value) {
        ProduceRequestData produce = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("t");
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                MemoryRecords.withRecords(Compression.NONE,
                        new SimpleRecord(value.getBytes(StandardCharsets.UTF_8)))));
        produce.topicData().add(topic);
        return produce;
    }
}
