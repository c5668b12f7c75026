package dev.strata.client.internal;

import dev.strata.api.broker.ProducerIdResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.client.LocalProducer;
import dev.strata.api.client.OutgoingRecord;
import dev.strata.api.client.RecordHeader;
import dev.strata.api.client.RecordPosition;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.TopicMetadata;
import dev.strata.record.RecordBatch;
import dev.strata.record.SimpleRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link LocalProducer}: checks a record (topic, partition, size), places it, and hands it to the
 * {@link PartitionWriter} of its partition, which batches and writes. The producer id is taken from the broker at
 * the first send and replaced when the broker no longer knows it (then every partition's sequence restarts at 0).
 * Thread-safe.
 */
final class ProducerImpl implements LocalProducer {
    /** The topic setting that names a topic's partitioner (accepted by the broker's topic configs). */
    static final String TOPIC_PARTITIONER = "strata.partitioner";
    /** A record's bytes besides key, value and headers, at most (length, attributes, deltas, counts). */
    private static final int RECORD_OVERHEAD = 21;

    /** A producer id and epoch; a new instance means sequences restart. */
    record Identity(long producerId, short epoch) {
        static final Identity NONE = new Identity(RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH);
    }

    private final LocalClientComponent client;
    private final Settings.Producer settings;
    private final RequestContext context;
    private final Map<TopicPartition, PartitionWriter> writers = new ConcurrentHashMap<>();
    private volatile Identity identity;
    private volatile boolean closed;

    ProducerImpl(LocalClientComponent client, Settings.Producer settings) {
        this.client = client;
        this.settings = settings;
        this.context = new RequestContext(settings.clientId(), RequestContext.ANONYMOUS, "in-container", "local");
    }

    @Override
    public CompletableFuture<RecordPosition> send(OutgoingRecord record) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "Cannot send after the producer is closed"));
        }
        try {
            TopicPartition tp = place(record);
            SimpleRecord r = toSimpleRecord(record);
            int size = RecordBatch.HEADER_SIZE + sizeOf(record);
            if (size > settings.maxRequestSize()) {
                throw new StrataException(ErrorCode.MESSAGE_TOO_LARGE, "The message is " + size + " bytes when "
                        + "serialized which is larger than " + settings.maxRequestSize() + ", which is the value of "
                        + "the max.request.size configuration.");
            }
            PartitionWriter writer = writers.computeIfAbsent(tp, p -> new PartitionWriter(this, p));
            return writer.enqueue(r, size);
        } catch (StrataException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The partition of a record: explicit, else from the partitioner the record, topic or settings name. */
    private TopicPartition place(OutgoingRecord record) {
        TopicMetadata topic = client.broker().metadata().topic(record.topic()).orElseThrow(() ->
                new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + record.topic()
                        + " does not exist"));
        int count = topic.partitionCount();
        int partition;
        if (record.partition() != null) {
            partition = record.partition();
        } else {
            String name = record.partitioner() != null ? record.partitioner()
                    : topic.configs().getOrDefault(TOPIC_PARTITIONER, settings.partitioner());
            Partitioners.Chosen chosen = client.partitioners().choose(name);
            try {
                partition = chosen.partitioner().partition(record.topic(), record.key(), record.value(), count);
            } catch (RuntimeException e) {
                throw new StrataException(ErrorCode.UNKNOWN_SERVER_ERROR, "Partitioner '" + chosen.name()
                        + "' failed for topic " + record.topic() + ": " + e, e);
            }
            if (partition < 0 || partition >= count) {
                throw new StrataException(ErrorCode.UNKNOWN_SERVER_ERROR, "Partitioner '" + chosen.name()
                        + "' chose partition " + partition + " of topic " + record.topic() + ", which has "
                        + count + " partitions");
            }
        }
        if (partition < 0 || partition >= count) {
            throw new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "Partition " + partition + " of topic "
                    + record.topic() + " does not exist (it has " + count + ")");
        }
        return new TopicPartition(record.topic(), partition);
    }

    private static SimpleRecord toSimpleRecord(OutgoingRecord record) {
        SimpleRecord.Header[] headers = new SimpleRecord.Header[record.headers().size()];
        for (int i = 0; i < headers.length; i++) {
            RecordHeader h = record.headers().get(i);
            headers[i] = new SimpleRecord.Header(h.key(), h.value() == null ? null : ByteBuffer.wrap(h.value()));
        }
        long timestamp = record.timestamp() != null ? record.timestamp() : System.currentTimeMillis();
        return new SimpleRecord(timestamp, record.key() == null ? null : ByteBuffer.wrap(record.key()),
                record.value() == null ? null : ByteBuffer.wrap(record.value()), headers);
    }

    /** An upper bound of the record's size in an uncompressed batch. */
    private static int sizeOf(OutgoingRecord record) {
        long size = RECORD_OVERHEAD + length(record.key()) + length(record.value());
        for (RecordHeader h : record.headers()) {
            size += 10 + h.key().getBytes(StandardCharsets.UTF_8).length + length(h.value());
        }
        return (int) Math.min(size, Integer.MAX_VALUE);
    }

    private static int length(byte[] b) {
        return b == null ? 0 : b.length;
    }

    /** The identity to number a batch with: none without idempotence, else the current one (taken on first use). */
    Identity identity() {
        if (!settings.idempotent()) {
            return Identity.NONE;
        }
        Identity id = identity;
        if (id != null) {
            return id;
        }
        synchronized (this) {
            if (identity == null) {
                ProducerIdResult r = client.broker().initProducerId(null, Integer.MAX_VALUE, context);
                if (r.error() != ErrorCode.NONE) {
                    throw new StrataException(r.error(), "Could not get a producer id from the broker: "
                            + r.error());
                }
                identity = new Identity(r.producerId(), r.producerEpoch());
            }
            return identity;
        }
    }

    /** The broker lost or refused the producer's state: the next batch takes a new producer id. */
    synchronized void resetIdentity(Identity failed) {
        if (identity == failed) {
            identity = null;
        }
    }

    Settings.Producer settings() {
        return settings;
    }

    RequestContext context() {
        return context;
    }

    LocalClientComponent client() {
        return client;
    }

    @Override
    public void close() {
        closed = true;
        client.closed(this);
    }

    @Override
    public String toString() {
        return "LocalProducer[" + settings.clientId() + "]";
    }
}
