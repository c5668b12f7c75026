package dev.strata.broker.internal;

import dev.strata.api.common.ErrorCode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Idempotent-producer state of one partition: for each producer id the current epoch and the metadata of its last
 * {@value #MAX_BATCHES} batches, so that a retried batch is recognised and answered with its original offset, and a
 * gap in sequence numbers is refused. Kafka 4 semantics (after KIP-360): a producer this partition has no state for
 * is accepted at any sequence number (its state may have been lost with old log data); a known producer must
 * continue its sequence, start a new epoch at sequence 0, and never go back to an older epoch.
 *
 * <p>The state lives in memory and is rebuilt from the tail of the log at startup ({@link #replay}).
 *
 * <p>Thread-safety: not thread-safe; the owning {@link Partition} calls it under its lock.
 */
final class ProducerStateManager {
    static final int MAX_BATCHES = 5;
    private static final int NO_SEQUENCE = -1;

    /** What a stored batch covered. */
    record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset) {
    }

    /** The verdict on an incoming batch: accept it, answer it as a duplicate of {@code duplicate}, or refuse it. */
    record Check(ErrorCode error, String message, BatchMetadata duplicate) {
        static final Check ACCEPT = new Check(ErrorCode.NONE, null, null);

        boolean isDuplicate() {
            return duplicate != null;
        }

        boolean isAccepted() {
            return error == ErrorCode.NONE && duplicate == null;
        }
    }

    /** A producer as DescribeProducers reports it. */
    record Snapshot(long producerId, short epoch, int lastSequence, long lastTimestamp) {
    }

    private static final class Entry {
        short epoch;
        long lastUpdateMs;
        /** The max timestamp of its last batch (Kafka's ProducerStateEntry.lastTimestamp). */
        long lastTimestamp = -1;
        final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(MAX_BATCHES);

        int lastSeq() {
            return batches.isEmpty() ? NO_SEQUENCE : batches.peekLast().lastSeq();
        }
    }

    private final String partitionName;
    private final Map<Long, Entry> producers = new HashMap<>();

    ProducerStateManager(String partitionName) {
        this.partitionName = partitionName;
    }

    /** Checks a batch of an idempotent producer against the state; changes nothing. */
    Check check(long producerId, short epoch, int firstSeq, int lastSeq) {
        Entry e = producers.get(producerId);
        if (e == null) {
            return Check.ACCEPT;
        }
        if (epoch < e.epoch) {
            return new Check(ErrorCode.INVALID_PRODUCER_EPOCH, "Epoch of producer " + producerId + " at partition "
                    + partitionName + " is " + epoch + ", which is smaller than the last seen epoch " + e.epoch, null);
        }
        if (epoch > e.epoch) {
            if (firstSeq != 0) {
                return new Check(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, "Invalid sequence number for new epoch "
                        + epoch + " of producer " + producerId + " in partition " + partitionName + ": " + firstSeq
                        + " (must be 0)", null);
            }
            return Check.ACCEPT;
        }
        for (BatchMetadata b : e.batches) {
            if (b.firstSeq() == firstSeq && b.lastSeq() == lastSeq) {
                return new Check(ErrorCode.NONE, null, b);
            }
        }
        int current = e.lastSeq();
        if (!inSequence(current, firstSeq)) {
            return new Check(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, "Out of order sequence number for producer "
                    + producerId + " in partition " + partitionName + ": " + firstSeq + " (incoming seq. number), "
                    + current + " (current end sequence number)", null);
        }
        return Check.ACCEPT;
    }

    private static boolean inSequence(int lastSeq, int nextSeq) {
        return nextSeq == lastSeq + 1L || (nextSeq == 0 && lastSeq == Integer.MAX_VALUE);
    }

    /**
     * Records a batch that was appended (or found in the log at startup).
     *
     * @param maxTimestamp the batch's max timestamp as stored (the append time for LogAppendTime topics)
     */
    void update(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset,
                long maxTimestamp, long nowMs) {
        Entry e = producers.computeIfAbsent(producerId, id -> new Entry());
        if (e.epoch != epoch) {
            e.batches.clear();
            e.epoch = epoch;
        }
        if (e.batches.size() == MAX_BATCHES) {
            e.batches.removeFirst();
        }
        e.batches.addLast(new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset));
        e.lastTimestamp = maxTimestamp;
        e.lastUpdateMs = nowMs;
    }

    /** Same as {@link #update} for a batch read back from the log at startup. */
    void replay(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset,
                long maxTimestamp, long nowMs) {
        update(producerId, epoch, firstSeq, lastSeq, firstOffset, lastOffset, maxTimestamp, nowMs);
    }

    /**
     * Every producer with state, by id. Kafka keeps a producer's state when records of it leave the log (retention,
     * DeleteRecords: KIP-360), until {@code producer.id.expiration.ms}; so does this.
     */
    List<Snapshot> producers() {
        List<Snapshot> out = new ArrayList<>(producers.size());
        producers.forEach((id, e) -> out.add(new Snapshot(id, e.epoch, e.lastSeq(), e.lastTimestamp)));
        out.sort(Comparator.comparingLong(Snapshot::producerId));
        return out;
    }

    /** Forgets producers idle for longer than {@code maxIdleMs} (Kafka's producer.id.expiration.ms). */
    int removeExpired(long nowMs, long maxIdleMs) {
        int removed = 0;
        for (Iterator<Entry> it = producers.values().iterator(); it.hasNext(); ) {
            if (nowMs - it.next().lastUpdateMs > maxIdleMs) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    int producerCount() {
        return producers.size();
    }

    /** Forgets everything (the log was truncated or deleted). */
    void clear() {
        producers.clear();
    }
}
