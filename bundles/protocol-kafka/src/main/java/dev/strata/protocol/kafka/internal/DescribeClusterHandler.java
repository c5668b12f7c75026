package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.protocol.kafka.api.KafkaListener;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeCluster (KIP-700): the cluster id, the controller and the live brokers, as Metadata reports them, and the
 * cluster's authorized operations when asked for. This listener is a broker endpoint (KIP-919): a request for a
 * controller endpoint, or of an unknown type, gets Kafka's errors. No broker is ever fenced here, so
 * {@code includeFencedBrokers} changes nothing. Stateless, thread-safe.
 */
final class DescribeClusterHandler {

    /** KIP-919 endpoint types (Kafka's {@code EndpointType} ids, not imported: that class drags in the admin client). */
    private static final byte ENDPOINT_BROKER = 1;
    private static final byte ENDPOINT_CONTROLLER = 2;

    private final Broker broker;
    private final KafkaListener listener;

    DescribeClusterHandler(Broker broker, KafkaListener listener) {
        this.broker = broker;
        this.listener = listener;
    }

    DescribeClusterResponseData handle(DescribeClusterRequestData request, short version) {
        DescribeClusterResponseData response = new DescribeClusterResponseData().setThrottleTimeMs(0);
        byte requested = request.endpointType();
        if (requested != ENDPOINT_BROKER) {
            // v0 has no endpoint type (it reads as BROKER); Kafka answers INVALID_REQUEST there, typed errors later.
            boolean unknown = requested != ENDPOINT_CONTROLLER;
            Errors error = version == 0 ? Errors.INVALID_REQUEST
                    : unknown ? Errors.UNSUPPORTED_ENDPOINT_TYPE : Errors.MISMATCHED_ENDPOINT_TYPE;
            return response.setErrorCode(error.code()).setErrorMessage(unknown
                    ? "Unsupported endpoint type " + request.endpointType()
                    : "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type "
                            + "CONTROLLER");
        }
        MetadataStore metadata = broker.metadata();
        response.setErrorCode(Errors.NONE.code()).setClusterId(metadata.clusterId())
                .setEndpointType(ENDPOINT_BROKER);
        for (BrokerInfo b : BrokerEndpoints.live(metadata, listener)) {
            response.brokers().add(new DescribeClusterBroker().setBrokerId(b.id()).setHost(b.host())
                    .setPort(b.port()).setRack(b.rack()).setIsFenced(false));
        }
        // The controller, as Metadata names it (-1 while none is known or it is not among the live brokers).
        int controller = metadata.controllerId();
        response.setControllerId(response.brokers().find(controller) == null ? -1 : controller);
        if (request.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(AuthorizedOperations.CLUSTER);
        }
        return response;
    }
}
