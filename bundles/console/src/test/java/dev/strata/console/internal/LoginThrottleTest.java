package dev.strata.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LoginThrottle throttle = new LoginThrottle(now::get);

    @Test
    void fiveFailuresAreFreeThenTheWaitDoublesUpToAMinute() {
        for (int i = 1; i < LoginThrottle.FREE_FAILURES; i++) {
            assertEquals(0, throttle.failed("a"));
            assertEquals(0, throttle.waitMillis("a"));
        }
        assertEquals(1000, throttle.failed("a"));
        assertEquals(1000, throttle.waitMillis("a"));
        now.addAndGet(400);
        assertEquals(600, throttle.waitMillis("a"));
        assertEquals(0, throttle.waitMillis("b"), "other addresses are not affected");
        assertEquals(2000, throttle.failed("a"));
        assertEquals(4000, throttle.failed("a"));
        for (int i = 0; i < 20; i++) {
            throttle.failed("a");
        }
        assertEquals(60_000, throttle.waitMillis("a"));
        now.addAndGet(60_000);
        assertEquals(0, throttle.waitMillis("a"));
    }

    @Test
    void aSuccessfulLoginForgetsTheFailures() {
        for (int i = 0; i < 7; i++) {
            throttle.failed("a");
        }
        throttle.succeeded("a");
        assertEquals(0, throttle.waitMillis("a"));
        assertEquals(0, throttle.failed("a"));
    }

    @Test
    void theNumberOfTrackedAddressesIsBounded() {
        for (int i = 0; i <= LoginThrottle.MAX_TRACKED; i++) {
            for (int f = 0; f < LoginThrottle.FREE_FAILURES; f++) {
                throttle.failed("10.0." + i);
            }
        }
        assertEquals(0, throttle.waitMillis("10.0.0"), "the oldest address was dropped");
        assertEquals(1000, throttle.waitMillis("10.0." + LoginThrottle.MAX_TRACKED));
    }
}
