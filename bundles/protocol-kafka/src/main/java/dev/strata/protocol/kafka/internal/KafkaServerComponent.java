package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.protocol.kafka.api.KafkaListener;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the Kafka protocol server while a {@link Broker} service is present: binds on activation, closes every
 * connection and thread on deactivation. A configuration change restarts it (no {@code @Modified}: rebinding is the
 * honest answer to a new host or port). Once bound it registers a {@link KafkaListener} service carrying the bound
 * port, so tests configured with {@code port=0} can find it.
 *
 * <p>Thread-safety: SCR calls activate and deactivate one at a time.
 */
@Component(configurationPid = KafkaServerComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = {}, immediate = true)
@Designate(ocd = KafkaServerConfig.class)
public final class KafkaServerComponent {
    public static final String PID = "dev.strata.protocol.kafka";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaServerComponent.class);

    private final KafkaServer server;
    private final ServiceRegistration<KafkaListener> registration;

    @Activate
    public KafkaServerComponent(@Reference(name = "broker") Broker broker, KafkaServerConfig config, BundleContext context) {
        server = new KafkaServer(broker, ServerSettings.from(config));
        server.start();
        KafkaListener listener = server.listener();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(KafkaListener.PROP_NAME, listener.name());
        props.put(KafkaListener.PROP_HOST, listener.host());
        props.put(KafkaListener.PROP_PORT, listener.port());
        try {
            registration = context.registerService(KafkaListener.class, listener, props);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException e) {
            LOG.debug("KafkaListener service was already unregistered");
        }
        server.close();
    }
}
