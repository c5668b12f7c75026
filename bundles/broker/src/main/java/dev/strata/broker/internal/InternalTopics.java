package dev.strata.broker.internal;

import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.group.GroupCoordinator;
import java.util.Set;

/**
 * Kafka's internal topics: written only by the container's own components (the group coordinator appends to
 * {@code __consumer_offsets} with an {@link RequestContext#isInternal() internal} context), never by clients, and
 * never deleted. Clients may still read them, as in Kafka. Stateless: thread-safe.
 */
final class InternalTopics {
    /** Kafka's internal topic names ({@code Topic.isInternal}). */
    static final Set<String> NAMES = Set.of(GroupCoordinator.OFFSETS_TOPIC, "__transaction_state");

    private InternalTopics() {
    }

    static boolean isInternal(String topic) {
        return NAMES.contains(topic);
    }

    /** INVALID_TOPIC_EXCEPTION (as Kafka) for a client append to an internal topic, else NONE. */
    static ErrorCode checkAppend(String topic, RequestContext context) {
        return isInternal(topic) && (context == null || !context.isInternal())
                ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.NONE;
    }
}
