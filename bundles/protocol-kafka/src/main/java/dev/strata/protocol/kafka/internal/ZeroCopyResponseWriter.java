package dev.strata.protocol.kafka.internal;

import dev.strata.api.log.LogSlice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * Encodes a response (size prefix, header, body) with the generated message classes' own writers into a Netty
 * buffer. Record sections backed by a log file ({@link LogSliceRecords}) are not copied: the generated code writes
 * their length prefix (int32, or the compact varint length+1 in flexible versions) and then calls
 * {@link #writeRecords}, where the buffer is cut and a {@link LogSliceRegion} is inserted. The result is
 * {@code [bytes, region, bytes, region, ..., bytes]} in wire order, with a total size computed up front by
 * {@link MessageSizeAccumulator} (which counts the zero-copy bytes too).
 *
 * <p>Every response goes through here; only Fetch responses contain regions. Not thread-safe: one per encoding.
 */
final class ZeroCopyResponseWriter implements Writable {
    private final ByteBuf buffer;
    private final List<Object> parts = new ArrayList<>();
    private int sectionStart;

    private ZeroCopyResponseWriter(ByteBuf buffer) {
        this.buffer = buffer;
    }

    /** Encodes {@code body} in {@code version} with a response header of {@code headerVersion}. */
    static KafkaResponse encode(int correlationId, ApiMessage body, short version, short headerVersion) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, version);
        int copied = size.sizeExcludingZeroCopy();
        ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(Integer.BYTES + copied);
        ZeroCopyResponseWriter writer = new ZeroCopyResponseWriter(buffer);
        try {
            buffer.writeInt(size.totalSize());
            header.write(writer, cache, headerVersion);
            body.write(writer, cache, version);
            return new KafkaResponse(writer.finish(), Integer.BYTES + (long) size.totalSize());
        } catch (RuntimeException e) {
            writer.releaseParts();
            throw e;
        } finally {
            buffer.release();
        }
    }

    /** Cuts the pending bytes into a part; the slices keep the buffer alive after {@code encode} releases it. */
    private void cut() {
        int end = buffer.writerIndex();
        if (end > sectionStart) {
            parts.add(buffer.retainedSlice(sectionStart, end - sectionStart));
        }
        sectionStart = end;
    }

    private List<Object> finish() {
        cut();
        return parts;
    }

    private void releaseParts() {
        for (Object part : parts) {
            io.netty.util.ReferenceCountUtil.safeRelease(part);
        }
        parts.clear();
    }

    @Override
    public void writeRecords(BaseRecords records) {
        if (records instanceof LogSliceRecords sliceRecords) {
            LogSlice slice = sliceRecords.slice();
            if (slice.size() > 0) {
                cut();
                parts.add(new LogSliceRegion(slice));
            }
        } else if (records instanceof MemoryRecords memory) {
            buffer.writeBytes(memory.buffer().duplicate());
        } else {
            throw new IllegalArgumentException("cannot write records of type " + records.getClass().getName());
        }
    }

    @Override
    public void writeByte(byte val) {
        buffer.writeByte(val);
    }

    @Override
    public void writeShort(short val) {
        buffer.writeShort(val);
    }

    @Override
    public void writeInt(int val) {
        buffer.writeInt(val);
    }

    @Override
    public void writeLong(long val) {
        buffer.writeLong(val);
    }

    @Override
    public void writeDouble(double val) {
        buffer.writeDouble(val);
    }

    @Override
    public void writeByteArray(byte[] arr) {
        buffer.writeBytes(arr);
    }

    @Override
    public void writeUnsignedVarint(int i) {
        int value = i;
        while ((value & 0xFFFFFF80) != 0) {
            buffer.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buffer.writeByte(value);
    }

    @Override
    public void writeByteBuffer(ByteBuffer buf) {
        buffer.writeBytes(buf.duplicate());
    }

    @Override
    public void writeVarint(int i) {
        writeUnsignedVarint((i << 1) ^ (i >> 31));
    }

    @Override
    public void writeVarlong(long i) {
        long value = (i << 1) ^ (i >> 63);
        while ((value & 0xFFFFFFFFFFFFFF80L) != 0L) {
            buffer.writeByte(((int) value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buffer.writeByte((int) value);
    }
}
