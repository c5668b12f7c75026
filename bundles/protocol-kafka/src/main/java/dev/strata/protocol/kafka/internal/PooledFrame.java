package dev.strata.protocol.kafka.internal;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;

/**
 * One request's bytes, in a heap array of exactly its size, whose reservation in the {@link RequestMemoryPool} is
 * returned when the last reference is released. The request's parsed body reads the array in place (no copy).
 *
 * <p>Filled on its connection's event loop; afterwards read-only, released from any thread.
 */
final class PooledFrame extends UnpooledHeapByteBuf {
    private final RequestMemoryPool pool;
    private final int size;

    /** Allocates {@code size} bytes already reserved in {@code pool}. */
    PooledFrame(RequestMemoryPool pool, int size) {
        super(UnpooledByteBufAllocator.DEFAULT, new byte[size], size);
        this.pool = pool;
        this.size = size;
        writerIndex(0);
    }

    boolean full() {
        return writerIndex() == size;
    }

    @Override
    protected void deallocate() {
        super.deallocate();
        pool.release(size);
    }
}
