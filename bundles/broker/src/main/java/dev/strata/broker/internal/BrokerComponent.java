package dev.strata.broker.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.ConfigEntry;
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
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * The broker as an OSGi component: registers {@link Broker} and {@link MetadataStore} once a {@link LogStore} is
 * available, configured by PID {@value #PID}. Both services delegate to a {@link BrokerCore}; a configuration
 * change of {@code broker.id} or {@code log.dirs} closes the core and opens a new one behind the same services,
 * any other change is applied live.
 *
 * <p>The log store is a dynamic, optional, greedy reference named {@value #LOG_STORE_REFERENCE}: the broker, its
 * services and every connection stay up while stores come and go. When the bound store goes away (its bundle
 * stopped or updated), the partitions it opened are closed and their requests held for
 * {@code log.store.unavailable.wait.ms}, then answered KAFKA_STORAGE_ERROR (retriable); when a store is bound (a
 * better-ranked one, a new {@code logStore.target}, or the updated bundle's), the partitions are moved to it one by
 * one (see {@link LogManager}). Choose a store with {@code logStore.target}, e.g.
 * {@code (strata.store.name=segment)}.
 *
 * <p>Compression codecs are a dynamic, multiple, greedy reference named {@value #CODECS_REFERENCE}: a codec bundle
 * started at any time (e.g. dropped into {@code deploy/}) is usable by the next produce, one that stops is dropped
 * from {@link CompressionCodecs} without touching the broker (requests holding it finish; later ones for its type
 * get UNSUPPORTED_COMPRESSION_TYPE).
 *
 * <p>Thread-safety: thread-safe. DS serialises activate/modified/deactivate; requests read the current core
 * through a volatile field.
 */
@Component(service = {Broker.class, MetadataStore.class}, configurationPid = BrokerComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = BrokerConfiguration.class)
public final class BrokerComponent implements Broker, MetadataStore {
    public static final String PID = "dev.strata.broker";
    static final String LOG_STORE_REFERENCE = "logStore";
    static final String CODECS_REFERENCE = "compressionCodecs";
    private static final Logger LOG = LoggerFactory.getLogger(BrokerComponent.class);

    /** Outlives cores, like the codecs: DS may bind the store before activation. */
    private final StoreBinding stores = new StoreBinding();
    /** Outlives cores: DS may bind codecs before activation and keeps them across a core restart. */
    private final CompressionCodecs codecs = new CompressionCodecs();
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private volatile BrokerCore core;
    private BrokerSettings settings;

    /** For DS. */
    public BrokerComponent() {
    }

    /** For tests without a framework. */
    BrokerComponent(LogStore logStore) {
        stores.bind(logStore, Map.of(LogStore.PROPERTY_NAME, "test"));
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

    @Activate
    void activate(Map<String, Object> properties) throws IOException {
        BrokerSettings s = parse(properties);
        try {
            core = BrokerCore.start(s, stores, codecs);
        } catch (IOException | RuntimeException e) {
            LOG.error("The broker cannot start on {}: {}", s.logDir(), e.getMessage(), e);
            throw e;
        }
        settings = s;
        listeners.forEach(core.metadata::addListener);
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

    /** Parses the configuration, logging a bad one clearly (DS only tells its own log service). */
    private static BrokerSettings parse(Map<String, Object> properties) {
        try {
            return BrokerSettings.of(properties);
        } catch (IllegalArgumentException e) {
            LOG.error("Invalid configuration {}: {}", PID, e.getMessage());
            throw e;
        }
    }

    /** An invalid new configuration is refused (logged) and the broker keeps running with the previous one. */
    @Modified
    void modified(Map<String, Object> properties) throws IOException {
        BrokerSettings next = parse(properties);
        BrokerCore current = core;
        if (current != null && !settings.needsRestart(next)) {
            current.reconfigure(next);
            settings = next;
            LOG.info("Broker configuration updated");
            return;
        }
        LOG.info("broker.id or log.dirs changed: reopening the broker on {}", next.logDir());
        core = null;
        if (current != null) {
            current.close();
        }
        activate(properties);
    }

    @Deactivate
    void deactivate() {
        BrokerCore c = core;
        core = null;
        if (c != null) {
            c.close();
        }
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
        return this;
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
    public List<ConfigEntry> describeTopicConfigs(String topic) {
        return core().broker.describeTopicConfigs(topic);
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

    // ---- MetadataStore ----

    @Override
    public String clusterId() {
        return core().metadata.clusterId();
    }

    @Override
    public int localBrokerId() {
        return core().metadata.localBrokerId();
    }

    @Override
    public List<BrokerInfo> liveBrokers() {
        BrokerCore c = core;
        return c == null ? List.of() : c.metadata.liveBrokers();
    }

    @Override
    public Collection<TopicMetadata> topics() {
        BrokerCore c = core;
        return c == null ? List.of() : c.metadata.topics();
    }

    @Override
    public Optional<TopicMetadata> topic(String name) {
        BrokerCore c = core;
        return c == null ? Optional.empty() : c.metadata.topic(name);
    }

    @Override
    public TopicMetadata createTopic(String name, int partitions, short replicationFactor,
                                     Map<String, String> configs) {
        return core().metadata.createTopic(name, partitions, replicationFactor, configs);
    }

    @Override
    public TopicMetadata createTopic(String name, List<List<Integer>> replicaAssignment,
                                     Map<String, String> configs) {
        return core().metadata.createTopic(name, replicaAssignment, configs);
    }

    @Override
    public TopicMetadata deleteTopic(String name) {
        return core().metadata.deleteTopic(name);
    }

    @Override
    public TopicMetadata alterTopicConfigs(String name, Map<String, String> configs) {
        return core().metadata.alterTopicConfigs(name, configs);
    }

    @Override
    public Optional<PartitionState> partitionState(TopicPartition tp) {
        BrokerCore c = core;
        return c == null ? Optional.empty() : c.metadata.partitionState(tp);
    }

    @Override
    public void addListener(MetadataListener listener) {
        listeners.add(listener);
        BrokerCore c = core;
        if (c != null) {
            c.metadata.addListener(listener);
        }
    }

    @Override
    public void removeListener(MetadataListener listener) {
        listeners.remove(listener);
        BrokerCore c = core;
        if (c != null) {
            c.metadata.removeListener(listener);
        }
    }
}
