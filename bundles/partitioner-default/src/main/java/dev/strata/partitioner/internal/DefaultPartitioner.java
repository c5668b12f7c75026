package dev.strata.partitioner.internal;

import dev.strata.api.partition.Partitioner;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.osgi.service.component.annotations.Component;

/**
 * Kafka's built-in placement. A record with a key goes to {@code toPositive(murmur2(key)) % numPartitions}, the
 * partition a Kafka producer picks for the same key bytes, so a topic fed by both keeps each key on one partition.
 * Records without a key stick to one partition of their topic until about {@link #STICKY_BATCH_BYTES} (Kafka's
 * {@code batch.size} default) have gone to it, then switch to another random partition, as Kafka's
 * {@code BuiltInPartitioner} does: full batches instead of one small batch per partition.
 *
 * <p>Thread-safe: the sticky state of a topic is updated under that topic's lock.
 */
@Component(service = Partitioner.class, property = Partitioner.PROPERTY_NAME + "=" + DefaultPartitioner.NAME)
public final class DefaultPartitioner implements Partitioner {
    static final String NAME = "default";
    static final int STICKY_BATCH_BYTES = 16_384;
    /** Roughly what a record costs in a batch besides its key and value (length, attributes, deltas). */
    private static final int RECORD_OVERHEAD = 8;

    /** The sticky partition of one topic and the bytes sent to it since it was chosen. */
    private static final class Sticky {
        int partition = -1;
        long bytes;
    }

    private final Map<String, Sticky> sticky = new ConcurrentHashMap<>();

    @Override
    public int partition(String topic, byte[] key, byte[] value, int numPartitions) {
        if (key != null) {
            return Murmur2.toPositive(Murmur2.hash(key)) % numPartitions;
        }
        Sticky s = sticky.computeIfAbsent(topic, t -> new Sticky());
        synchronized (s) {
            if (s.partition < 0 || s.partition >= numPartitions || s.bytes >= STICKY_BATCH_BYTES) {
                s.partition = next(s.partition, numPartitions);
                s.bytes = 0;
            }
            s.bytes += RECORD_OVERHEAD + (value == null ? 0 : value.length);
            return s.partition;
        }
    }

    /** A random partition other than {@code current} when there is another one. */
    private static int next(int current, int numPartitions) {
        if (numPartitions == 1) {
            return 0;
        }
        if (current < 0 || current >= numPartitions) {
            return ThreadLocalRandom.current().nextInt(numPartitions);
        }
        int p = ThreadLocalRandom.current().nextInt(numPartitions - 1);
        return p >= current ? p + 1 : p;
    }
}
