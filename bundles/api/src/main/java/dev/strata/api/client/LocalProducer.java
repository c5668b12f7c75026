package dev.strata.api.client;

import java.util.concurrent.CompletableFuture;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Sends records to local topics. Records for one partition are written in the order {@link #send} was called;
 * while a batch for a partition is being written, later records for it are gathered into the next batch (up to
 * {@value #BATCH_SIZE} bytes). With idempotence (the default) the producer has a producer id from the broker and
 * numbers each partition's records, so the broker stores none twice. Thread-safe.
 *
 * <p>Where a record goes: its explicit partition, else the partitioner named on the record, else the topic's
 * {@code strata.partitioner} config, else {@value #PARTITIONER}'s value, else {@code default} (Kafka's murmur2 of
 * the key, sticky for null keys). A named partitioner that is not installed falls back to {@code default} (one
 * WARN per name), so that records keep flowing while a vendor bundle is replaced.
 */
// The client bundle implements it; callers only call it.
@ProviderType
public interface LocalProducer extends AutoCloseable {
    /** {@code all} or {@code -1} (the default), {@code 1}, {@code 0}; idempotence needs {@code all}. */
    String ACKS = "acks";
    /** {@code none} (the default), {@code gzip}, {@code snappy}, {@code lz4}, {@code zstd}. */
    String COMPRESSION_TYPE = "compression.type";
    /** The most bytes of records gathered into one batch (16384). */
    String BATCH_SIZE = "batch.size";
    /** The largest record accepted, in bytes as stored (1048576). */
    String MAX_REQUEST_SIZE = "max.request.size";
    /** How long acks=all may wait for the write to be committed (30000). */
    String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    /** {@code true} (the default) or {@code false}. */
    String ENABLE_IDEMPOTENCE = "enable.idempotence";
    /** A name for logs. */
    String CLIENT_ID = "client.id";
    /** The partitioner for topics that name none ({@code default}). */
    String PARTITIONER = "partitioner";

    /**
     * Sends one record.
     *
     * @return completes with where the record was stored once it is acknowledged as {@value #ACKS} asks, or
     *     exceptionally with a {@link dev.strata.api.common.StrataException} whose error code says why
     *     (UNKNOWN_TOPIC_OR_PARTITION, MESSAGE_TOO_LARGE, UNSUPPORTED_COMPRESSION_TYPE, INVALID_TOPIC_EXCEPTION for
     *     an internal topic, ...). Never blocks.
     */
    CompletableFuture<RecordPosition> send(OutgoingRecord record);

    /** Sends a record with no headers, placed by the partitioner. */
    default CompletableFuture<RecordPosition> send(String topic, byte[] key, byte[] value) {
        return send(OutgoingRecord.of(topic, key, value));
    }

    /** Refuses further sends; records already sent are still written and their futures complete. */
    @Override
    void close();
}
