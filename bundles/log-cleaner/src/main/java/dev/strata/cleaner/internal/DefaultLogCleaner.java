package dev.strata.cleaner.internal;

import dev.strata.api.cleaner.CleanRequest;
import dev.strata.api.cleaner.CleanResult;
import dev.strata.api.cleaner.LogCleaner;
import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The default {@link LogCleaner}: Kafka's cleaner ({@code Cleaner}, {@code SkimpyOffsetMap},
 * {@code MemoryRecords.filterTo}). Batches are recompressed with the {@link CompressionCodec} service of their own
 * type. Thread-safe: each call works on its own {@link Cleaning}; key maps are pooled between calls, since the
 * broker's cleaner threads would otherwise allocate their share of {@code log.cleaner.dedupe.buffer.size} each time.
 */
@Component(service = LogCleaner.class, property = LogCleaner.PROPERTY_NAME + "=default")
public class DefaultLogCleaner implements LogCleaner {
    /** Kafka's {@code log.cleaner.io.buffer.size} default: reads of this size, grown for a larger batch. */
    static final int IO_BUFFER_SIZE = 512 * 1024;

    /**
     * The codec services, in the order DS gives them (lowest ranking first), with their properties: the last
     * whose {@value CompressionCodec#PROPERTY_TYPE} and {@link CompressionCodec#type()} agree serves a type.
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<Map.Entry<Map<String, Object>, CompressionCodec>> codecs = List.of();

    private final ConcurrentLinkedDeque<OffsetMap> maps = new ConcurrentLinkedDeque<>();

    @Override
    public CleanResult clean(CleanRequest request) throws IOException {
        int bytes = (int) Math.min(Integer.MAX_VALUE, Math.max(OffsetMap.ENTRY_SIZE, request.dedupeBufferBytes()));
        OffsetMap map = borrow(bytes);
        try {
            map.reset(bytes);
            return new Cleaning(request, map, this::codec, IO_BUFFER_SIZE).run();
        } finally {
            maps.push(map);
        }
    }

    private OffsetMap borrow(int bytes) {
        OffsetMap map;
        while ((map = maps.poll()) != null) {
            if (map.capacityBytes() >= bytes - OffsetMap.ENTRY_SIZE) {
                return map;
            }
            // Too small for this share (the setting grew): let it go.
        }
        return new OffsetMap(bytes);
    }

    CompressionCodec codec(CompressionType type) {
        List<Map.Entry<Map<String, Object>, CompressionCodec>> current = codecs;
        for (int i = current.size() - 1; i >= 0; i--) {
            Map.Entry<Map<String, Object>, CompressionCodec> e = current.get(i);
            if (type.configName().equals(String.valueOf(e.getKey().get(CompressionCodec.PROPERTY_TYPE)))
                    && e.getValue().type() == type) {
                return e.getValue();
            }
        }
        return null;
    }

    @Deactivate
    void deactivate() {
        maps.clear();
    }
}
