package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import java.util.Map;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Producer ids reserved cluster-wide in {@code /latest_producer_id_block} ({@code broker}, {@code block.start},
 * {@code block.end}, inclusive, as Kafka's ZooKeeper mode keeps it): each reservation reads the last block and
 * replaces it conditionally on its znode version, retrying when another broker was first, so blocks never overlap
 * across brokers and restarts. Thread-safety: thread-safe (ZooKeeper serialises the writers).
 */
final class ProducerIdBlocks {
    private final ZkConnection zk;
    private final int brokerId;

    ProducerIdBlocks(ZkConnection zk, int brokerId) {
        this.zk = zk;
        this.brokerId = brokerId;
    }

    /** @throws StrataException COORDINATOR_LOAD_IN_PROGRESS while ZooKeeper is out of reach */
    long allocate(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be positive: " + count);
        }
        String what = "reserve producer ids";
        zk.requireConnected(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, what);
        try {
            while (true) {
                Stat stat = new Stat();
                long start;
                try {
                    Map<String, String> last = ZkPaths.decode(zk.client().getData().storingStatIn(stat)
                            .forPath(ZkPaths.PRODUCER_ID_BLOCK));
                    start = Long.parseLong(last.get("block.end").trim()) + 1;
                } catch (KeeperException.NoNodeException e) {
                    start = 0;
                    stat = null;
                }
                long end = start + count - 1;
                if (end < start) {
                    throw new StrataException(ErrorCode.UNKNOWN_SERVER_ERROR, "Producer ids exhausted");
                }
                byte[] data = ZkPaths.encode(Map.of("broker", Integer.toString(brokerId), "block.start",
                        Long.toString(start), "block.end", Long.toString(end)));
                try {
                    if (stat == null) {
                        zk.client().create().forPath(ZkPaths.PRODUCER_ID_BLOCK, data);
                    } else {
                        zk.client().setData().withVersion(stat.getVersion()).forPath(ZkPaths.PRODUCER_ID_BLOCK, data);
                    }
                    return start;
                } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException e) {
                    // another broker took a block first: take the next one
                }
            }
        } catch (StrataException e) {
            throw e;
        } catch (Exception e) {
            throw zk.unreachable(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, what, e);
        }
    }
}
