package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.RequestContext;
import dev.strata.api.quota.QuotaManager;
import dev.strata.api.quota.QuotaType;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's client quotas on the wire (KIP-219): after a request is handled, its usage is recorded with the
 * {@link QuotaManager} service, when there is one: the request's bytes for a Produce, the response's bytes for a
 * consumer's Fetch, and the handler time of every request. The longest throttle it answers goes into the response's
 * {@code throttle_time_ms}; the dispatcher then stops reading the connection for that long, so a client that
 * ignores the field is slowed down all the same. The user is {@value #USER} until authentication exists; the client
 * id is the request header's.
 *
 * <p>Thread-safety: thread-safe (stateless; the quota manager is read per request).
 */
final class RequestQuotas {
    private static final Logger LOG = LoggerFactory.getLogger(RequestQuotas.class);
    /** Kafka's name for the user of an unauthenticated connection. */
    static final String USER = "ANONYMOUS";
    /** Kafka caps a throttle at what an int field holds; anything near it is a quota manager's bug. */
    static final long MAX_THROTTLE_MS = Integer.MAX_VALUE;

    private final Supplier<QuotaManager> quotas;

    /** @param quotas the quota manager service while there is one, else null */
    RequestQuotas(Supplier<QuotaManager> quotas) {
        this.quotas = quotas;
    }

    /**
     * Records the usage of one handled request and sets the throttle in its response.
     *
     * @param handlerNanos time the request spent in its handler on a request thread (not waiting for data)
     * @return the throttle in milliseconds, 0 when none
     */
    int record(KafkaRequest request, ApiMessage response, short version, RequestContext context, long handlerNanos) {
        QuotaManager manager = quotas.get();
        if (manager == null) {
            return 0;
        }
        String clientId = context.clientId() == null ? "" : context.clientId();
        long now = System.currentTimeMillis();
        long throttle;
        try {
            throttle = manager.record(QuotaType.REQUEST_TIME, USER, clientId, handlerNanos, now);
            if (response instanceof ProduceResponseData) {
                throttle = Math.max(throttle, manager.record(QuotaType.PRODUCE_BYTES, USER, clientId,
                        request.sizeInBytes(), now));
            } else if (response instanceof FetchResponseData
                    && ((FetchRequestData) request.body()).replicaId() < 0) { // followers are not client traffic
                throttle = Math.max(throttle, manager.record(QuotaType.FETCH_BYTES, USER, clientId,
                        sizeOf(response, version), now));
            }
        } catch (RuntimeException e) {
            LOG.warn("The quota manager failed on {} of client {}; not throttled", request, clientId, e);
            return 0;
        }
        int ms = (int) Math.max(0, Math.min(throttle, MAX_THROTTLE_MS));
        if (ms > 0) {
            setThrottle(response, ms);
        }
        return ms;
    }

    /** The response body's size on the wire (zero-copy records counted, not copied). */
    private static long sizeOf(ApiMessage body, short version) {
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        body.addSize(size, new ObjectSerializationCache(), version);
        return size.totalSize();
    }

    /** Every response this listener sends has the field (in the versions that have it; it is ignorable). */
    static void setThrottle(ApiMessage response, int ms) {
        if (response instanceof ProduceResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof FetchResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof MetadataResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof ApiVersionsResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof ListOffsetsResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof CreateTopicsResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof DeleteTopicsResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof DescribeConfigsResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof IncrementalAlterConfigsResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof AlterConfigsResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof InitProducerIdResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof DescribeClusterResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof FindCoordinatorResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof JoinGroupResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof SyncGroupResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof HeartbeatResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof LeaveGroupResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof OffsetCommitResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof OffsetFetchResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof DescribeGroupsResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof ListGroupsResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof DeleteGroupsResponseData r) {
            r.setThrottleTimeMs(ms);
        } else if (response instanceof OffsetDeleteResponseData r) {
            r.setThrottleTimeMs(ms);
        }
    }
}
