package dev.strata.broker.internal;

import dev.strata.api.log.LogStore;

/**
 * A bound {@link LogStore} service and how to name it in logs and {@code strata:storage}: its
 * {@value LogStore#PROPERTY_NAME}, its service id and the bundle that provides it.
 */
record StoreRef(LogStore store, String name, long serviceId, String bundle) {

    @Override
    public String toString() {
        return name + " (service " + serviceId + (bundle == null ? "" : ", " + bundle) + ")";
    }
}
