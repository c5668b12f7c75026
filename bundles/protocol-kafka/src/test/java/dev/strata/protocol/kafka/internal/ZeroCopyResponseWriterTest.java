package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.log.LogSlice;
import dev.strata.api.log.LogSliceSource;
import io.netty.buffer.ByteBuf;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fetch responses with records in a real file: the encoded parts, sent the way Netty sends them (buffers copied,
 * regions transferred from the file), must parse back with kafka-clients' own reader in every supported version —
 * int32 record lengths before v12, compact (varint length+1) from v12.
 */
class ZeroCopyResponseWriterTest {
    @TempDir
    Path dir;

    private static MemoryRecords batch(long baseOffset, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(baseOffset, Compression.NONE, records);
    }

    @ParameterizedTest
    @ValueSource(shorts = {4, 11, 12, 13, 16, 18})
    void fetchResponseWithFileRegionsParsesBack(short version) throws IOException {
        Path file = dir.resolve("segment.log");
        MemoryRecords first = batch(0, "a", "bb", "ccc");
        MemoryRecords second = batch(3, "dddd".repeat(300));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            ch.write(ByteBuffer.wrap("junk-before".getBytes(StandardCharsets.US_ASCII)));
            long firstPos = ch.position();
            ch.write(first.buffer().duplicate());
            long secondPos = ch.position();
            ch.write(second.buffer().duplicate());

            FetchResponseData data = new FetchResponseData().setSessionId(0);
            FetchableTopicResponse topic = new FetchableTopicResponse().setTopic("t")
                    .setTopicId(Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ"));
            topic.partitions().add(new PartitionData().setPartitionIndex(0).setHighWatermark(4)
                    .setRecords(new LogSliceRecords(new LogSlice(LogSliceSource.ofChannel(ch), firstPos, first.sizeInBytes(), 0))));
            topic.partitions().add(new PartitionData().setPartitionIndex(1).setHighWatermark(0)
                    .setRecords(MemoryRecords.EMPTY));
            topic.partitions().add(new PartitionData().setPartitionIndex(2).setHighWatermark(4)
                    .setRecords(new LogSliceRecords(new LogSlice(LogSliceSource.ofChannel(ch), secondPos, second.sizeInBytes(), 3))));
            data.responses().add(topic);

            short headerVersion = ApiMessageType.FETCH.responseHeaderVersion(version);
            KafkaResponse response = ZeroCopyResponseWriter.encode(42, data, version, headerVersion);
            // Before v12 the last partition's records end the message; from v12 tagged fields follow them.
            assertEquals(version >= 12 ? 5 : 4, response.partCount(), "bytes, region, bytes, region[, bytes]");

            byte[] wire = send(response);
            assertEquals(response.sizeInBytes(), wire.length);
            ByteBuffer buf = ByteBuffer.wrap(wire);
            assertEquals(wire.length - 4, buf.getInt());
            ByteBufferAccessor reader = new ByteBufferAccessor(buf);
            assertEquals(42, new ResponseHeaderData(reader, headerVersion).correlationId());
            FetchResponseData parsed = new FetchResponseData(reader, version);
            assertEquals(0, buf.remaining());

            List<PartitionData> partitions = parsed.responses().get(0).partitions();
            assertEquals(List.of("a", "bb", "ccc"), values((MemoryRecords) partitions.get(0).records()));
            assertEquals(0, partitions.get(1).records().sizeInBytes());
            assertEquals(List.of("dddd".repeat(300)), values((MemoryRecords) partitions.get(2).records()));
        }
    }

    @Test
    void responsesWithoutRecordsAreOneBuffer() {
        FetchResponseData data = new FetchResponseData().setErrorCode((short) 70);
        KafkaResponse response = ZeroCopyResponseWriter.encode(1, data, (short) 12, (short) 1);
        assertEquals(1, response.partCount());
        response.release();
    }

    /** Writes the parts through an embedded channel and collects the bytes, transferring regions like NIO does. */
    private static byte[] send(KafkaResponse response) throws IOException {
        EmbeddedChannel channel = new EmbeddedChannel();
        response.writeTo(channel);
        channel.flush();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WritableByteChannel target = Channels.newChannel(out);
        Object msg;
        List<Object> seen = new ArrayList<>();
        while ((msg = channel.readOutbound()) != null) {
            seen.add(msg);
            if (msg instanceof ByteBuf buf) {
                byte[] bytes = new byte[buf.readableBytes()];
                buf.readBytes(bytes);
                out.write(bytes);
                buf.release();
            } else {
                FileRegion region = assertInstanceOf(FileRegion.class, msg);
                while (region.transferred() < region.count()) {
                    region.transferTo(target, region.transferred());
                }
                region.release();
            }
        }
        assertTrue(seen.stream().anyMatch(FileRegion.class::isInstance), "record data went out as file regions");
        channel.finishAndReleaseAll();
        return out.toByteArray();
    }

    private static List<String> values(MemoryRecords records) {
        List<String> out = new ArrayList<>();
        for (Record r : records.records()) {
            out.add(StandardCharsets.UTF_8.decode(r.value()).toString());
        }
        return out;
    }

    @Test
    void releasingTheRegionEndsTheSlicesHoldButDoesNotCloseTheLogFile() throws IOException {
        Path file = dir.resolve("x.log");
        Files.write(file, new byte[10]);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            java.util.concurrent.atomic.AtomicInteger releases = new java.util.concurrent.atomic.AtomicInteger();
            LogSliceSource file10 = LogSliceSource.ofChannel(ch);
            LogSliceSource held = new LogSliceSource() {
                @Override
                public int read(java.nio.ByteBuffer dst, long position) throws IOException {
                    return file10.read(dst, position);
                }

                @Override
                public long transferTo(long position, long count, java.nio.channels.WritableByteChannel target)
                        throws IOException {
                    return file10.transferTo(position, count, target);
                }

                @Override
                public long size() throws IOException {
                    return file10.size();
                }

                @Override
                public void release() {
                    releases.incrementAndGet();
                }
            };
            LogSliceRegion region = new LogSliceRegion(new LogSlice(held, 0, 10, 0));
            region.release();
            assertTrue(ch.isOpen());
            assertEquals(1, releases.get());
        }
    }

}
