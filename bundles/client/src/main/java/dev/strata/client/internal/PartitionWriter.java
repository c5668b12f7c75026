package dev.strata.client.internal;

import dev.strata.api.broker.ProduceResult;
import dev.strata.api.client.RecordPosition;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import dev.strata.record.RecordBatchBuilder;
import dev.strata.record.SimpleRecord;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The records of one producer for one partition, written one batch at a time: while a batch is with the broker,
 * later records wait and go out together as the next batch (up to {@code batch.size} bytes). One batch in flight
 * keeps the idempotent sequence simple and exact: a batch's sequence is the partition's next one, and it advances
 * only when the broker accepted the batch, so a refused batch leaves no gap.
 *
 * <p>Thread-safe: the queue is guarded by this object; only one thread at a time writes (the one that set
 * {@code writing}).
 */
final class PartitionWriter {
    private record Pending(SimpleRecord record, int size, CompletableFuture<RecordPosition> future) {
    }

    private final ProducerImpl producer;
    private final TopicPartition tp;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean writing;
    /** Only touched by the writing thread. */
    private ProducerImpl.Identity numberedFor;
    private int nextSequence;

    PartitionWriter(ProducerImpl producer, TopicPartition tp) {
        this.producer = producer;
        this.tp = tp;
    }

    CompletableFuture<RecordPosition> enqueue(SimpleRecord record, int size) {
        Pending p = new Pending(record, size, new CompletableFuture<>());
        synchronized (this) {
            queue.add(p);
            if (writing) {
                return p.future();
            }
            writing = true;
        }
        writeQueued();
        return p.future();
    }

    /** Writes batches until the queue is empty or a write is pending with the broker. */
    private void writeQueued() {
        while (true) {
            List<Pending> batch = new ArrayList<>();
            synchronized (this) {
                int bytes = 0;
                while (!queue.isEmpty() && (batch.isEmpty()
                        || bytes + queue.peek().size() <= producer.settings().batchSize())) {
                    Pending next = queue.poll();
                    bytes += next.size();
                    batch.add(next);
                }
                if (batch.isEmpty()) {
                    writing = false;
                    return;
                }
            }
            CompletableFuture<ProduceResult> written = write(batch);
            if (!written.isDone()) {
                // Continue on the client's threads once the broker answers.
                written.whenCompleteAsync((r, e) -> {
                    finish(batch, r, e);
                    writeQueued();
                }, producer.client().executor());
                return;
            }
            finish(batch, written.getNow(null), null);
        }
    }

    private CompletableFuture<ProduceResult> write(List<Pending> batch) {
        ProducerImpl.Identity id;
        ByteBuffer records;
        try {
            id = producer.identity();
            if (id != numberedFor) {
                numberedFor = id;
                nextSequence = 0;
            }
            RecordBatchBuilder builder = new RecordBatchBuilder().producer(id.producerId(), id.epoch(),
                    id == ProducerImpl.Identity.NONE ? -1 : nextSequence);
            batch.forEach(p -> builder.add(p.record()));
            CompressionType type = producer.settings().compression();
            CompressionCodec codec = type == CompressionType.NONE ? null : producer.client().codec(type);
            records = builder.build(codec);
        } catch (StrataException e) {
            return CompletableFuture.completedFuture(ProduceResult.error(e.error(), e.getMessage()));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(ProduceResult.error(ErrorCode.UNKNOWN_SERVER_ERROR,
                    "Could not build the batch: " + e));
        }
        Settings.Producer s = producer.settings();
        return producer.client().broker().produce(tp, records, s.acks(), s.requestTimeoutMs(), producer.context());
    }

    private void finish(List<Pending> batch, ProduceResult result, Throwable failure) {
        if (failure != null || result == null) {
            result = ProduceResult.error(ErrorCode.UNKNOWN_SERVER_ERROR, "The broker failed: " + failure);
        }
        if (result.error() != ErrorCode.NONE) {
            if (result.error() == ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER
                    || result.error() == ErrorCode.UNKNOWN_PRODUCER_ID
                    || result.error() == ErrorCode.INVALID_PRODUCER_EPOCH) {
                producer.resetIdentity(numberedFor);
            }
            StrataException e = new StrataException(result.error(), "Could not write to " + tp + ": "
                    + (result.message() != null ? result.message() : result.error().name()));
            batch.forEach(p -> p.future().completeExceptionally(e));
            return;
        }
        if (numberedFor != ProducerImpl.Identity.NONE) {
            long next = (long) nextSequence + batch.size();
            nextSequence = (int) (next > Integer.MAX_VALUE ? next - Integer.MAX_VALUE - 1 : next);
        }
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            long offset = result.baseOffset() < 0 ? -1 : result.baseOffset() + i;
            long timestamp = result.logAppendTime() >= 0 ? result.logAppendTime() : p.record().timestamp();
            p.future().complete(new RecordPosition(tp.topic(), tp.partition(), offset, timestamp));
        }
    }
}
