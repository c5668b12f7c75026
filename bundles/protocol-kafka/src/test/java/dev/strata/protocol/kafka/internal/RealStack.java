package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.testkit.osgi.StrataFramework;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The real Strata stack: the broker, segment store, local metadata and replication and group-coordinator bundles
 * in an embedded Felix framework (their services exactly as Declarative Services registers them), plus this
 * bundle's KafkaServer on an ephemeral loopback port over those services. Not thread-safe; one per test.
 */
final class RealStack implements AutoCloseable {
    static final String GROUP_COORDINATOR_BUNDLE = "dev.strata.group.coordinator";
    private final StrataFramework framework;
    private final Broker broker;
    private final GroupCoordinator groups;
    private final KafkaServer server;

    RealStack(Path logDir) throws Exception {
        this(logDir, ServerSettings.loopbackEphemeral());
    }

    /** With the given listener settings (host and port should stay loopback and ephemeral). */
    RealStack(Path logDir, ServerSettings settings) throws Exception {
        List<String> bundles = new ArrayList<>(StrataFramework.BROKER_BUNDLES);
        bundles.add(GROUP_COORDINATOR_BUNDLE);
        framework = StrataFramework.start(Map.of(
                "dev.strata.broker", Map.of("broker.id", 0, "log.dirs", logDir.toString()),
                "dev.strata.group.coordinator", Map.of("offsets.topic.num.partitions", 3,
                        "group.initial.rebalance.delay.ms", 0)), bundles);
        broker = framework.service(Broker.class);
        groups = framework.service(GroupCoordinator.class);
        server = new KafkaServer(broker, settings, () -> groups);
        server.start();
    }

    /** The framework the services run in (to stop a bundle, say). */
    StrataFramework framework() {
        return framework;
    }

    KafkaServer server() {
        return server;
    }

    Broker broker() {
        return broker;
    }

    GroupCoordinator groupCoordinator() {
        return groups;
    }

    String bootstrap() {
        return "127.0.0.1:" + server.port();
    }

    int port() {
        return server.port();
    }

    /** kafka-clients settings for this stack: its address and test-sized timeouts. */
    Properties clientProperties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap());
        p.put("request.timeout.ms", 15000);
        p.put("default.api.timeout.ms", 30000);
        return p;
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            framework.close();
        }
    }
}
