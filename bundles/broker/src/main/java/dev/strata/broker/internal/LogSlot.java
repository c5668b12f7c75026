package dev.strata.broker.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.log.PartitionLog;

/**
 * The log a partition reads and writes now, or none while its store is being swapped or no store is bound. While
 * detached, the offsets last seen are kept (a swap does not change them).
 *
 * <p>Thread-safety: changed by its partition under the partition lock; read lock-free (one volatile state).
 */
final class LogSlot {
    /** Offsets are unknown until a log was attached once. */
    static final long UNKNOWN = -1;

    private record State(PartitionLog log, StoreRef origin, long detachedSinceMs, long logStartOffset,
                         long logEndOffset) {
    }

    private volatile State state;

    LogSlot(long nowMs) {
        state = new State(null, null, nowMs, UNKNOWN, UNKNOWN);
    }

    /** The attached log, or null while detached. */
    PartitionLog log() {
        return state.log();
    }

    /**
     * The attached log.
     *
     * @throws StrataException KAFKA_STORAGE_ERROR (retriable) while detached
     */
    PartitionLog attachedLog(Object partition) {
        PartitionLog log = state.log();
        if (log == null) {
            throw unavailable(partition);
        }
        return log;
    }

    static StrataException unavailable(Object partition) {
        return new StrataException(ErrorCode.KAFKA_STORAGE_ERROR, "The log store of " + partition
                + " is being swapped or is not available");
    }

    StoreRef origin() {
        return state.origin();
    }

    boolean isAttached() {
        return state.log() != null;
    }

    /** Whether a log was attached at some point, so the offsets are known. */
    boolean offsetsKnown() {
        return state.logEndOffset() != UNKNOWN || state.log() != null;
    }

    /** How long the partition has been without a log, 0 when attached. */
    long detachedForMs(long nowMs) {
        State s = state;
        return s.log() != null ? 0 : Math.max(0, nowMs - s.detachedSinceMs());
    }

    long logStartOffset() {
        State s = state;
        return s.log() != null ? s.log().logStartOffset() : s.logStartOffset();
    }

    long logEndOffset() {
        State s = state;
        return s.log() != null ? s.log().logEndOffset() : s.logEndOffset();
    }

    /** Call under the partition lock. Returns the previous log (the caller closes it), or null. */
    PartitionLog detach(long nowMs) {
        State s = state;
        if (s.log() == null) {
            return null;
        }
        state = new State(null, null, nowMs, s.log().logStartOffset(), s.log().logEndOffset());
        return s.log();
    }

    /** Call under the partition lock. */
    void attach(PartitionLog log, StoreRef origin) {
        state = new State(log, origin, 0, UNKNOWN, UNKNOWN);
    }

    /** The log end offset last seen before the detach, or {@link #UNKNOWN}. */
    long logEndOffsetBeforeDetach() {
        return state.logEndOffset();
    }
}
