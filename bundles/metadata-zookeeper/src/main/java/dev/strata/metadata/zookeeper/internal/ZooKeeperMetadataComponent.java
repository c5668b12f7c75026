package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.metadata.MetadataStore;
import dev.strata.files.LogDirs;
import dev.strata.protocol.kafka.api.KafkaListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the {@link ZooKeeperMetadataStore} as the {@code MetadataStore} service when the broker's PID
 * {@value #BROKER_PID} names {@code zookeeper.connect} (blank: the single-broker store of metadata-local serves, and
 * this component stays idle). The service carries {@code log.dirs} (as configured), {@code broker.id} and
 * {@code strata.metadata.name=zookeeper}, which the broker checks. A change of {@code zookeeper.connect},
 * {@code log.dirs} or {@code broker.id} unregisters the store and opens the one the new settings name; the
 * broker's other settings change live and leave it alone (its controller settings apply from the next start).
 *
 * <p>The broker registers in ZooKeeper with the endpoint of the protocol bundle's {@link KafkaListener} service (a
 * dynamic, optional reference): once it is bound, and again when it moves.
 *
 * <p>Thread-safety: DS serialises activate, modified and deactivate; the listener reference is dynamic.
 */
@Component(configurationPid = ZooKeeperMetadataComponent.BROKER_PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true, service = {})
public final class ZooKeeperMetadataComponent {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperMetadataComponent.class);
    static final String BROKER_PID = "dev.strata.broker";
    static final String ZOOKEEPER_CONNECT = "zookeeper.connect";

    private final BundleContext context;
    private ZooKeeperMetadataStore store;
    private ServiceRegistration<MetadataStore> registration;
    private volatile KafkaListener listener;

    @Activate
    public ZooKeeperMetadataComponent(BundleContext context, Map<String, Object> properties) throws IOException {
        this.context = context;
        open(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) throws IOException {
        ZooKeeperMetadataStore.Config next = config(properties);
        if (store == null ? next == null : next != null && store.sameIdentity(next)) {
            return;
        }
        LOG.info("zookeeper.connect, log.dirs or broker.id changed: re-opening the metadata store");
        close();
        open(properties);
    }

    private synchronized void open(Map<String, Object> properties) throws IOException {
        ZooKeeperMetadataStore.Config config = config(properties);
        if (config == null) {
            return; // a single broker: metadata-local serves
        }
        try {
            store = new ZooKeeperMetadataStore(config);
        } catch (IOException | RuntimeException e) {
            LOG.error("Broker {} cannot join the cluster at {}: {}", config.brokerId(), config.zookeeperConnect(),
                    e.getMessage());
            throw e;
        }
        KafkaListener l = listener;
        if (l != null) {
            store.endpoint(l.host(), l.port());
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(LogDirs.LOG_DIRS, properties.getOrDefault(LogDirs.LOG_DIRS, ""));
        props.put(Settings.BROKER_ID, config.brokerId());
        props.put("strata.metadata.name", "zookeeper");
        registration = context.registerService(MetadataStore.class, store, props);
        ZooKeeperMetadataStore opened = store;
        opened.onRefused(() -> refused(opened));
    }

    /**
     * Another live broker holds this broker id (found at registration, after the start-up check passed): withdraw
     * the store as a failed activation would, so this broker serves nothing and never becomes controller.
     */
    private synchronized void refused(ZooKeeperMetadataStore refused) {
        if (store != refused) {
            return;
        }
        LOG.error("Broker {} has no metadata store: its broker.id is registered by another live broker;"
                + " give each broker its own broker.id and restart it", refused.localBrokerId());
        close();
    }

    /** The store's configuration, or null when {@code zookeeper.connect} is blank. */
    private ZooKeeperMetadataStore.Config config(Map<String, Object> properties) {
        Object connect = properties.get(ZOOKEEPER_CONNECT);
        if (connect == null || connect.toString().isBlank()) {
            return null;
        }
        Path dir = LogDirs.resolve(properties.get(LogDirs.LOG_DIRS), LogDirs.defaultDir(context::getProperty));
        return Settings.config(connect.toString().trim(), dir, properties);
    }

    @Deactivate
    synchronized void close() {
        if (registration != null) {
            registration.unregister(); // the broker, bound statically, stops first (and hands over its partitions)
            registration = null;
        }
        if (store != null) {
            store.close();
            store = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            unbind = "unbindListener", updated = "updatedListener")
    void bindListener(KafkaListener bound) {
        listener = bound;
        endpointChanged(bound);
    }

    void updatedListener(KafkaListener bound) {
        endpointChanged(bound);
    }

    void unbindListener(KafkaListener gone) {
        if (listener == gone) {
            listener = null; // the registration stays: the broker is alive until its session ends
        }
    }

    private synchronized void endpointChanged(KafkaListener bound) {
        if (store != null) {
            store.endpoint(bound.host(), bound.port());
        }
    }
}
