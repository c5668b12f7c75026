package dev.strata.protocol.kafka.internal;

import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.protocol.kafka.api.KafkaListener;
import java.util.ArrayList;
import java.util.List;

/** The live brokers as clients must reach them, for Metadata and DescribeCluster. Stateless. */
final class BrokerEndpoints {

    private BrokerEndpoints() {
    }

    /**
     * This broker first, at its advertised host and the port actually bound (whatever the metadata store recorded
     * for it), then the other live brokers at their registered endpoints.
     */
    static List<BrokerInfo> live(MetadataStore metadata, KafkaListener listener) {
        int localId = metadata.localBrokerId();
        String localRack = null;
        List<BrokerInfo> others = new ArrayList<>();
        for (BrokerInfo info : metadata.liveBrokers()) {
            if (info.id() == localId) {
                localRack = info.rack();
            } else {
                others.add(info);
            }
        }
        List<BrokerInfo> out = new ArrayList<>(others.size() + 1);
        out.add(new BrokerInfo(localId, listener.host(), listener.port(), localRack));
        out.addAll(others);
        return out;
    }
}
