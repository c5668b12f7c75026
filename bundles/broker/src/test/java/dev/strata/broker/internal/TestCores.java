package dev.strata.broker.internal;

import dev.strata.api.log.LogStore;
import dev.strata.api.replication.Replication;
import dev.strata.metadata.local.internal.LocalMetadataStore;
import dev.strata.replication.local.internal.LocalReplication;
import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * Starts a {@link BrokerCore} without a framework, on the services a default deployment gives it: the local
 * metadata store on the settings' {@code log.dirs} and local replication (unless a test brings its own).
 */
final class TestCores {
    private TestCores() {
    }

    static BrokerCore start(BrokerSettings settings, LogStore store) throws IOException {
        return start(settings, store, System::currentTimeMillis);
    }

    static BrokerCore start(BrokerSettings settings, LogStore store, LongSupplier clock) throws IOException {
        return start(settings, store, clock, new LocalReplication());
    }

    static BrokerCore start(BrokerSettings settings, LogStore store, CompressionCodecs codecs) throws IOException {
        return start(settings, store, System::currentTimeMillis, new LocalReplication(), codecs);
    }

    static BrokerCore start(BrokerSettings settings, LogStore store, LongSupplier clock, Replication replication)
            throws IOException {
        return start(settings, store, clock, replication, new CompressionCodecs());
    }

    static BrokerCore start(BrokerSettings settings, LogStore store, LongSupplier clock, Replication replication,
                            CompressionCodecs codecs) throws IOException {
        return BrokerCore.start(settings, store, new LocalMetadataStore(settings.logDir(), settings.brokerId()),
                replication, codecs, clock);
    }
}
