package dev.strata.api.broker;

import dev.strata.api.common.ErrorCode;

/** A producer id and epoch handed out by InitProducerId, or an error with both set to -1. */
public record ProducerIdResult(ErrorCode error, long producerId, short producerEpoch) {
}
