package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.broker.internal.BrokerComponent;
import dev.strata.group.internal.GroupCoordinatorComponent;
import dev.strata.group.internal.GroupCoordinatorConfig;
import dev.strata.storage.segment.internal.MmapOffsetIndexFactory;
import dev.strata.storage.segment.internal.SegmentLogStore;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The real Strata stack without a framework: SegmentLogStore → BrokerComponent → GroupCoordinatorComponent, wired
 * and activated the way Declarative Services would (package-private lifecycle methods reached by reflection), plus
 * this bundle's KafkaServer on an ephemeral loopback port. Not thread-safe; one per test.
 */
final class RealStack implements AutoCloseable {
    private final SegmentLogStore store;
    private final BrokerComponent broker = new BrokerComponent();
    private final GroupCoordinatorComponent groups;
    private final KafkaServer server;

    RealStack(Path logDir) throws Exception {
        this(logDir, ServerSettings.loopbackEphemeral());
    }

    /** With the given listener settings (host and port should stay loopback and ephemeral). */
    RealStack(Path logDir, ServerSettings settings) throws Exception {
        store = new SegmentLogStore(new MmapOffsetIndexFactory(), System::currentTimeMillis);
        Method bind = BrokerComponent.class.getDeclaredMethod("bindLogStore", dev.strata.api.log.LogStore.class,
                Map.class);
        bind.setAccessible(true);
        bind.invoke(broker, store, Map.of(dev.strata.api.log.LogStore.PROPERTY_NAME, "segment"));
        Method activate = BrokerComponent.class.getDeclaredMethod("activate", Map.class);
        activate.setAccessible(true);
        activate.invoke(broker, Map.of("broker.id", 0, "log.dirs", logDir.toString()));
        groups = new GroupCoordinatorComponent(broker, config(Map.of("offsets_topic_num_partitions", 3,
                "group_initial_rebalance_delay_ms", 0)));
        server = new KafkaServer(broker, settings, () -> groups);
        server.start();
    }

    /** An annotation-typed configuration: the given values, defaults for the rest. */
    private static GroupCoordinatorConfig config(Map<String, Object> values) {
        return (GroupCoordinatorConfig) Proxy.newProxyInstance(GroupCoordinatorConfig.class.getClassLoader(),
                new Class<?>[] {GroupCoordinatorConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return GroupCoordinatorConfig.class;
                    }
                    Object v = values.get(method.getName());
                    if (v == null) {
                        return method.getDefaultValue();
                    }
                    return method.getReturnType() == short.class ? ((Number) v).shortValue() : v;
                });
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
    public void close() throws ReflectiveOperationException {
        server.close();
        Method groupsDeactivate = GroupCoordinatorComponent.class.getDeclaredMethod("deactivate");
        groupsDeactivate.setAccessible(true);
        groupsDeactivate.invoke(groups);
        Method deactivate = BrokerComponent.class.getDeclaredMethod("deactivate");
        deactivate.setAccessible(true);
        deactivate.invoke(broker);
        store.deactivate();
    }
}
