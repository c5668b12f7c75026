package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.files.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.zookeeper.KeeperException;

/**
 * The cluster id in {@code /cluster/id}, created once by the first broker (a conditional create), and the broker's
 * {@code meta.properties} in its {@code log.dirs} ({@code version=0}, {@code broker.id}, {@code cluster.id}, the
 * format of the single-broker store): a directory of another cluster or another broker id refuses to start, as in
 * Kafka. A directory of a former single broker seeds the id of a new cluster. Stateless.
 */
final class ClusterIdentity {
    static final String META_PROPERTIES = "meta.properties";

    private ClusterIdentity() {
    }

    /**
     * @return the cluster id
     * @throws IOException when the directory belongs to another broker or cluster, or cannot be written
     */
    static String establish(ZkConnection zk, Path logDir, int brokerId) throws IOException {
        Path file = logDir.resolve(META_PROPERTIES);
        Optional<Map<String, String>> stored = AtomicFiles.readProperties(file);
        String storedCluster = stored.map(p -> p.get("cluster.id")).map(String::trim).orElse(null);
        String storedBroker = stored.map(p -> p.get("broker.id")).map(String::trim).orElse(null);
        if (storedBroker != null && !storedBroker.equals(Integer.toString(brokerId))) {
            throw new IOException("Configured broker.id " + brokerId + " doesn't match stored broker.id "
                    + storedBroker + " in " + file);
        }
        String clusterId = clusterId(zk, storedCluster == null || storedCluster.isEmpty() ? newId() : storedCluster);
        if (storedCluster != null && !storedCluster.equals(clusterId)) {
            throw new IOException("The Cluster ID " + clusterId + " doesn't match stored clusterId " + storedCluster
                    + " in " + file + ". The broker is trying to join the wrong cluster. Configured"
                    + " zookeeper.connect may be wrong.");
        }
        if (storedCluster == null) {
            Map<String, String> props = new TreeMap<>();
            props.put("version", "0");
            props.put("broker.id", Integer.toString(brokerId));
            props.put("cluster.id", clusterId);
            AtomicFiles.writeProperties(file, props, "Strata broker metadata; do not edit");
        }
        return clusterId;
    }

    private static String clusterId(ZkConnection zk, String proposed) {
        try {
            try {
                zk.client().create().creatingParentsIfNeeded().forPath(ZkPaths.CLUSTER_ID,
                        ZkPaths.encode(Map.of("cluster.id", proposed)));
                return proposed;
            } catch (KeeperException.NodeExistsException e) {
                return ZkPaths.decode(zk.client().getData().forPath(ZkPaths.CLUSTER_ID)).get("cluster.id").trim();
            }
        } catch (Exception e) {
            throw new StrataException(ErrorCode.BROKER_NOT_AVAILABLE, "Cannot read the cluster id in ZooKeeper: "
                    + e.getMessage(), e);
        }
    }

    /** Kafka's format: a random UUID as 22 characters of unpadded URL-safe base64. */
    static String newId() {
        UUID uuid = UUID.randomUUID();
        ByteBuffer b = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }
}
