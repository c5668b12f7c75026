package dev.strata.api.broker;

/**
 * A producer with state on a partition, as DescribeProducers reports it.
 *
 * @param lastSequence the sequence of the last record appended, -1 when unknown
 * @param lastTimestamp the max timestamp of its last batch, -1 when unknown
 * @param coordinatorEpoch the transaction coordinator's epoch, -1 outside transactions
 * @param currentTxnStartOffset the first offset of its open transaction, -1 when none
 */
public record ProducerDescription(long producerId, int producerEpoch, int lastSequence, long lastTimestamp,
                                  int coordinatorEpoch, long currentTxnStartOffset) {
}
