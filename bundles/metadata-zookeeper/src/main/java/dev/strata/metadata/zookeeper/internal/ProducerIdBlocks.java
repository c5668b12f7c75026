package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Producer ids reserved cluster-wide in {@code /latest_producer_id_block} ({@code broker}, {@code block.start},
 * {@code block.end}, inclusive, as Kafka's ZooKeeper mode keeps it): each reservation reads the last block and
 * replaces it conditionally on its znode version, retrying when another broker was first, so blocks never overlap
 * across brokers and restarts. No block starts below this broker's local floor: the {@code next.block.start} of
 * {@code <log.dirs>/__strata_meta/producer-ids.properties}, written by the single-broker store. A former single
 * broker seeds a new cluster's id from its directory, and its logs hold producer state for the ids it handed out,
 * so the cluster's first block (and any later one) must not hand those ids out again.
 * Thread-safety: thread-safe (ZooKeeper serialises the writers).
 */
final class ProducerIdBlocks {
    /** The single-broker store's directory in {@code log.dirs} (metadata-local's layout). */
    static final String META_DIR = "__strata_meta";
    static final String LOCAL_FILE = "producer-ids.properties";
    static final String NEXT_BLOCK_START = "next.block.start";

    private final ZkConnection zk;
    private final int brokerId;
    private final long floor;

    ProducerIdBlocks(ZkConnection zk, int brokerId, long floor) {
        this.zk = zk;
        this.brokerId = brokerId;
        this.floor = floor;
    }

    /**
     * The first producer id the single-broker store would have handed out next in {@code logDir} (0 without one).
     *
     * @throws IOException when the file is unreadable or malformed
     */
    static long localFloor(Path logDir) throws IOException {
        Path file = logDir.resolve(META_DIR).resolve(LOCAL_FILE);
        Optional<Map<String, String>> props = AtomicFiles.readProperties(file);
        if (props.isEmpty()) {
            return 0;
        }
        String v = props.get().get(NEXT_BLOCK_START);
        try {
            long start = Long.parseLong(v == null ? "" : v.trim());
            if (start < 0) {
                throw new IOException(file + ": negative " + NEXT_BLOCK_START + " " + start);
            }
            return start;
        } catch (NumberFormatException e) {
            throw new IOException(file + ": " + NEXT_BLOCK_START + " is not a number: " + v, e);
        }
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
                    start = Math.max(floor, Long.parseLong(last.get("block.end").trim()) + 1);
                } catch (KeeperException.NoNodeException e) {
                    start = floor;
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
