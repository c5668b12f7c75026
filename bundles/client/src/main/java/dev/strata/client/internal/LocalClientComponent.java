package dev.strata.client.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.client.LocalClient;
import dev.strata.api.client.LocalConsumer;
import dev.strata.api.client.LocalProducer;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import dev.strata.api.partition.Partitioner;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LocalClient} service: registered while a {@link Broker} is there; tracks the codec and partitioner
 * services as they come and go (a missing codec fails only the batches that need it, a missing partitioner falls
 * back to the default). Producers and consumers it made are closed when it deactivates.
 *
 * <p>Thread-safe. Completions of the broker's futures continue on the client's own threads
 * ({@link #executor()}), never on the broker's, so that the next batch of a partition is never written from inside
 * the broker's completion of the previous one.
 */
@Component(service = LocalClient.class)
public final class LocalClientComponent implements LocalClient {
    private static final Logger LOG = LoggerFactory.getLogger(LocalClientComponent.class);

    private final Broker broker;
    private final RankedServices<CompressionCodec> codecs = new RankedServices<>();
    private final Partitioners partitioners = new Partitioners();
    private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService executor;

    @Activate
    public LocalClientComponent(@Reference(name = "broker") Broker broker) {
        this.broker = broker;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "strata-local-client-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Reference(name = "codec", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeCodec")
    void addCodec(CompressionCodec codec, Map<String, Object> properties) {
        Object type = properties.get(CompressionCodec.PROPERTY_TYPE);
        if (type instanceof String s) {
            codecs.add(s.trim(), codec, properties);
        }
    }

    void removeCodec(CompressionCodec codec) {
        codecs.remove(codec);
    }

    @Reference(name = "partitioner", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removePartitioner")
    void addPartitioner(Partitioner partitioner, Map<String, Object> properties) {
        partitioners.add(partitioner, properties);
    }

    void removePartitioner(Partitioner partitioner, Map<String, Object> properties) {
        partitioners.remove(partitioner, properties);
    }

    @Deactivate
    void deactivate() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed", c, e);
            }
        }
        executor.shutdown();
    }

    @Override
    public LocalProducer producer(Map<String, String> settings) {
        Settings.Producer s = Settings.producer(settings);
        if (s.compression() != CompressionType.NONE) {
            codec(s.compression()); // a missing codec is a clear error now rather than at the first send
        }
        ProducerImpl producer = new ProducerImpl(this, s);
        open.add(producer);
        return producer;
    }

    @Override
    public LocalConsumer consumer(Map<String, String> settings) {
        ConsumerImpl consumer = new ConsumerImpl(this, Settings.consumer(settings));
        open.add(consumer);
        return consumer;
    }

    Broker broker() {
        return broker;
    }

    Partitioners partitioners() {
        return partitioners;
    }

    ExecutorService executor() {
        return executor;
    }

    void closed(AutoCloseable c) {
        open.remove(c);
    }

    /** @throws StrataException UNSUPPORTED_COMPRESSION_TYPE when no codec of that type is installed */
    CompressionCodec codec(CompressionType type) {
        CompressionCodec c = codecs.get(type.configName());
        if (c == null) {
            throw new StrataException(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, "No " + type.configName()
                    + " codec is installed (installed: " + codecs.names() + "; the feature strata-compression-"
                    + type.configName() + " brings it)");
        }
        return c;
    }
}
