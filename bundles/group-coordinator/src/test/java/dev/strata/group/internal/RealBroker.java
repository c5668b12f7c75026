package dev.strata.group.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.CreateTopicResult;
import dev.strata.api.common.ErrorCode;
import dev.strata.broker.internal.BrokerComponent;
import dev.strata.storage.segment.internal.MmapOffsetIndexFactory;
import dev.strata.storage.segment.internal.SegmentLogStore;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Map;

/**
 * The real broker (BrokerComponent over a SegmentLogStore) on a temp dir, started the way Declarative Services
 * would start it: field injection of the log store, then activate with the configuration map.
 */
final class RealBroker implements AutoCloseable {
    final BrokerComponent broker = new BrokerComponent();
    private final SegmentLogStore store;

    RealBroker(Path logDir) throws Exception {
        store = new SegmentLogStore(new MmapOffsetIndexFactory(), System::currentTimeMillis);
        Method bind = BrokerComponent.class.getDeclaredMethod("bindLogStore", dev.strata.api.log.LogStore.class,
                Map.class);
        bind.setAccessible(true);
        bind.invoke(broker, store, Map.of(dev.strata.api.log.LogStore.PROPERTY_NAME, "segment"));
        Method activate = BrokerComponent.class.getDeclaredMethod("activate", Map.class);
        activate.setAccessible(true);
        activate.invoke(broker, Map.of("broker.id", 0, "log.dirs", logDir.toString()));
    }

    Broker broker() {
        return broker;
    }

    void createTopic(String name, int partitions) {
        CreateTopicResult r = broker.createTopic(name, partitions, (short) -1, Map.of(), false,
                OffsetsTopic.CONTEXT);
        if (r.error() != ErrorCode.NONE) {
            throw new IllegalStateException("createTopic " + name + ": " + r.error() + " " + r.message());
        }
    }

    @Override
    public void close() throws Exception {
        Method deactivate = BrokerComponent.class.getDeclaredMethod("deactivate");
        deactivate.setAccessible(true);
        deactivate.invoke(broker);
        store.deactivate();
    }
}
