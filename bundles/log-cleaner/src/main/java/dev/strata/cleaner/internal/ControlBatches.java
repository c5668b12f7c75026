package dev.strata.cleaner.internal;

import dev.strata.record.RecordBatch;

/**
 * What the cleaner does with control batches (transaction markers) and with records of transactions. The seam the
 * transaction work fills in: Kafka's cleaner drops the records of aborted transactions, and a marker once no data
 * of its transaction is left and the delete horizon has passed. Until Strata has transactions, every control batch
 * is kept as it is and every transactional batch is cleaned like any other.
 */
final class ControlBatches {
    private ControlBatches() {
    }

    /** Whether {@code batch} (a control batch) stays in the cleaned log, byte for byte. */
    static boolean retain(RecordBatch batch, boolean retainDeletesAndMarkers) {
        return true;
    }
}
