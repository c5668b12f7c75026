package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.metadata.BrokerInfo;
import java.util.Map;
import java.util.Set;

/**
 * A consistent snapshot the controller decides from: the live brokers (registered now, by id), those in controlled
 * shutdown (live, but to be led by no partition), every topic, and the broker default of
 * {@code unclean.leader.election.enable} (a topic's own setting wins).
 */
record ClusterView(Map<Integer, BrokerInfo> liveBrokers, Set<Integer> shuttingDown, Map<String, TopicView> topics,
                   boolean uncleanDefault) {
    ClusterView {
        liveBrokers = Map.copyOf(liveBrokers);
        shuttingDown = Set.copyOf(shuttingDown);
        topics = Map.copyOf(topics);
    }

    /** Whether {@code broker} may lead or stay in an ISR: registered and not shutting down. */
    boolean eligible(int broker) {
        return liveBrokers.containsKey(broker) && !shuttingDown.contains(broker);
    }

    /** Whether {@code topic} allows electing a replica outside the ISR (its setting, else the broker default). */
    boolean uncleanAllowed(TopicView topic) {
        String v = topic.configs().get("unclean.leader.election.enable");
        return v == null ? uncleanDefault : Boolean.parseBoolean(v.trim());
    }
}
