package dev.strata.quota.noop.internal;

import dev.strata.api.quota.QuotaManager;
import dev.strata.api.quota.QuotaType;
import org.osgi.service.component.annotations.Component;

/**
 * The quota manager of a deployment without quotas: every client is within its quota. It exists so that the
 * protocol layer's quota path always runs the same way and a real implementation (the quota issue) replaces it by
 * service ranking, not by code changes. Stateless: thread-safe.
 */
@Component(service = QuotaManager.class, property = "strata.quota.name=noop")
public final class NoopQuotaManager implements QuotaManager {
    @Override
    public long record(QuotaType type, String user, String clientId, long amount, long nowMs) {
        return 0;
    }
}
