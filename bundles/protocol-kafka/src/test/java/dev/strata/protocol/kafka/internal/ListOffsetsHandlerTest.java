package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every advertised ListOffsets version must be writable: fields newer than the version stay at their default. */
class ListOffsetsHandlerTest {

    @Test
    void answersEveryVersionTheClientsMayUse(@TempDir Path dir) throws Exception {
        try (FileBackedTestBroker broker = new FileBackedTestBroker(dir)) {
            RequestContext ctx = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1", "PLAINTEXT");
            assertEquals(ErrorCode.NONE, broker.createTopic("t", 1, (short) 1, Map.of(), false, ctx).error());
            ListOffsetsHandler handler = new ListOffsetsHandler(broker);
            for (short v = 1; v <= ApiKeys.LIST_OFFSETS.latestVersion(); v++) {
                ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(-1)
                        .setTopics(List.of(new ListOffsetsTopic().setName("t").setPartitions(
                                List.of(new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1)))));
                ListOffsetsResponseData response = handler.handle(request, v);
                ByteBuffer wire = MessageUtil.toByteBufferAccessor(response, v).buffer();
                ListOffsetsResponseData back = new ListOffsetsResponseData(new ByteBufferAccessor(wire), v);
                var partition = back.topics().get(0).partitions().get(0);
                assertEquals(ErrorCode.NONE.code(), partition.errorCode(), "version " + v);
                assertEquals(0L, partition.offset(), "version " + v);
                assertEquals(v >= 4 ? 0 : -1, partition.leaderEpoch(), "version " + v);
            }
        }
    }
}
