package dev.strata.protocol.kafka.internal;

import io.netty.util.ReferenceCounted;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * One decoded request: its header and parsed body. {@code body} is null only for an ApiVersions request whose
 * version this server does not support (answered with UNSUPPORTED_VERSION, as Kafka does). {@code sizeInBytes} is
 * the frame size, counted against the connection's in-flight budget. Immutable once built (the body is only read
 * after decoding).
 *
 * <p>Reference counted through {@code memory}, the frame the body was parsed from (in place): its reservation in the
 * request memory pool is returned when the request is released for the last time, so Netty's usual release of
 * dropped messages also returns their memory. Without memory (tests), counting is a no-op.
 */
record KafkaRequest(RequestHeaderData header, ApiMessageType api, ApiMessage body, int sizeInBytes,
                    ReferenceCounted memory) implements ReferenceCounted {

    KafkaRequest(RequestHeaderData header, ApiMessageType api, ApiMessage body, int sizeInBytes) {
        this(header, api, body, sizeInBytes, null);
    }

    @Override
    public int refCnt() {
        return memory == null ? 1 : memory.refCnt();
    }

    @Override
    public KafkaRequest retain() {
        if (memory != null) {
            memory.retain();
        }
        return this;
    }

    @Override
    public KafkaRequest retain(int increment) {
        if (memory != null) {
            memory.retain(increment);
        }
        return this;
    }

    @Override
    public KafkaRequest touch() {
        return this;
    }

    @Override
    public KafkaRequest touch(Object hint) {
        return this;
    }

    @Override
    public boolean release() {
        return memory != null && memory.release();
    }

    @Override
    public boolean release(int decrement) {
        return memory != null && memory.release(decrement);
    }

    short apiKey() {
        return header.requestApiKey();
    }

    short version() {
        return header.requestApiVersion();
    }

    int correlationId() {
        return header.correlationId();
    }

    String clientId() {
        return header.clientId() == null ? "" : header.clientId();
    }

    boolean versionUnsupported() {
        return body == null;
    }

    @Override
    public String toString() {
        return api.name() + " v" + version() + " (correlation id " + correlationId() + ", client " + clientId() + ")";
    }
}
