package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.ElectionType;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What any broker asks of the controller through ZooKeeper, and waits for (bounded) in its mirror: a topic
 * deletion ({@code /admin/delete_topics/<topic>}), leader elections ({@code /admin/preferred_replica_election/
 * <sequential>}, answered in the request node), its own controlled shutdown ({@code /admin/controlled_shutdown/<id>},
 * ephemeral); and the leader's own ISR change, written directly, conditional on the state's znode version and the
 * leader epoch. Thread-safety: thread-safe.
 */
final class ZkAdminRequests {
    private static final Logger LOG = LoggerFactory.getLogger(ZkAdminRequests.class);
    /** How long DeleteTopics waits for the controller to delete a topic. */
    static final long DELETE_WAIT_MS = 30_000;

    private final ZkConnection zk;
    private final ZkMirror mirror;
    private final int brokerId;

    ZkAdminRequests(ZkConnection zk, ZkMirror mirror, int brokerId) {
        this.zk = zk;
        this.mirror = mirror;
        this.brokerId = brokerId;
    }

    void deleteTopic(TopicMetadata t) {
        String what = "delete topic " + t.name();
        zk.requireConnected(ErrorCode.REQUEST_TIMED_OUT, what);
        try {
            zk.client().create().creatingParentsIfNeeded().forPath(ZkPaths.deleteRequest(t.name()));
            LOG.info("Asked the controller to delete topic {}", t.name());
        } catch (KeeperException.NodeExistsException e) {
            // already asked
        } catch (Exception e) {
            throw zk.failure(ErrorCode.REQUEST_TIMED_OUT, what, e);
        }
        if (!mirror.awaitDelivered(s -> !s.topics().containsKey(t.name())
                || !s.topics().get(t.name()).metadata().topicId().equals(t.topicId()), DELETE_WAIT_MS)) {
            throw new StrataException(ErrorCode.REQUEST_TIMED_OUT, "The deletion of topic " + t.name() + " has not"
                    + " completed within " + DELETE_WAIT_MS + " ms; the controller (broker "
                    + mirror.snapshot().controllerId() + ") goes on with it");
        }
    }

    Map<TopicPartition, ErrorCode> electLeaders(ElectionType type, Collection<TopicPartition> requested,
                                                long timeoutMs) {
        List<TopicPartition> partitions = new ArrayList<>();
        if (requested == null) {
            mirror.snapshot().topics().values().forEach(t -> {
                for (int p = 0; p < t.metadata().partitionCount(); p++) {
                    partitions.add(new TopicPartition(t.metadata().name(), p));
                }
            });
        } else {
            partitions.addAll(new java.util.LinkedHashSet<>(requested));
        }
        Map<TopicPartition, ErrorCode> result = new LinkedHashMap<>();
        if (partitions.isEmpty()) {
            return result;
        }
        String what = "elect leaders";
        zk.requireConnected(ErrorCode.REQUEST_TIMED_OUT, what);
        List<String> names = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            names.add(tp.topic() + ":" + tp.partition());
        }
        String path;
        try {
            // Ephemeral: a requester that dies before deleting its request leaves nothing behind.
            path = zk.client().create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                    .forPath(ZkPaths.ELECTIONS + "/request-", ZkPaths.encode(Map.of("type", type.name(),
                            "partitions", String.join(",", names), "broker", Integer.toString(brokerId))));
        } catch (Exception e) {
            throw zk.failure(ErrorCode.REQUEST_TIMED_OUT, what, e);
        }
        boolean answered = mirror.awaitDelivered(s -> s.elections().containsKey(path)
                && s.elections().get(path).containsKey("results"), timeoutMs);
        Map<String, String> answer = mirror.snapshot().elections().get(path);
        try {
            zk.client().delete().forPath(path);
        } catch (Exception e) {
            LOG.debug("Could not delete the election request {}: {}", path, e.toString());
        }
        List<String> codes = answered && answer != null ? ZkPaths.split(answer.get("results")) : List.of();
        for (int i = 0; i < partitions.size(); i++) {
            result.put(partitions.get(i), i < codes.size() ? ErrorCode.valueOf(codes.get(i))
                    : ErrorCode.REQUEST_TIMED_OUT);
        }
        return result;
    }

    PartitionState alterIsr(TopicPartition tp, int leaderEpoch, List<Integer> isr) {
        String what = "alter the ISR of " + tp;
        zk.requireConnected(ErrorCode.REQUEST_TIMED_OUT, what);
        ZkSnapshot.Topic topic = mirror.snapshot().topics().get(tp.topic());
        if (topic == null || tp.partition() < 0 || tp.partition() >= topic.metadata().partitionCount()) {
            throw new StrataException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                    "This server does not host this topic-partition: " + tp);
        }
        List<Integer> replicas = topic.assignment().get(tp.partition());
        try {
            while (true) {
                Stat stat = new Stat();
                Map<String, String> v;
                try {
                    v = ZkPaths.decode(zk.client().getData().storingStatIn(stat)
                            .forPath(ZkPaths.state(tp.topic(), tp.partition())));
                } catch (KeeperException.NoNodeException e) {
                    throw fenced(tp, leaderEpoch, "it has no leader yet");
                }
                int leader = ZkPaths.intValue(v, "leader");
                int epoch = ZkPaths.intValue(v, "leader_epoch");
                if (leader != brokerId || epoch != leaderEpoch) {
                    throw fenced(tp, leaderEpoch, "broker " + leader + " leads it at epoch " + epoch);
                }
                if (isr == null || !isr.contains(brokerId) || !replicas.containsAll(isr)
                        || new HashSet<>(isr).size() != isr.size()) {
                    throw new StrataException(ErrorCode.INVALID_REQUEST, "The ISR " + isr + " of " + tp + " must"
                            + " hold its leader " + brokerId + " and only its replicas " + replicas);
                }
                LeaderAndIsr next = new LeaderAndIsr(leader, epoch, isr);
                if (!ZkPaths.parseIds(v.get("isr")).equals(isr)) {
                    try {
                        zk.client().setData().withVersion(stat.getVersion()).forPath(
                                ZkPaths.state(tp.topic(), tp.partition()),
                                ZkSnapshot.encodeState(next, ZkPaths.intValue(v, "controller_epoch")));
                    } catch (KeeperException.BadVersionException e) {
                        continue; // the controller or an earlier call wrote it meanwhile: check again
                    }
                    LOG.info("ISR of {} now {} (leader {}, epoch {})", tp, isr, leader, epoch);
                }
                mirror.awaitDelivered(s -> s.states().containsKey(tp) && s.states().get(tp).state().equals(next),
                        zk.connectionTimeoutMs());
                return new PartitionState(tp, leader, epoch, replicas, isr);
            }
        } catch (StrataException e) {
            throw e;
        } catch (Exception e) {
            throw zk.failure(ErrorCode.REQUEST_TIMED_OUT, what, e);
        }
    }

    private static StrataException fenced(TopicPartition tp, int leaderEpoch, String why) {
        return new StrataException(ErrorCode.FENCED_LEADER_EPOCH, "This broker is not the leader of " + tp
                + " at epoch " + leaderEpoch + ": " + why);
    }

    /**
     * Marks this broker as shutting down and waits until it leads no partition that another eligible in-sync replica
     * could lead (bounded by {@code timeoutMs}).
     *
     * @return the partitions it still leads
     */
    int controlledShutdown(long timeoutMs) {
        if (!zk.connected()) {
            int led = led(mirror.snapshot()).size();
            LOG.warn("Controlled shutdown of broker {} skipped: ZooKeeper is out of reach; it leads {} partition(s)",
                    brokerId, led);
            return led;
        }
        try {
            zk.client().create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(ZkPaths.controlledShutdown(brokerId));
        } catch (KeeperException.NodeExistsException e) {
            // already shutting down
        } catch (Exception e) {
            LOG.warn("Controlled shutdown of broker {} could not be requested: {}", brokerId, e.toString());
            return led(mirror.snapshot()).size();
        }
        LOG.info("Controlled shutdown of broker {}: waiting up to {} ms for its leaderships to move", brokerId,
                timeoutMs);
        mirror.awaitDelivered(s -> movable(s) == 0, timeoutMs);
        ZkSnapshot s = mirror.snapshot();
        List<TopicPartition> led = led(s);
        if (movable(s) > 0) {
            LOG.warn("Controlled shutdown of broker {} timed out: it still leads {}", brokerId, led);
        } else {
            LOG.info("Controlled shutdown of broker {}: it still leads {} partition(s) with no other in-sync"
                    + " replica", brokerId, led.size());
        }
        return led.size();
    }

    private List<TopicPartition> led(ZkSnapshot s) {
        List<TopicPartition> led = new ArrayList<>();
        new TreeMap<>(s.states()).forEach((tp, st) -> {
            if (st.state().leader() == brokerId) {
                led.add(tp);
            }
        });
        return led;
    }

    /**
     * What the controller still has to hand over: partitions this broker leads whose ISR has another live broker
     * that is not shutting down, and ISRs of led partitions it is in as a follower.
     */
    private int movable(ZkSnapshot s) {
        int n = 0;
        for (ZkSnapshot.StoredState st : s.states().values()) {
            int leader = st.state().leader();
            if (leader == brokerId && st.state().isr().stream().anyMatch(b -> b != brokerId
                    && s.brokers().containsKey(b) && !s.shuttingDown().contains(b))) {
                n++;
            } else if (leader != brokerId && leader != LeaderAndIsr.NO_LEADER && st.state().isr().contains(brokerId)) {
                n++;
            }
        }
        return n;
    }
}
