package dev.strata.protocol.kafka.internal;

import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * One decoded request: its header and parsed body. {@code body} is null only for an ApiVersions request whose
 * version this server does not support (answered with UNSUPPORTED_VERSION, as Kafka does). {@code sizeInBytes} is
 * the frame size, counted against the connection's in-flight budget. Immutable once built (the body is only read
 * after decoding).
 */
record KafkaRequest(RequestHeaderData header, ApiMessageType api, ApiMessage body, int sizeInBytes) {

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
