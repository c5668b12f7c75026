package dev.strata.metadata.local.internal;

import dev.strata.api.metadata.MetadataStore;
import dev.strata.files.LogDirs;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the single-broker {@link LocalMetadataStore} as the {@code MetadataStore} service, configured by the
 * broker's own PID {@value #BROKER_PID}, when the broker is not in a cluster: with {@code zookeeper.connect} set the
 * ZooKeeper store (bundle metadata-zookeeper, reading the same PID) registers instead, so both bundles can be
 * installed and exactly one serves.
 *
 * <p>The service carries {@code log.dirs} (as configured, blank for the default directory), {@code broker.id} and
 * {@code strata.metadata.name=local}: the broker runs only on the store of its own directory and id. The broker's
 * other settings change live and leave the store alone; a change of {@code log.dirs}, {@code broker.id} or
 * {@code zookeeper.connect} unregisters the store and opens (or not) the one the new settings name, and the
 * broker, bound statically, follows.
 *
 * <p>Thread-safety: DS serialises activate, modified and deactivate.
 */
@Component(configurationPid = LocalMetadataComponent.BROKER_PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true, service = {})
public final class LocalMetadataComponent {
    private static final Logger LOG = LoggerFactory.getLogger(LocalMetadataComponent.class);
    static final String BROKER_PID = "dev.strata.broker";
    static final String ZOOKEEPER_CONNECT = "zookeeper.connect";
    static final String METADATA_NAME = "strata.metadata.name";

    private final BundleContext context;
    /** What the registered store was opened on (null while none is). */
    private Key key;
    private ServiceRegistration<MetadataStore> registration;

    /** The settings that choose a store: a change of any of them is another store. */
    private record Key(Path logDir, int brokerId, boolean cluster, Object configuredDirs) {
    }

    @Activate
    public LocalMetadataComponent(BundleContext context, Map<String, Object> properties) throws IOException {
        this.context = context;
        open(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) throws IOException {
        if (keyOf(properties).equals(key)) {
            return;
        }
        LOG.info("log.dirs, broker.id or zookeeper.connect changed: re-opening the metadata store");
        close();
        open(properties);
    }

    @Deactivate
    void close() {
        if (registration != null) {
            registration.unregister(); // the broker, bound statically, stops with it
            registration = null;
        }
        key = null;
    }

    private Key keyOf(Map<String, Object> properties) {
        Path dir = LocalMetadataStore.logDir(properties, LogDirs.defaultDir(context::getProperty));
        Object zk = properties.get(ZOOKEEPER_CONNECT);
        return new Key(dir, LocalMetadataStore.brokerId(properties), zk != null && !zk.toString().isBlank(),
                properties.getOrDefault(LocalMetadataStore.LOG_DIRS, ""));
    }

    private void open(Map<String, Object> properties) throws IOException {
        Key next = keyOf(properties);
        key = next;
        if (next.cluster()) {
            LOG.info("zookeeper.connect is set: this broker is in a cluster, the local metadata store stays off");
            return;
        }
        LocalMetadataStore store = new LocalMetadataStore(next.logDir(), next.brokerId());
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(LocalMetadataStore.LOG_DIRS, next.configuredDirs());
        props.put(LocalMetadataStore.BROKER_ID, next.brokerId());
        props.put(METADATA_NAME, "local");
        registration = context.registerService(MetadataStore.class, store, props);
    }
}
