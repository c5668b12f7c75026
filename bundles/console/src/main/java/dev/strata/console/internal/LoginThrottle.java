package dev.strata.console.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Counts failed web console logins per client address and says how long an address must wait: nothing for the
 * first {@link #FREE_FAILURES} failures, then 1 s, doubling with each further failure up to {@link #MAX_BLOCK}.
 * A successful login forgets the address. At most {@link #MAX_TRACKED} addresses are remembered (the oldest are
 * dropped), so a flood of addresses cannot grow it without bound.
 *
 * <p>Thread-safe: every method is synchronized (a login is rare; contention is not a concern).
 */
final class LoginThrottle {
    static final int FREE_FAILURES = 5;
    static final Duration MAX_BLOCK = Duration.ofSeconds(60);
    static final int MAX_TRACKED = 10_000;

    private record Failures(int count, long blockedUntilMillis) { }

    private final LongSupplier clockMillis;
    private final Map<String, Failures> byAddress = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
            return size() > MAX_TRACKED;
        }
    };

    LoginThrottle(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /** Milliseconds the address must still wait before its next login attempt; 0 when it may try now. */
    synchronized long waitMillis(String address) {
        Failures f = byAddress.get(address);
        return f == null ? 0 : Math.max(0, f.blockedUntilMillis() - clockMillis.getAsLong());
    }

    /** Records a failed login; returns how long the address is now blocked (0 while under the free failures). */
    synchronized long failed(String address) {
        Failures before = byAddress.get(address);
        int count = before == null ? 1 : before.count() + 1;
        long block = 0;
        if (count >= FREE_FAILURES) {
            int doublings = Math.min(count - FREE_FAILURES, 16);
            block = Math.min(MAX_BLOCK.toMillis(), 1000L << doublings);
        }
        byAddress.put(address, new Failures(count, clockMillis.getAsLong() + block));
        return block;
    }

    synchronized void succeeded(String address) {
        byAddress.remove(address);
    }
}
