package dev.strata.group.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.CreateTopicResult;
import dev.strata.api.common.ErrorCode;
import dev.strata.testkit.osgi.StrataFramework;
import java.nio.file.Path;
import java.util.Map;

/**
 * The real broker (the broker bundle over the segment store, local metadata and local replication) on a temp dir,
 * in an embedded Felix framework: the {@link Broker} service exactly as Declarative Services registers it.
 */
final class RealBroker implements AutoCloseable {
    private final StrataFramework framework;
    private final Broker broker;

    RealBroker(Path logDir) throws Exception {
        framework = StrataFramework.start(Map.of("dev.strata.broker",
                Map.of("broker.id", 0, "log.dirs", logDir.toString())), StrataFramework.BROKER_BUNDLES);
        broker = framework.service(Broker.class);
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
    public void close() {
        framework.close();
    }
}
