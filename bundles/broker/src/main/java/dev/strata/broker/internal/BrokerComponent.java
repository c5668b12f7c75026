package dev.strata.broker.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.cleaner.LogCleaner;
import dev.strata.api.broker.ConfigEntry;
import dev.strata.api.broker.ConfigOp;
import dev.strata.api.broker.ConfigResource;
import dev.strata.api.broker.DeleteRecordsResult;
import dev.strata.api.broker.LogDirDescription;
import dev.strata.api.broker.ProducerDescription;
import dev.strata.api.broker.CreateTopicResult;
import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.ListOffsetResult;
import dev.strata.api.broker.ProduceResult;
import dev.strata.api.broker.ProducerIdResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.log.LogStore;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.TopicMetadata;
import dev.strata.api.replication.Replication;
import dev.strata.files.LogDirs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker as an OSGi component: registers {@link Broker} once a {@link LogStore}, a {@link MetadataStore} and a
 * {@link Replication} service are available, configured by PID {@value #PID}. The service delegates to a
 * {@link BrokerCore}; a configuration change of {@code broker.id} or {@code log.dirs} closes the core and opens a
 * new one, any other change is applied live.
 *
 * <p>The log store is a dynamic, optional, greedy reference named {@value #LOG_STORE_REFERENCE}: the broker, its
 * services and every connection stay up while stores come and go. When the bound store goes away (its bundle
 * stopped or updated), the partitions it opened are closed and their requests held for
 * {@code log.store.unavailable.wait.ms}, then answered KAFKA_STORAGE_ERROR (retriable); when a store is bound (a
 * better-ranked one, a new {@code logStore.target}, or the updated bundle's), the partitions are moved to it one by
 * one (see {@link LogManager}). Choose a store with {@code logStore.target}, e.g.
 * {@code (strata.store.name=segment)}.
 *
 * <p>The metadata store ({@value #METADATA_REFERENCE}) and replication ({@value #REPLICATION_REFERENCE}) are static,
 * mandatory, greedy references in the same way: the broker never runs on two of either. A metadata store that
 * carries the service property {@code log.dirs} (the local one, configured by this same PID, does) keeps its files
 * there, and the broker runs only on the store of its own {@code log.dirs} and {@code broker.id}: while the two
 * components take a changed configuration one after the other, the broker waits (answering as a restarting broker
 * does) rather than open logs under one directory for the topics of another.
 *
 * <p>Compression codecs are a dynamic, multiple, greedy reference named {@value #CODECS_REFERENCE}: a codec bundle
 * started at any time (e.g. dropped into {@code deploy/}) is usable by the next produce, one that stops is dropped
 * from {@link CompressionCodecs} without touching the broker (requests holding it finish; later ones for its type
 * get UNSUPPORTED_COMPRESSION_TYPE).
 *
 * <p>The settings in force are the configuration under the dynamic ones the metadata store keeps (AlterConfigs on
 * this broker or the cluster default, see {@link ConfigLayers}); the component listens to the store and applies a
 * change live. A ConfigAdmin edit and an Admin alter are one change ({@link ConfigAdminSync}); ConfigAdmin is an
 * optional, dynamic reference.
 *
 * <p>The log cleaner ({@value #CLEANER_REFERENCE}) is a dynamic, optional, greedy reference: compacted topics are
 * cleaned by {@link LogCleanerManager}'s threads through whichever {@code LogCleaner} service is bound, and are
 * left as they are (with one WARN) while none is.
 *
 * <p>Thread-safety: thread-safe. DS serialises activate/modified/deactivate; requests read the current core
 * through a volatile field; the settings are rebuilt under a lock that is never held while calling the metadata
 * store (which calls back under its own).
 */
@Component(service = Broker.class, configurationPid = BrokerComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = BrokerConfiguration.class)
public final class BrokerComponent implements Broker {
    public static final String PID = "dev.strata.broker";
    static final String LOG_STORE_REFERENCE = "logStore";
    static final String METADATA_REFERENCE = "metadata";
    static final String REPLICATION_REFERENCE = "replication";
    static final String CODECS_REFERENCE = "compressionCodecs";
    static final String CLEANER_REFERENCE = "logCleaner";
    private static final Logger LOG = LoggerFactory.getLogger(BrokerComponent.class);
    static final String CONTROLLED_SHUTDOWN_ENABLE = "controlled.shutdown.enable";
    /** How long a stopping broker waits for the controller to move its leaderships. */
    static final long CONTROLLED_SHUTDOWN_TIMEOUT_MS = 30_000;

    /** Outlives cores, like the codecs: DS may bind the store before activation. */
    private final StoreBinding stores = new StoreBinding();

    @Reference(name = REPLICATION_REFERENCE, policy = ReferencePolicy.STATIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private Replication replication;

    private MetadataStore metadata;
    /** The bound metadata store's service property log.dirs (null when unset: it keeps the default). */
    private Object metadataLogDirs;
    /** Whether the bound metadata store says where it keeps its files (the local one does). */
    private boolean metadataSaysDir;
    /** {@code log.dirs} when not configured, from the framework properties ({@link LogDirs#defaultDir}). */
    private Path defaultLogDir = LogDirs.defaultDir(name -> null);
    /** Whether the whole framework is stopping (then deactivation is a broker shutdown); false without one. */
    private BooleanSupplier frameworkStopping = () -> false;

    /** Outlives cores: DS may bind codecs before activation and keeps them across a core restart. */
    private final CompressionCodecs codecs = new CompressionCodecs();
    private volatile BrokerCore core;
    /** Guarded by {@link #configLock}: the settings in force (static under dynamic) and the static properties. */
    private BrokerSettings settings;
    private Map<String, Object> staticProps = Map.of();
    /**
     * Taken inside the metadata store's lock (its listener call) and never held while calling the store, so the two
     * cannot deadlock.
     */
    private final Object configLock = new Object();
    private final MetadataListener dynamicConfigs = new MetadataListener() {
        @Override
        public void topicCreated(TopicMetadata topic) {
        }

        @Override
        public void topicDeleted(TopicMetadata topic) {
        }

        @Override
        public void brokerConfigsChanged(String entity) {
            applyDynamicConfigs(entity);
        }
    };

    /** Optional: without it an Admin alter of this broker's settings is not shown in the console. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configAdmin;
    /** The LogCleaner service bound now (optional: without it compacted topics are not cleaned). */
    private volatile LogCleaner logCleaner;
    /** The cleaner threads of the running core, or null. */
    private volatile LogCleanerManager cleanerManager;

    /** For DS. */
    public BrokerComponent() {
    }

    /** For tests without a framework: the references as DS would bind them. */
    BrokerComponent(LogStore logStore, MetadataStore metadata, Map<String, ?> metadataProperties,
                    Replication replication) {
        stores.bind(logStore, Map.of(LogStore.PROPERTY_NAME, "test"));
        this.replication = replication;
        bindMetadata(metadata, metadataProperties);
    }

    @Reference(name = LOG_STORE_REFERENCE, service = LogStore.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unbindLogStore")
    void bindLogStore(LogStore store, Map<String, Object> properties) {
        stores.bind(store, properties);
    }

    /** Synchronous: the partitions the store opened are closed before its bundle goes on stopping. */
    void unbindLogStore(LogStore store) {
        stores.unbind(store);
    }

    @Reference(name = METADATA_REFERENCE, policy = ReferencePolicy.STATIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMetadata(MetadataStore store, Map<String, ?> properties) {
        // A store configured by this same PID publishes it; blank is the default directory, resolved as here.
        this.metadataSaysDir = properties.containsKey(BrokerSettings.LOG_DIRS);
        this.metadataLogDirs = properties.get(BrokerSettings.LOG_DIRS);
        this.metadata = store;
    }

    @Activate
    void activate(Map<String, Object> properties, BundleContext context) throws IOException {
        defaultLogDir = LogDirs.defaultDir(context::getProperty);
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
        frameworkStopping = () -> system != null && system.getState() == Bundle.STOPPING;
        openCore(properties);
    }

    /**
     * Opens the core on {@code properties}, or waits for the metadata store of its settings. Tests without a
     * framework call it as activation: {@code log.dirs} then defaults to {@code data} in the working directory.
     * (Not an overload of activate: DS would prefer {@code activate(Map)} to the two-argument form.)
     */
    void openCore(Map<String, Object> properties) throws IOException {
        BrokerSettings s;
        synchronized (configLock) {
            staticProps = new HashMap<>(properties); // a copy: the caller may reuse its map
            s = parse(layers(properties), defaultLogDir);
            settings = s;
        }
        Path metadataDir = metadataDir();
        if (metadataDir != null && !metadataDir.equals(s.logDir())) {
            LOG.info("Waiting for the metadata store of log.dirs {} (the one present keeps {})", s.logDir(),
                    metadataDir);
            return;
        }
        int storeBroker = metadata.localBrokerId();
        if (storeBroker != s.brokerId()) {
            LOG.info("Waiting for the metadata store of broker.id {} (the one present is of broker {})",
                    s.brokerId(), storeBroker);
            return;
        }
        try {
            core = BrokerCore.start(s, stores, metadata, replication, codecs, System::currentTimeMillis);
            core.broker.onBrokerConfigsAltered(this::writeToConfigAdmin);
            metadata.addListener(dynamicConfigs);
            applyDynamicConfigs(Integer.toString(s.brokerId())); // any change between reading and listening
            showDynamicInConfigAdmin(properties);
        } catch (IOException | RuntimeException e) {
            LOG.error("The broker cannot start on {}: {}", s.logDir(), e.getMessage(), e);
            throw e;
        }
        LogCleanerManager cleaners = new LogCleanerManager(s.logDir(), core.logs, metadata, () -> logCleaner, s,
                System::currentTimeMillis);
        cleaners.start();
        cleanerManager = cleaners;
    }

    @Reference(name = CLEANER_REFERENCE, service = LogCleaner.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unbindLogCleaner")
    void bindLogCleaner(LogCleaner cleaner) {
        logCleaner = cleaner;
        LogCleanerManager m = cleanerManager;
        if (m != null) {
            m.cleanerChanged();
        }
    }

    void unbindLogCleaner(LogCleaner cleaner) {
        if (logCleaner == cleaner) {
            logCleaner = null;
            LogCleanerManager m = cleanerManager;
            if (m != null) {
                m.cleanerChanged(); // so that a compacted topic left without a cleaner is warned about again
            }
        }
    }

    /** Stops the cleaner threads (before the logs they clean close). */
    private void stopCleaners() {
        LogCleanerManager m = cleanerManager;
        cleanerManager = null;
        if (m != null) {
            m.close();
        }
    }

    /** The directory the bound metadata store keeps its files in, when it says; null when it does not. */
    private Path metadataDir() {
        if (!metadataSaysDir) {
            return null;
        }
        try {
            return LogDirs.resolve(metadataLogDirs, defaultLogDir);
        } catch (IllegalArgumentException e) {
            return null; // then the store could not have started either
        }
    }

    @Reference(name = CODECS_REFERENCE, service = CompressionCodec.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "removeCodec")
    void addCodec(CompressionCodec codec, Map<String, Object> properties) {
        codecs.add(codec, properties);
    }

    void removeCodec(CompressionCodec codec, Map<String, Object> properties) {
        codecs.remove(codec, properties);
    }

    /** The codec registry (tests). */
    CompressionCodecs codecs() {
        return codecs;
    }

    /** The static properties under the dynamic settings the metadata store keeps for this broker. */
    private ConfigLayers layers(Map<String, Object> properties) {
        ConfigLayers statics = ConfigLayers.ofStatic(properties);
        int id;
        try {
            id = BrokerSettings.of(properties, defaultLogDir).brokerId();
        } catch (IllegalArgumentException e) {
            return statics; // parse() reports it
        }
        if (metadata.localBrokerId() != id) {
            return statics; // not this broker's store (yet): see openCore
        }
        return statics.withDynamic(metadata.dynamicBrokerConfigs(""),
                metadata.dynamicBrokerConfigs(Integer.toString(id)));
    }

    /** Parses the configuration, logging a bad one clearly (DS only tells its own log service). */
    private static BrokerSettings parse(ConfigLayers layers, Path defaultLogDir) {
        try {
            return BrokerSettings.of(layers, defaultLogDir);
        } catch (IllegalArgumentException e) {
            LOG.error("Invalid configuration {}: {}", PID, e.getMessage());
            throw e;
        }
    }

    /**
     * An invalid new configuration is refused (logged) and the broker keeps running with the previous one. A changed
     * value of a dynamically updatable key (a console edit) is also recorded as this broker's dynamic setting, so
     * that DescribeConfigs and kafka-configs see it, unless it is what is already in force (an Admin alter written
     * back here, or a console form saving the defaults).
     */
    @Modified
    void modified(Map<String, Object> properties) throws IOException {
        BrokerCore current = core;
        Map<String, String> consoleEdits;
        boolean firstConfiguration;
        synchronized (configLock) {
            BrokerSettings next = parse(layers(properties), defaultLogDir);
            firstConfiguration = !ConfigAdminSync.fromConfiguration(staticProps);
            if (current != null && !settings.needsRestart(next)) {
                // The first configuration (FileInstall's, after DS activated without one) is a start, not an edit.
                consoleEdits = firstConfiguration ? Map.of()
                        : ConfigAdminSync.consoleEdits(staticProps, properties, settings);
                reconfigure(current, next);
                settings = next;
                staticProps = new HashMap<>(properties); // a copy: the caller may reuse its map
                LOG.info("Broker configuration updated");
            } else {
                consoleEdits = null;
            }
        }
        if (consoleEdits != null) {
            if (!consoleEdits.isEmpty()) {
                // Outside the config lock: the store calls back into applyDynamicConfigs under its own lock.
                ConfigAdminSync.record(metadata, consoleEdits);
            }
            if (firstConfiguration) {
                showDynamicInConfigAdmin(properties);
            }
            return;
        }
        if (current != null) {
            LOG.info("broker.id or log.dirs changed: reopening the broker on {}", parse(layers(properties),
                    defaultLogDir).logDir());
            metadata.removeListener(dynamicConfigs);
            core = null;
            stopCleaners();
            current.close();
        }
        openCore(properties); // or waits there for the metadata store of the new settings
    }

    /**
     * At start the configuration comes from {@code etc/} again, which an Admin alter did not write: this broker's
     * dynamic settings are put back into the ConfigAdmin configuration, so the console shows what is in force (and
     * its next save writes them to the file). The modified() that follows finds them in force and records nothing.
     */
    private void showDynamicInConfigAdmin(Map<String, Object> properties) {
        if (!ConfigAdminSync.fromConfiguration(properties) || metadata.localBrokerId() != settings.brokerId()) {
            return;
        }
        Map<String, String> differing = ConfigAdminSync.notShown(properties,
                metadata.dynamicBrokerConfigs(Integer.toString(settings.brokerId())));
        if (!differing.isEmpty()) {
            writeToConfigAdmin(differing);
        }
    }

    /** An Admin alter of this broker's own settings: see {@link ConfigAdminSync#write}. */
    private void writeToConfigAdmin(Map<String, String> changed) {
        ConfigAdminSync.write(configAdmin, PID, changed);
    }

    /** The metadata store's dynamic settings of this broker or the default changed: rebuild and apply them live. */
    private void applyDynamicConfigs(String entity) {
        synchronized (configLock) {
            BrokerCore c = core;
            if (c == null || !(entity.isEmpty() || entity.equals(Integer.toString(settings.brokerId())))) {
                return;
            }
            BrokerSettings next;
            try {
                next = BrokerSettings.of(layers(staticProps), defaultLogDir);
            } catch (IllegalArgumentException e) {
                LOG.error("The dynamic broker configs of {} are invalid and not applied: {}", entity, e.getMessage());
                return;
            }
            if (next.equals(settings)) {
                return;
            }
            reconfigure(c, next);
            settings = next;
            LOG.info("Dynamic broker configuration applied");
        }
    }

    /** Applies settings that need no restart to the running core and the cleaner threads. */
    private void reconfigure(BrokerCore c, BrokerSettings next) {
        c.reconfigure(next);
        LogCleanerManager m = cleanerManager;
        if (m != null) {
            m.reconfigure(next);
        }
    }

    @Deactivate
    void deactivate() {
        metadata.removeListener(dynamicConfigs);
        if (frameworkStopping.getAsBoolean()) {
            controlledShutdown();
        }
        stopCleaners();
        BrokerCore c = core;
        core = null;
        if (c != null) {
            c.close();
        }
    }

    /** Tests without a framework: whether a deactivation is the framework stopping. */
    void frameworkStopping(BooleanSupplier stopping) {
        this.frameworkStopping = stopping;
    }

    /**
     * The broker process is stopping (SIGTERM, {@code stop 0}): unless {@code controlled.shutdown.enable=false}, the
     * controller hands this broker's leaderships to other in-sync replicas first, while the logs still serve, so that
     * clients move over without waiting for the session to expire (Kafka's controlled shutdown).
     */
    void controlledShutdown() {
        BrokerCore c = core;
        BrokerSettings s;
        synchronized (configLock) {
            s = settings;
        }
        if (c == null || s == null || !s.boolValue(CONTROLLED_SHUTDOWN_ENABLE, true)) {
            return;
        }
        c.controlledShutdown(CONTROLLED_SHUTDOWN_TIMEOUT_MS);
    }

    /** The running core's log manager, or null while stopped ({@code strata:storage}). */
    LogManager logManager() {
        BrokerCore c = core;
        return c == null ? null : c.logs;
    }

    /** The store bound now, or null. */
    StoreRef currentStore() {
        return stores.current();
    }

    private BrokerCore core() {
        BrokerCore c = core;
        if (c == null) {
            throw new StrataException(ErrorCode.LEADER_NOT_AVAILABLE, "The broker is stopped or restarting");
        }
        return c;
    }

    // ---- Broker ----

    @Override
    public MetadataStore metadata() {
        return metadata;
    }

    @Override
    public CompletableFuture<ProduceResult> produce(TopicPartition tp, ByteBuffer records, short acks, int timeoutMs,
                                                    RequestContext context) {
        BrokerCore c = core;
        if (c == null) {
            return CompletableFuture.completedFuture(
                    ProduceResult.error(ErrorCode.NOT_LEADER_OR_FOLLOWER, "The broker is stopped or restarting"));
        }
        return c.broker.produce(tp, records, acks, timeoutMs, context);
    }

    @Override
    public CompletableFuture<List<FetchResult>> fetch(FetchParams params, RequestContext context) {
        BrokerCore c = core;
        if (c == null) {
            return CompletableFuture.completedFuture(params.partitions().stream()
                    .map(p -> FetchResult.error(p.tp(), ErrorCode.NOT_LEADER_OR_FOLLOWER)).toList());
        }
        return c.broker.fetch(params, context);
    }

    @Override
    public ListOffsetResult listOffset(TopicPartition tp, long timestamp, IsolationLevel isolation) {
        BrokerCore c = core;
        if (c == null) {
            return new ListOffsetResult(ErrorCode.NOT_LEADER_OR_FOLLOWER, -1, -1);
        }
        return c.broker.listOffset(tp, timestamp, isolation);
    }

    @Override
    public boolean autoCreateTopicsEnabled() {
        BrokerCore c = core;
        return c != null && c.broker.autoCreateTopicsEnabled();
    }

    @Override
    public CreateTopicResult createTopic(String name, int partitions, short replicationFactor,
                                         Map<String, String> configs, boolean validateOnly, RequestContext context) {
        BrokerCore c = core;
        if (c == null) {
            return new CreateTopicResult(ErrorCode.NOT_CONTROLLER, "The broker is stopped or restarting", null);
        }
        return c.broker.createTopic(name, partitions, replicationFactor, configs, validateOnly, context);
    }

    @Override
    public CreateTopicResult createTopic(String name, List<List<Integer>> replicaAssignment,
                                         Map<String, String> configs, boolean validateOnly, RequestContext context) {
        BrokerCore c = core;
        if (c == null) {
            return new CreateTopicResult(ErrorCode.NOT_CONTROLLER, "The broker is stopped or restarting", null);
        }
        return c.broker.createTopic(name, replicaAssignment, configs, validateOnly, context);
    }

    @Override
    public ErrorCode deleteTopic(String name, RequestContext context) {
        BrokerCore c = core;
        return c == null ? ErrorCode.NOT_CONTROLLER : c.broker.deleteTopic(name, context);
    }

    @Override
    public List<ConfigEntry> describeConfigs(ConfigResource resource) {
        return core().broker.describeConfigs(resource);
    }

    @Override
    public void incrementalAlterConfigs(ConfigResource resource, List<ConfigOp> ops, boolean validateOnly,
                                        RequestContext context) {
        core().broker.incrementalAlterConfigs(resource, ops, validateOnly, context);
    }

    @Override
    public void alterConfigs(ConfigResource resource, Map<String, String> configs, boolean validateOnly,
                             RequestContext context) {
        core().broker.alterConfigs(resource, configs, validateOnly, context);
    }

    @Override
    public void createPartitions(String topic, int totalCount, List<List<Integer>> newAssignments,
                                 boolean validateOnly, RequestContext context) {
        core().broker.createPartitions(topic, totalCount, newAssignments, validateOnly, context);
    }

    @Override
    public CompletableFuture<DeleteRecordsResult> deleteRecords(TopicPartition tp, long offset, int timeoutMs,
                                                                 RequestContext context) {
        return core().broker.deleteRecords(tp, offset, timeoutMs, context);
    }

    @Override
    public List<LogDirDescription> describeLogDirs(Collection<TopicPartition> partitions) {
        return core().broker.describeLogDirs(partitions);
    }

    @Override
    public List<ProducerDescription> describeProducers(TopicPartition tp) {
        return core().broker.describeProducers(tp);
    }

    @Override
    public ProducerIdResult initProducerId(String transactionalId, int transactionTimeoutMs,
                                           RequestContext context) {
        BrokerCore c = core;
        if (c == null) {
            return new ProducerIdResult(ErrorCode.COORDINATOR_NOT_AVAILABLE, -1, (short) -1);
        }
        return c.broker.initProducerId(transactionalId, transactionTimeoutMs, context);
    }
}
