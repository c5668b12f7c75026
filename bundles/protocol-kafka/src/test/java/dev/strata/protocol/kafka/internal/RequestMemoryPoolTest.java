package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pool's bookkeeping on its own: strict capacity, first fit, cancel. */
class RequestMemoryPoolTest {

    private record Ask(int bytes, List<Integer> grants) implements RequestMemoryPool.Waiter {
        @Override
        public void granted() {
            grants.add(bytes);
        }
    }

    @Test
    void reservesUpToTheCapacityAndGrantsWaitersThatFitInOrder() {
        RequestMemoryPool pool = new RequestMemoryPool(100);
        List<Integer> grants = new ArrayList<>();
        assertTrue(pool.reserveOrWait(new Ask(60, grants)));
        assertFalse(pool.reserveOrWait(new Ask(50, grants)), "60 + 50 > 100: waits");
        assertTrue(pool.reserveOrWait(new Ask(30, grants)), "first fit: a smaller request passes the waiting one");
        Ask small = new Ask(10, grants);
        Ask other = new Ask(20, grants);
        assertTrue(pool.reserveOrWait(small));
        assertFalse(pool.reserveOrWait(other));
        assertEquals(100, pool.used());
        assertEquals(2, pool.waiting());
        pool.release(30);
        assertEquals(List.of(20), grants, "the 50 still does not fit; the 20 behind it does");
        pool.release(60);
        assertEquals(List.of(20, 50), grants);
        assertEquals(10 + 20 + 50, pool.used());
        assertEquals(100, pool.peak(), "never above the capacity");
        assertEquals(0, pool.waiting());
    }

    @Test
    void cancelledWaitersAreNotGranted() {
        RequestMemoryPool pool = new RequestMemoryPool(10);
        List<Integer> grants = new ArrayList<>();
        assertTrue(pool.reserveOrWait(new Ask(10, grants)));
        Ask waiting = new Ask(5, grants);
        assertFalse(pool.reserveOrWait(waiting));
        assertTrue(pool.cancel(waiting));
        assertFalse(pool.cancel(waiting), "already out of line");
        pool.release(10);
        assertEquals(List.of(), grants);
        assertEquals(0, pool.used());
        assertThrows(IllegalStateException.class, () -> pool.release(1));
    }

    @Test
    void zeroOrNegativeCapacityIsUnbounded() {
        RequestMemoryPool pool = new RequestMemoryPool(-1);
        assertEquals(Long.MAX_VALUE, pool.capacity());
        assertTrue(pool.reserveOrWait(new Ask(Integer.MAX_VALUE, new ArrayList<>())));
    }
}
