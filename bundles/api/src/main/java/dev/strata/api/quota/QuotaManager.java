package dev.strata.api.quota;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Records usage per user and client-id and says how long a client must be throttled. Absent this service, the
 * broker throttles no one. Implementations are thread-safe.
 */
// Implemented by the quota bundle; the broker only calls it.
@ProviderType
public interface QuotaManager {
    /**
     * Records {@code amount} (bytes, or nanoseconds of request time) against the quota of (user, clientId).
     *
     * @return the throttle time in milliseconds, 0 when the client is within its quota
     */
    long record(QuotaType type, String user, String clientId, long amount, long nowMs);
}
