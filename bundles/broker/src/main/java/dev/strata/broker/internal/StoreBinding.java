package dev.strata.broker.internal;

import dev.strata.api.log.LogStore;
import java.util.Map;
import org.osgi.framework.Constants;

/**
 * The {@link LogStore} the broker uses now, as Declarative Services binds and unbinds it, and the one listener (the
 * running {@link LogManager}) that moves partitions when it changes. Outlives broker cores: DS may bind the store
 * before the broker activates, and keeps it across a core restart.
 *
 * <p>Thread-safety: thread-safe; DS serialises bind and unbind of one reference.
 */
final class StoreBinding {

    /** Told of store changes; {@link #storeUnbound} must have stopped using the store when it returns. */
    interface Listener {
        void storeBound(StoreRef store);

        void storeUnbound(StoreRef store);
    }

    private volatile StoreRef current;
    private volatile Listener listener;

    /** A binding that always has {@code store} (tests and plain-Java use). */
    static StoreBinding of(LogStore store) {
        StoreBinding b = new StoreBinding();
        b.bind(store, Map.of(LogStore.PROPERTY_NAME, "test"));
        return b;
    }

    StoreRef current() {
        return current;
    }

    void bind(LogStore store, Map<String, ?> properties) {
        StoreRef ref = new StoreRef(store, String.valueOf(properties.get(LogStore.PROPERTY_NAME) == null ? "?" : properties.get(LogStore.PROPERTY_NAME)),
                properties.get(Constants.SERVICE_ID) instanceof Long id ? id : -1,
                properties.get(Constants.SERVICE_BUNDLEID) instanceof Long b ? "bundle " + b : null);
        current = ref;
        Listener l = listener;
        if (l != null) {
            l.storeBound(ref);
        }
    }

    void unbind(LogStore store) {
        StoreRef ref = current;
        StoreRef gone = ref != null && ref.store() == store ? ref : new StoreRef(store, "?", -1, null);
        if (ref != null && ref.store() == store) {
            current = null;
        }
        Listener l = listener;
        if (l != null) {
            l.storeUnbound(gone);
        }
    }

    void setListener(Listener l) {
        listener = l;
    }
}
