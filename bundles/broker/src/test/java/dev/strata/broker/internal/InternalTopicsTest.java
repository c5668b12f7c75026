package dev.strata.broker.internal;

import static dev.strata.broker.internal.TestBatches.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.ProduceResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.record.RecordBatchBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients may neither write to nor delete {@code __consumer_offsets}; the container's own components may write. */
class InternalTopicsTest {
    private static final RequestContext CLIENT = new RequestContext("client", RequestContext.ANONYMOUS,
            "127.0.0.1:5555", "PLAINTEXT");
    private static final RequestContext COORDINATOR = RequestContext.internal("strata-group-coordinator");
    private static final TopicPartition OFFSETS_0 = new TopicPartition("__consumer_offsets", 0);

    @TempDir
    Path dir;

    @Test
    void clientsCannotWriteOrDeleteInternalTopicsButTheCoordinatorWrites() throws Exception {
        BrokerCore core = TestCores.start(BrokerSettings.of(Map.of("log.dirs", dir.toString())),
                new InMemoryIndexLogStore());
        try {
            assertEquals(ErrorCode.NONE, core.broker.createTopic("__consumer_offsets", 2, (short) 1,
                    Map.of("cleanup.policy", "compact"), false, COORDINATOR).error());

            ProduceResult refused = core.broker.produce(OFFSETS_0, batch(1000, "x"), (short) -1, 1000, CLIENT)
                    .get();
            assertEquals(ErrorCode.INVALID_TOPIC_EXCEPTION, refused.error());
            assertTrue(refused.message().contains("internal topic"), refused.message());

            // __consumer_offsets is compacted: its records need keys (the coordinator's always have one).
            ProduceResult written = core.broker.produce(OFFSETS_0, new RecordBatchBuilder()
                    .add(1000, "key".getBytes(StandardCharsets.UTF_8), "y".getBytes(StandardCharsets.UTF_8)).build(),
                    (short) -1, 1000,
                    COORDINATOR).get();
            assertEquals(ErrorCode.NONE, written.error());
            assertEquals(0, written.baseOffset(), "the refused batch left nothing in the log");

            assertEquals(ErrorCode.INVALID_TOPIC_EXCEPTION, core.broker.deleteTopic("__consumer_offsets", CLIENT));
            assertTrue(core.broker.metadata().topic("__consumer_offsets").isPresent());

            // Ordinary topics are unaffected.
            assertEquals(ErrorCode.NONE, core.broker.createTopic("t", 1, (short) 1, Map.of(), false, CLIENT)
                    .error());
            assertEquals(ErrorCode.NONE, core.broker.produce(new TopicPartition("t", 0), batch(1000, "z"),
                    (short) 1, 1000, CLIENT).get().error());
            assertEquals(ErrorCode.NONE, core.broker.deleteTopic("t", CLIENT));
        } finally {
            core.close();
        }
    }
}
