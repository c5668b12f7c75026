package dev.strata.broker.internal;

import dev.strata.api.broker.ProduceResult;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.log.AppendResult;
import dev.strata.api.log.LogSlice;
import dev.strata.api.log.PartitionLog;
import dev.strata.api.replication.ReplicatedPartition;
import dev.strata.api.replication.Replication;
import dev.strata.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition with a replica on this broker: its log, the write path (validation, offset assignment, idempotence,
 * append) and the high watermark that the {@link Replication} service moves through this partition's
 * {@link ReplicatedPartition} face. Only while this broker leads it ({@link #isLeader}) does it take appends and
 * does replication see it; the metadata store moves leadership and its epoch ({@link #applyLeadership}).
 *
 * <p>Thread-safety: thread-safe. Appends, leadership changes, reconfiguration and deletion are serialised by the
 * partition lock; reads go straight to the log (which allows them concurrently) and the offsets are volatile.
 */
final class Partition implements ReplicatedPartition {
    private static final Logger LOG = LoggerFactory.getLogger(Partition.class);

    /** Told after an append so that waiting fetches can complete. Must not block. */
    interface AppendListener {
        void onAppend(TopicPartition tp, int bytes);
    }

    /**
     * An append's answer, and the offset the high watermark must pass for acks=-1. {@link #DETACHED} says the
     * partition had no log (its store is being swapped): the caller may wait with {@link #whenAttached} and retry.
     */
    record AppendOutcome(ProduceResult result, long requiredHighWatermark) {
        static final AppendOutcome DETACHED = error(ErrorCode.KAFKA_STORAGE_ERROR,
                "The log store of the partition is being swapped or is not available");

        static AppendOutcome error(ErrorCode error, String message) {
            return new AppendOutcome(ProduceResult.error(error, message), -1);
        }
    }

    private final TopicPartition tp;
    /** The log, swapped when the store changes (see {@link #attach} and {@link #detach}). */
    private final LogSlot slot;
    /** Requests waiting for the next log, in arrival order. Guarded by lock. */
    private final HeldRequests held = new HeldRequests();
    private final Replication replication;
    private final AppendListener appendListener;
    private final ReentrantLock lock = new ReentrantLock();
    private final ProducerStateManager producerState;
    private final HighWatermarkWaiters hwWaiters = new HighWatermarkWaiters(() -> this.highWatermark);
    private final Object hwLock = new Object();
    /** The epoch of the current leadership (this broker's or another's), written into every batch appended. */
    private volatile int leaderEpoch;
    /** Whether this broker leads the partition now: only then are appends taken. */
    private volatile boolean leader;
    /** Whether replication was told of this leadership (partitionOpened without partitionClosed). Guarded by lock. */
    private boolean replicating;
    private final CompressionCodecs codecs;
    private volatile TopicSettings settings;
    private volatile long highWatermark;
    private volatile boolean offline;
    private volatile long lastTimedFlushMs;

    /** A partition without a log yet: {@link #attach} gives it one. */
    Partition(TopicPartition tp, TopicSettings settings, boolean leader, int leaderEpoch, Replication replication,
              AppendListener appendListener, CompressionCodecs codecs, long nowMs) {
        this.tp = tp;
        this.codecs = codecs;
        this.slot = new LogSlot(nowMs);
        this.settings = settings;
        this.leader = leader;
        this.leaderEpoch = leaderEpoch;
        this.replication = replication;
        this.appendListener = appendListener;
        this.producerState = new ProducerStateManager(tp.toString());
    }

    /**
     * Gives the partition its log: the first one (the high watermark and idempotent-producer state come from it),
     * or the same data reopened by another store after {@link #detach}, whose log end offset must be the one seen
     * before. Requests held meanwhile go on.
     *
     * @return false when the partition is offline (deleted or closed): the caller closes {@code log}
     */
    boolean attach(PartitionLog log, StoreRef origin) {
        List<Runnable> resume;
        lock.lock();
        try {
            if (offline) {
                return false;
            }
            long before = slot.logEndOffsetBeforeDetach();
            boolean first = !slot.offsetsKnown();
            if (!first && log.logEndOffset() != before) {
                LOG.error("{}: the log reopened by store {} ends at offset {}, not at {} as before the swap", tp,
                        origin, log.logEndOffset(), before);
            }
            slot.attach(log, origin);
            if (first && leader) {
                replication.partitionOpened(this);
                replicating = true;
            }
            held.startResuming();
        } finally {
            lock.unlock();
        }
        resumeHeld();
        return true;
    }

    /**
     * Runs the held requests on this thread until none is left, then lets new ones through. Requests arriving
     * meanwhile queue behind the held ones, so a producer's later batch cannot overtake its held earlier one.
     */
    private void resumeHeld() {
        while (true) {
            List<Runnable> next;
            lock.lock();
            try {
                if (!slot.isAttached() && !offline) {
                    held.stopResuming(); // detached again: what is left waits for the next attach
                    return;
                }
                next = held.takeAll();
                if (next.isEmpty()) {
                    held.stopResuming();
                    return;
                }
            } finally {
                lock.unlock();
            }
            HeldRequests.run(next, tp);
        }
    }

    /** Whether a request on this thread must wait: no log, or held requests are being resumed by another thread. */
    private boolean mustWait() {
        return !slot.isAttached() || held.resumedByAnotherThread();
    }

    /**
     * Runs {@code action} once the partition has a log: now when it has one (or is offline), else in the order of
     * the calls when it is attached again (so held appends of one producer keep their order), on the attaching
     * thread. The caller bounds the wait itself.
     */
    void whenAttached(Runnable action) {
        lock.lock();
        try {
            if (!offline && mustWait()) {
                held.add(action);
                return;
            }
        } finally {
            lock.unlock();
        }
        action.run();
    }

    /**
     * Takes the log away and closes it (flushed; slices being sent keep its files until they are released).
     * Appends wait for the next {@link #attach}; the offsets seen last stay readable.
     */
    void detach(long nowMs) throws IOException {
        PartitionLog old;
        lock.lock();
        try {
            old = slot.detach(nowMs);
            if (old != null) {
                old.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The store whose log serves this partition now, or null while detached. */
    StoreRef logOrigin() {
        return slot.origin();
    }

    boolean isAttached() {
        return slot.isAttached();
    }

    /** What the log's store says about it ({@link PartitionLog#describe()}), empty while detached. */
    Map<String, String> describeLog() {
        PartitionLog log = slot.log();
        return log == null ? Map.of() : log.describe();
    }

    /** Whether the partition had a log once (its offsets are known while detached). */
    boolean offsetsKnown() {
        return slot.offsetsKnown();
    }

    long detachedForMs(long nowMs) {
        return slot.detachedForMs(nowMs);
    }

    @Override
    public TopicPartition topicPartition() {
        return tp;
    }

    /** @throws StrataException KAFKA_STORAGE_ERROR while the store is being swapped or missing */
    PartitionLog log() {
        return slot.attachedLog(tp);
    }

    TopicSettings settings() {
        return settings;
    }

    @Override
    public int leaderEpoch() {
        return leaderEpoch;
    }

    /** Whether this broker leads the partition now (the client paths serve it only then). */
    boolean isLeader() {
        return leader;
    }

    /**
     * Follows the metadata store: this broker leads the partition at {@code epoch}, or another broker (or none) does.
     * An older epoch than the one known is ignored (a late event). Becoming leader opens the partition to
     * replication (which sets its high watermark); ceasing to lead closes it there, answers the acks=-1 waits
     * (NOT_LEADER_OR_FOLLOWER) and wakes held fetches, so that clients look for the new leader.
     *
     * @return whether this broker's leadership changed
     */
    boolean applyLeadership(boolean leads, int epoch) {
        boolean changed;
        lock.lock();
        try {
            if (offline || epoch < leaderEpoch) {
                return false;
            }
            leaderEpoch = epoch;
            changed = leads != leader;
            leader = leads;
            if (leads && !replicating && slot.offsetsKnown()) {
                replication.partitionOpened(this);
                replicating = true;
            } else if (!leads && replicating) {
                replication.partitionClosed(this);
                replicating = false;
            }
            if (!leads) {
                hwWaiters.failCurrent();
            }
        } finally {
            lock.unlock();
        }
        if (changed) {
            appendListener.onAppend(tp, 0); // held fetches look again and find the partition led elsewhere
        }
        return changed;
    }

    @Override
    public long highWatermark() {
        return highWatermark;
    }

    /** Equal to the high watermark until transactions arrive. */
    long lastStableOffset() {
        return highWatermark;
    }

    @Override
    public long logStartOffset() {
        return slot.logStartOffset();
    }

    @Override
    public long logEndOffset() {
        return slot.logEndOffset();
    }

    boolean isOffline() {
        return offline;
    }

    /**
     * Validates and appends a produce request's records. The buffer's batch headers are rewritten in place (offsets,
     * leader epoch, append time); a read-only buffer is copied first. When the topic's {@code compression.type}
     * differs from the batch's codec, a recompressed copy is appended instead (see {@link RecordValidator}).
     *
     * @throws IOException when the log cannot be written
     */
    AppendOutcome append(ByteBuffer records, long nowMs) throws IOException {
        if (records == null || !records.hasRemaining()) {
            return AppendOutcome.error(ErrorCode.INVALID_RECORD,
                    "Produce requests must have exactly one record batch per partition; got none");
        }
        ByteBuffer buf = records;
        if (buf.isReadOnly()) {
            buf = ByteBuffer.allocate(records.remaining()).put(records.duplicate()).flip();
        }
        TopicSettings s = settings;
        RecordValidator.Outcome parsed = RecordValidator.parseOne(buf, s);
        if (parsed.isRefused()) {
            return AppendOutcome.error(parsed.error(), parsed.message());
        }
        RecordBatch batch = parsed.batch();
        AppendOutcome refused = RecordValidator.checkBatchKind(batch);
        if (refused != null) {
            return refused;
        }
        if (batch.hasProducerId() && RecordValidator.decompressesOrRecompresses(batch, s)) {
            AppendOutcome duplicate = answerIfDuplicate(batch);
            if (duplicate != null) {
                return duplicate;
            }
        }
        RecordValidator.Outcome validated = RecordValidator.validate(batch, s, codecs, nowMs);
        if (validated.isRefused()) {
            return AppendOutcome.error(validated.error(), validated.message());
        }
        batch = validated.batch();
        if (s.compacted()) {
            RecordValidator.Outcome keyed = RecordValidator.requireKeys(batch, codecs, s, tp);
            if (keyed.isRefused()) {
                return AppendOutcome.error(keyed.error(), keyed.message());
            }
        }

        long logAppendTime = s.logAppendTime() ? nowMs : -1;
        ProduceResult result;
        long required;
        lock.lock();
        try {
            if (offline) {
                return AppendOutcome.error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                        "Partition " + tp + " was deleted or closed");
            }
            if (!leader) { // leadership moved after the caller looked
                return AppendOutcome.error(ErrorCode.NOT_LEADER_OR_FOLLOWER, "This broker no longer leads " + tp);
            }
            PartitionLog log = slot.log();
            if (log == null || mustWait()) {
                return AppendOutcome.DETACHED;
            }
            boolean idempotent = batch.hasProducerId();
            if (idempotent) {
                ProducerStateManager.Check check = producerState.check(batch.producerId(), batch.producerEpoch(),
                        batch.baseSequence(), batch.lastSequence());
                if (check.isDuplicate()) {
                    return duplicateAnswer(batch, check.duplicate());
                }
                if (!check.isAccepted()) {
                    return AppendOutcome.error(check.error(), check.message());
                }
            }
            long baseOffset = log.logEndOffset();
            batch.setBaseOffset(baseOffset);
            batch.setPartitionLeaderEpoch(leaderEpoch);
            if (logAppendTime >= 0) {
                batch.setLogAppendTime(logAppendTime);
            }
            AppendResult appended = log.append(batch.slice());
            if (idempotent) {
                producerState.update(batch.producerId(), batch.producerEpoch(), batch.baseSequence(),
                        batch.lastSequence(), appended.firstOffset(), appended.lastOffset(),
                        logAppendTime >= 0 ? logAppendTime : batch.maxTimestamp(), nowMs);
            }
            replication.leaderAppended(this, appended.logEndOffset());
            required = appended.logEndOffset();
            result = new ProduceResult(ErrorCode.NONE, appended.firstOffset(), logAppendTime, log.logStartOffset(),
                    null);
        } finally {
            lock.unlock();
        }
        completeHighWatermarkWaiters();
        appendListener.onAppend(tp, batch.sizeInBytes());
        return new AppendOutcome(result, required);
    }

    /**
     * Answers a retry of a batch already in the log before it is decompressed or recompressed. The producer id,
     * epoch and sequence range come from the batch header (checked by its CRC), which recompression keeps. Anything
     * other than a duplicate is left to the check under the lock in {@link #append}, which stays authoritative (an
     * append in flight may change the producer's state meanwhile).
     */
    private AppendOutcome answerIfDuplicate(RecordBatch batch) {
        lock.lock();
        try {
            if (offline) {
                return null; // append answers that
            }
            ProducerStateManager.Check check = producerState.check(batch.producerId(), batch.producerEpoch(),
                    batch.baseSequence(), batch.lastSequence());
            return check.isDuplicate() ? duplicateAnswer(batch, check.duplicate()) : null;
        } finally {
            lock.unlock();
        }
    }

    /** The answer to a duplicate: the original batch's offsets. Call under the lock. */
    private AppendOutcome duplicateAnswer(RecordBatch batch, ProducerStateManager.BatchMetadata original) {
        LOG.debug("{}: duplicate batch of producer {} seq {}..{} answered with offset {}", tp, batch.producerId(),
                batch.baseSequence(), batch.lastSequence(), original.firstOffset());
        ProduceResult result = new ProduceResult(ErrorCode.NONE, original.firstOffset(), -1, slot.logStartOffset(),
                null);
        return new AppendOutcome(result, original.lastOffset() + 1);
    }

    /**
     * Called by {@link Replication}; never moves the high watermark backwards nor past the log end offset. Under the
     * partition lock (from {@link Replication#leaderAppended}) the waiters are left to {@link #append}, which
     * completes them after unlocking, so that no caller's callback runs under the lock.
     */
    @Override
    public boolean advanceHighWatermark(long offset) {
        if (offline || !leader || offset <= highWatermark || offset > slot.logEndOffset()) {
            return false;
        }
        synchronized (hwLock) { // two replication threads must not move it back between check and set
            if (offset <= highWatermark) {
                return false;
            }
            highWatermark = offset;
        }
        if (!lock.isHeldByCurrentThread()) {
            completeHighWatermarkWaiters();
            appendListener.onAppend(tp, 0); // newly committed data for waiting fetches
        }
        return true;
    }

    /** Completes the acks=-1 waits that the high watermark has reached. Call without holding the partition lock. */
    void completeHighWatermarkWaiters() {
        hwWaiters.completeReached();
    }

    /**
     * Completes with true once the high watermark reaches {@code offset} (acks=-1), or with false when the
     * partition is offline. The caller bounds the wait.
     */
    CompletableFuture<Boolean> awaitHighWatermark(long offset) {
        CompletableFuture<Boolean> f = hwWaiters.await(offset);
        if (!leader) { // applyLeadership clears the flag before failing the waits registered, so none is missed
            f.complete(Boolean.FALSE);
        }
        return f;
    }

    /**
     * Reads whole batches from {@code offset}.
     *
     * @throws StrataException OFFSET_OUT_OF_RANGE, UNKNOWN_TOPIC_OR_PARTITION once offline, KAFKA_STORAGE_ERROR
     *     while the store is being swapped
     */
    LogSlice read(long offset, int maxBytes, boolean minOneBatch) throws IOException {
        if (offline) {
            throw gone();
        }
        PartitionLog log = slot.attachedLog(tp);
        try {
            return log.read(offset, maxBytes, minOneBatch);
        } catch (IOException | RuntimeException e) {
            if (offline) {
                throw gone();
            }
            throw e;
        }
    }

    private StrataException gone() {
        return new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "Partition " + tp + " was deleted or closed");
    }

    /**
     * Retention: moves the log start offset up to {@code offset} (the caller stays below the high watermark), under
     * the partition lock, so that it is serialised with appends and truncation as the log contract asks.
     *
     * @return the segments the log removed
     * @throws StrataException KAFKA_STORAGE_ERROR while detached, UNKNOWN_TOPIC_OR_PARTITION once offline
     */
    int advanceLogStartOffset(long offset) throws IOException {
        lock.lock();
        try {
            return attachedLog().advanceLogStartOffset(offset);
        } finally {
            lock.unlock();
        }
    }

    /** The log, under the lock. @throws StrataException when offline or detached */
    private PartitionLog attachedLog() {
        if (offline) {
            throw gone();
        }
        return slot.attachedLog(tp);
    }

    void reconfigure(TopicSettings next) {
        lock.lock();
        try {
            PartitionLog log = slot.log();
            if (!offline && log != null && !next.logConfig().equals(settings.logConfig())) {
                log.reconfigure(next.logConfig()); // a detached partition's next log opens with the new settings
            }
            settings = next;
        } finally {
            lock.unlock();
        }
    }

    /** Rebuilds idempotent-producer state from the tail of the log (at open, before any append). */
    void loadProducerState(long windowBytes, long nowMs) throws IOException {
        lock.lock();
        try {
            int batches = LogTailScanner.scan(slot.attachedLog(tp), windowBytes, h -> {
                if (h.producerId() >= 0 && h.baseSequence() >= 0 && !h.control()) {
                    producerState.replay(h.producerId(), h.producerEpoch(), h.baseSequence(), h.lastSequence(),
                            h.baseOffset(), h.lastOffset(), h.maxTimestamp(), nowMs);
                }
            });
            if (producerState.producerCount() > 0) {
                LOG.info("{}: rebuilt state of {} idempotent producer(s) from the last {} batch(es)", tp,
                        producerState.producerCount(), batches);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * DeleteRecords: moves the log start offset up to {@code offset}, never past the high watermark (Kafka's
     * {@code UnifiedLog.maybeIncrementLogStartOffset}). Idempotent-producer state stays, as Kafka keeps it since
     * KIP-360: a producer whose records were removed goes on with its sequence.
     *
     * @return the log start offset now (the low watermark)
     * @throws StrataException OFFSET_OUT_OF_RANGE beyond the high watermark, KAFKA_STORAGE_ERROR without a log,
     *     UNKNOWN_TOPIC_OR_PARTITION once offline
     */
    long deleteRecords(long offset) throws IOException {
        lock.lock();
        try {
            PartitionLog log = attachedLog();
            long hw = highWatermark;
            if (offset > hw) {
                throw new StrataException(ErrorCode.OFFSET_OUT_OF_RANGE, "Cannot increment the log start offset to "
                        + offset + " of partition " + tp + " since it is larger than the high watermark " + hw);
            }
            if (offset > log.logStartOffset()) {
                int removed = log.advanceLogStartOffset(offset);
                LOG.info("{}: incremented log start offset to {} due to client delete records request ({} "
                        + "segment(s) removed)", tp, offset, removed);
            }
            return log.logStartOffset();
        } finally {
            lock.unlock();
        }
    }

    /** The idempotent producers with state here (DescribeProducers). */
    List<ProducerStateManager.Snapshot> producers() {
        lock.lock();
        try {
            if (offline) {
                throw gone();
            }
            return producerState.producers();
        } finally {
            lock.unlock();
        }
    }

    /** Forgets idle producers; returns how many. */
    int expireProducers(long nowMs, long maxIdleMs) {
        lock.lock();
        try {
            return producerState.removeExpired(nowMs, maxIdleMs);
        } finally {
            lock.unlock();
        }
    }

    void flush() throws IOException {
        lock.lock();
        try {
            PartitionLog log = slot.log();
            if (!offline && log != null) {
                log.flush();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Flushes when the topic has a time-based flush policy ({@code flush.ms}) and the last flush by this method is
     * that old, so that an idle partition gets flushed too (the store checks its policy on appends).
     */
    void flushIfDue(long nowMs) throws IOException {
        long flushMs = settings.logConfig().flushMs();
        if (flushMs == Long.MAX_VALUE) {
            return;
        }
        if (lastTimedFlushMs == 0) {
            lastTimedFlushMs = nowMs;
        } else if (nowMs - lastTimedFlushMs >= flushMs) {
            lastTimedFlushMs = nowMs;
            flush();
        }
    }

    /** Closes the log (flushing it); the data stays. */
    void close() throws IOException {
        List<Runnable> resume;
        lock.lock();
        try {
            offline = true; // no further appends or reads
            failWaiters();
            stopReplicating();
            PartitionLog log = slot.detach(0);
            if (log != null) {
                log.close();
            }
            resume = held.takeAll();
        } finally {
            lock.unlock();
        }
        HeldRequests.run(resume, tp); // they find the partition offline
    }

    /**
     * Takes the partition offline and has its log delete its files (the store removes them after
     * {@code file.delete.delay.ms}, so sends in flight complete).
     *
     * @return false when the partition had no log (its store is missing): the caller removes the directory
     */
    boolean delete() throws IOException {
        List<Runnable> resume;
        PartitionLog log;
        lock.lock();
        try {
            offline = true;
            failWaiters();
            stopReplicating();
            producerState.clear();
            log = slot.detach(0);
            resume = held.takeAll();
            if (log != null) {
                log.delete();
            }
        } finally {
            lock.unlock();
        }
        HeldRequests.run(resume, tp); // they find the partition offline
        return log != null;
    }

    /** Call under the lock. */
    private void stopReplicating() {
        if (replicating) {
            replication.partitionClosed(this);
            replicating = false;
        }
    }

    private void failWaiters() {
        hwWaiters.failAll();
    }

    @Override
    public String toString() {
        return "Partition(" + tp + ", hw=" + highWatermark + ")";
    }
}
