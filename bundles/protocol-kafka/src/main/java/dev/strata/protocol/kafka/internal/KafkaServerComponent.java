package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.api.logging.LoggerLevels;
import dev.strata.api.quota.QuotaManager;
import dev.strata.protocol.kafka.api.KafkaListener;
import dev.strata.protocol.kafka.api.ListenerLoad;
import java.util.Hashtable;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the Kafka protocol server while a {@link Broker} service is present: binds on activation, closes every
 * connection and thread on deactivation. A {@link GroupCoordinator}, when present, adds the consumer-group APIs; a {@link QuotaManager}, when present,
 * throttles clients over their quotas ({@link RequestQuotas}). A configuration change restarts it (no {@code @Modified}: rebinding is the
 * honest answer to a new host or port). Once bound it registers a {@link KafkaListener} service carrying the bound
 * port, so tests configured with {@code port=0} can find it; the same object is registered as {@link ListenerLoad}
 * (open connections, request memory in use) for health output.
 *
 * <p>Thread-safety: SCR calls activate and deactivate one at a time; the group coordinator reference may change
 * at any time and is held in an atomic reference.
 */
@Component(configurationPid = KafkaServerComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = {}, immediate = true)
@Designate(ocd = KafkaServerConfig.class)
public final class KafkaServerComponent {
    public static final String PID = "dev.strata.protocol.kafka";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaServerComponent.class);

    /** Bound and unbound by SCR at any time; read per group request. */
    private final AtomicReference<GroupCoordinator> groupCoordinator = new AtomicReference<>();
    /** The same for the quota manager: without one nobody is throttled. */
    private final AtomicReference<QuotaManager> quotaManager = new AtomicReference<>();
    /** The logging backend (BROKER_LOGGER configs); without one they are refused with INVALID_REQUEST. */
    private final AtomicReference<LoggerLevels> loggerLevels = new AtomicReference<>();
    private final KafkaServer server;
    private final ServiceRegistration<?> registration;
    private volatile boolean active = true;

    @Activate
    public KafkaServerComponent(@Reference(name = "broker") Broker broker, KafkaServerConfig config,
                                BundleContext context) {
        server = new KafkaServer(broker, ServerSettings.from(config), groupCoordinator::get, quotaManager::get,
                loggerLevels::get);
        server.start();
        KafkaListener listener = server.listener();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(KafkaListener.PROP_NAME, listener.name());
        props.put(KafkaListener.PROP_HOST, listener.host());
        props.put(KafkaListener.PROP_PORT, listener.port());
        try {
            // One object, two views: the endpoint, and its load for health output.
            registration = context.registerService(
                    new String[] {KafkaListener.class.getName(), ListenerLoad.class.getName()}, listener, props);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * The group APIs (FindCoordinator, JoinGroup, OffsetCommit...) are advertised and served only while a group
     * coordinator is present; the listener itself keeps running without one.
     */
    @Reference(name = "groupCoordinator", cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindGroupCoordinator(GroupCoordinator coordinator) {
        groupCoordinator.set(coordinator);
        LOG.info("Group coordinator available: consumer-group APIs are served");
    }

    void unbindGroupCoordinator(GroupCoordinator coordinator) {
        if (groupCoordinator.compareAndSet(coordinator, null) && active) {
            LOG.info("Group coordinator gone: consumer-group APIs are no longer served");
        }
    }

    /** Client quotas (KIP-219) are enforced while a quota manager is present; a better-ranked one replaces it. */
    @Reference(name = "quotaManager", cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindQuotaManager(QuotaManager manager) {
        quotaManager.set(manager);
        LOG.info("Quota manager available: client quotas are enforced");
    }

    void unbindQuotaManager(QuotaManager manager) {
        if (quotaManager.compareAndSet(manager, null) && active) {
            LOG.info("Quota manager gone: no client is throttled");
        }
    }

    /** Broker loggers (kafka-configs --entity-type broker-loggers) are served while a logging backend is present. */
    @Reference(name = "loggerLevels", cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindLoggerLevels(LoggerLevels levels) {
        loggerLevels.set(levels);
    }

    void unbindLoggerLevels(LoggerLevels levels) {
        loggerLevels.compareAndSet(levels, null);
    }

    @Deactivate
    void deactivate() {
        active = false;
        try {
            registration.unregister();
        } catch (IllegalStateException e) {
            LOG.debug("KafkaListener service was already unregistered");
        }
        server.close();
    }
}
