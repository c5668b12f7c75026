package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.BrokerInfo;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consistent reading of the mirrored tree, parsed: what every broker answers from and the controller decides
 * from. Built whole from the cache's nodes after each change ({@link #of}); immutable.
 *
 * @param brokers the registered brokers by id
 * @param controllerId the broker in {@code /controller}, -1 when none
 * @param topics the topics whose topic and config znodes are both present
 * @param states the partition states written so far
 * @param brokerConfigs dynamic broker configs by entity ("" for the default)
 * @param deletions topics with a deletion request
 * @param elections ElectLeaders requests by path, with their data
 * @param shuttingDown brokers in controlled shutdown
 */
record ZkSnapshot(Map<Integer, BrokerInfo> brokers, int controllerId, Map<String, Topic> topics,
                  Map<TopicPartition, StoredState> states, Map<String, Map<String, String>> brokerConfigs,
                  Set<String> deletions, Map<String, Map<String, String>> elections, Set<Integer> shuttingDown) {
    private static final Logger LOG = LoggerFactory.getLogger(ZkSnapshot.class);

    static final ZkSnapshot EMPTY = new ZkSnapshot(Map.of(), -1, Map.of(), Map.of(), Map.of(), Set.of(), Map.of(),
            Set.of());

    /** A topic with its assignment and the version of its topic znode. */
    record Topic(TopicMetadata metadata, List<List<Integer>> assignment, int version) {
    }

    /** A partition state znode: the state, the epoch of the controller that wrote it and the znode's version. */
    record StoredState(LeaderAndIsr state, int controllerEpoch, int version) {
    }

    /** A znode as the cache holds it. */
    record Node(String path, byte[] data, int version) {
    }

    Optional<PartitionState> partitionState(TopicPartition tp) {
        Topic t = topics.get(tp.topic());
        if (t == null || tp.partition() < 0 || tp.partition() >= t.metadata().partitionCount()) {
            return Optional.empty();
        }
        List<Integer> replicas = t.assignment().get(tp.partition());
        StoredState s = states.get(tp);
        if (s == null) {
            return Optional.of(new PartitionState(tp, PartitionState.NO_LEADER, -1, replicas, List.of()));
        }
        return Optional.of(new PartitionState(tp, s.state().leader(), s.state().leaderEpoch(), replicas,
                s.state().isr()));
    }

    /** Parses every node; a malformed one is skipped with a WARN (it never stops the others). */
    static ZkSnapshot of(Iterable<Node> nodes) {
        Map<Integer, BrokerInfo> brokers = new TreeMap<>();
        int controller = -1;
        Map<String, Node> topicNodes = new HashMap<>();
        Map<String, Map<String, String>> topicConfigs = new HashMap<>();
        Map<TopicPartition, StoredState> states = new HashMap<>();
        Map<String, Map<String, String>> brokerConfigs = new HashMap<>();
        Set<String> deletions = new HashSet<>();
        Map<String, Map<String, String>> elections = new TreeMap<>();
        Set<Integer> shuttingDown = new HashSet<>();
        for (Node n : nodes) {
            String path = n.path();
            try {
                String parent = path.substring(0, Math.max(0, path.lastIndexOf('/')));
                String name = ZkPaths.name(path);
                if (parent.equals(ZkPaths.BROKER_IDS)) {
                    Map<String, String> v = ZkPaths.decode(n.data());
                    int id = Integer.parseInt(name);
                    String rack = v.get("rack");
                    brokers.put(id, new BrokerInfo(id, v.get("host"), Integer.parseInt(v.getOrDefault("port", "-1")),
                            rack == null || rack.isBlank() ? null : rack));
                } else if (path.equals(ZkPaths.CONTROLLER)) {
                    controller = ZkPaths.intValue(ZkPaths.decode(n.data()), "brokerid");
                } else if (parent.equals(ZkPaths.TOPICS)) {
                    topicNodes.put(name, n);
                } else if (parent.equals(ZkPaths.TOPIC_CONFIGS)) {
                    topicConfigs.put(name, ZkPaths.decode(n.data()));
                } else if (path.startsWith(ZkPaths.TOPICS + "/") && name.equals("state")) {
                    String[] parts = path.substring(ZkPaths.TOPICS.length() + 1).split("/");
                    if (parts.length == 4 && parts[1].equals("partitions")) {
                        Map<String, String> v = ZkPaths.decode(n.data());
                        LeaderAndIsr s = new LeaderAndIsr(ZkPaths.intValue(v, "leader"),
                                ZkPaths.intValue(v, "leader_epoch"), ZkPaths.parseIds(v.get("isr")));
                        states.put(new TopicPartition(parts[0], Integer.parseInt(parts[2])),
                                new StoredState(s, ZkPaths.intValue(v, "controller_epoch"), n.version()));
                    }
                } else if (parent.equals(ZkPaths.BROKER_CONFIGS)) {
                    Map<String, String> v = ZkPaths.decode(n.data());
                    if (!v.isEmpty()) {
                        brokerConfigs.put(name.equals(ZkPaths.DEFAULT_ENTITY) ? "" : name, Map.copyOf(v));
                    }
                } else if (parent.equals(ZkPaths.DELETE_TOPICS)) {
                    deletions.add(name);
                } else if (parent.equals(ZkPaths.ELECTIONS)) {
                    elections.put(path, ZkPaths.decode(n.data()));
                } else if (parent.equals(ZkPaths.CONTROLLED_SHUTDOWN)) {
                    shuttingDown.add(Integer.parseInt(name));
                }
            } catch (RuntimeException e) {
                LOG.warn("Ignoring the malformed znode {}: {}", path, e.getMessage());
            }
        }
        Map<String, Topic> topics = new TreeMap<>();
        for (Map.Entry<String, Node> e : topicNodes.entrySet()) {
            Map<String, String> configs = topicConfigs.get(e.getKey());
            if (configs == null) {
                continue; // written in one transaction with the topic: the cache has not seen it yet
            }
            try {
                topics.put(e.getKey(), parseTopic(e.getKey(), e.getValue(), configs));
            } catch (RuntimeException ex) {
                LOG.warn("Ignoring the malformed topic znode {}: {}", e.getValue().path(), ex.getMessage());
            }
        }
        states.keySet().removeIf(tp -> !topics.containsKey(tp.topic())
                || tp.partition() >= topics.get(tp.topic()).metadata().partitionCount());
        return new ZkSnapshot(Map.copyOf(brokers), controller, Map.copyOf(topics), Map.copyOf(states),
                Map.copyOf(brokerConfigs), Set.copyOf(deletions), Map.copyOf(elections), Set.copyOf(shuttingDown));
    }

    private static Topic parseTopic(String name, Node node, Map<String, String> configs) {
        Map<String, String> v = ZkPaths.decode(node.data());
        int partitions = ZkPaths.intValue(v, "partitions");
        List<List<Integer>> assignment = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            List<Integer> replicas = ZkPaths.parseIds(v.get("p." + p));
            if (replicas.isEmpty()) {
                throw new IllegalArgumentException("no replicas for partition " + p);
            }
            assignment.add(List.copyOf(replicas));
        }
        TopicMetadata meta = new TopicMetadata(name, UUID.fromString(v.get("topic.id")), partitions,
                Short.parseShort(v.get("replication.factor").trim()), configs);
        return new Topic(meta, List.copyOf(assignment), node.version());
    }

    /** Encodes a topic znode: id, counts and the assignment (p.<n>=replica ids). */
    static byte[] encodeTopic(TopicMetadata t, List<List<Integer>> assignment) {
        Map<String, String> v = new TreeMap<>();
        v.put("topic.id", t.topicId().toString());
        v.put("partitions", Integer.toString(assignment.size()));
        v.put("replication.factor", Short.toString(t.replicationFactor()));
        for (int p = 0; p < assignment.size(); p++) {
            v.put("p." + p, ZkPaths.ids(assignment.get(p)));
        }
        return ZkPaths.encode(v);
    }

    static byte[] encodeState(LeaderAndIsr s, int controllerEpoch) {
        return ZkPaths.encode(Map.of("leader", Integer.toString(s.leader()), "leader_epoch",
                Integer.toString(s.leaderEpoch()), "isr", ZkPaths.ids(s.isr()), "controller_epoch",
                Integer.toString(controllerEpoch)));
    }

    /** The controller's view: topics being deleted left out; {@code shuttingDown} as given. */
    ClusterView view(Set<Integer> shutting, boolean uncleanDefault) {
        Map<String, TopicView> views = new HashMap<>();
        for (Topic t : topics.values()) {
            if (deletions.contains(t.metadata().name())) {
                continue;
            }
            Map<Integer, LeaderAndIsr> s = new HashMap<>();
            for (int p = 0; p < t.metadata().partitionCount(); p++) {
                StoredState st = states.get(new TopicPartition(t.metadata().name(), p));
                if (st != null) {
                    s.put(p, st.state());
                }
            }
            views.put(t.metadata().name(), new TopicView(t.metadata().name(), t.assignment(), t.metadata().configs(),
                    s));
        }
        return new ClusterView(brokers, shutting, views, uncleanDefault);
    }
}
