package dev.strata.api.client;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Produces to and consumes from the topics of the broker in this container, in-process: the records take the same
 * path through the broker as those of a Kafka client (validation, offsets, idempotent sequences, compression) but
 * never touch a socket. Registered by the {@code strata-client} bundle while a broker runs; producers and
 * consumers it made are closed when it goes away. Thread-safe.
 */
// The client bundle implements it; other bundles only call it.
@ProviderType
public interface LocalClient {

    /**
     * A new producer. Settings use Kafka's producer names where they mean the same; all are optional:
     * {@value LocalProducer#ACKS} ({@code all}), {@value LocalProducer#COMPRESSION_TYPE} ({@code none}),
     * {@value LocalProducer#BATCH_SIZE}, {@value LocalProducer#MAX_REQUEST_SIZE},
     * {@value LocalProducer#REQUEST_TIMEOUT_MS}, {@value LocalProducer#ENABLE_IDEMPOTENCE} ({@code true}),
     * {@value LocalProducer#CLIENT_ID}, {@value LocalProducer#PARTITIONER}.
     *
     * @throws IllegalArgumentException for an unknown setting or a bad value
     * @throws dev.strata.api.common.StrataException UNSUPPORTED_COMPRESSION_TYPE when no codec of the asked
     *     compression type is installed
     */
    LocalProducer producer(Map<String, String> settings);

    /**
     * A new consumer with no partitions assigned. Settings, all optional: {@value LocalConsumer#MAX_POLL_RECORDS}
     * (500), {@value LocalConsumer#MAX_PARTITION_FETCH_BYTES} (1 MiB), {@value LocalConsumer#FETCH_MAX_BYTES}
     * (50 MiB), {@value LocalConsumer#AUTO_OFFSET_RESET} ({@code earliest}), {@value LocalConsumer#CLIENT_ID}.
     *
     * @throws IllegalArgumentException for an unknown setting or a bad value
     */
    LocalConsumer consumer(Map<String, String> settings);
}
