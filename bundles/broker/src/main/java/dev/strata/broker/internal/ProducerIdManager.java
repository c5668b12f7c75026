package dev.strata.broker.internal;

import dev.strata.api.metadata.MetadataStore;

/**
 * Hands out producer ids for idempotent producers from blocks the metadata store reserves durably and cluster-wide
 * ({@link MetadataStore#allocateProducerIds}), so no two brokers and no two runs of one broker hand out the same
 * id; the unused rest of a block is skipped at a restart. Thread-safety: thread-safe (synchronized).
 */
final class ProducerIdManager {
    static final int BLOCK_SIZE = 1000;

    private final MetadataStore metadata;
    private long nextId;
    private long blockEnd;

    ProducerIdManager(MetadataStore metadata) {
        this.metadata = metadata;
    }

    /** @throws dev.strata.api.common.StrataException as {@link MetadataStore#allocateProducerIds} */
    synchronized long nextProducerId() {
        if (nextId >= blockEnd) {
            long start = metadata.allocateProducerIds(BLOCK_SIZE);
            nextId = start;
            blockEnd = start + BLOCK_SIZE;
        }
        return nextId++;
    }
}
