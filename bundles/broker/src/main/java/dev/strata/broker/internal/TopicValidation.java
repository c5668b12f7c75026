package dev.strata.broker.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.TopicMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Kafka's rules for a new topic: legal name, no collision, partition count, replication factor or manual replica
 * assignment, known configs.
 * Shared by the metadata store (on create) and the broker (validate-only requests). Stateless: thread-safe.
 */
final class TopicValidation {
    static final int MAX_NAME_LENGTH = 249;
    /** A bound so that one request cannot make the broker open an unreasonable number of logs. */
    static final int MAX_PARTITIONS = 10_000;

    private TopicValidation() {
    }

    /** @throws StrataException INVALID_TOPIC_EXCEPTION */
    static void validateName(String name) {
        if (name == null || name.isEmpty()) {
            throw new StrataException(ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic name is illegal, it can't be empty");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new StrataException(ErrorCode.INVALID_TOPIC_EXCEPTION,
                    "Topic name cannot be \".\" or \"..\"");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new StrataException(ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic name is illegal, it can't be longer"
                    + " than " + MAX_NAME_LENGTH + " characters, topic name: " + name);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '_' || c == '-';
            if (!ok) {
                throw new StrataException(ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic name \"" + name + "\" is illegal,"
                        + " it contains a character other than ASCII alphanumerics, '.', '_' and '-'");
            }
        }
    }

    /** Kafka refuses topics whose names differ only by '.' versus '_' (their metric names would collide). */
    static String collisionKey(String name) {
        return name.replace('.', '_');
    }

    /**
     * Checks a new topic against the store and returns it as it would be recorded (with a fresh topic id), the
     * configs normalised.
     *
     * @param liveBrokers how many brokers can hold replicas
     * @throws StrataException INVALID_TOPIC_EXCEPTION, TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS,
     *     INVALID_REPLICATION_FACTOR or INVALID_CONFIG
     */
    static TopicMetadata validateNewTopic(MetadataStore store, String name, int partitions, short replicationFactor,
                                          Map<String, String> configs, int liveBrokers) {
        validateNameAvailable(store, name);
        if (partitions < 1) {
            throw new StrataException(ErrorCode.INVALID_PARTITIONS,
                    "Number of partitions must be larger than 0: " + partitions);
        }
        if (partitions > MAX_PARTITIONS) {
            throw new StrataException(ErrorCode.INVALID_PARTITIONS,
                    "Number of partitions must be at most " + MAX_PARTITIONS + ": " + partitions);
        }
        if (replicationFactor < 1) {
            throw new StrataException(ErrorCode.INVALID_REPLICATION_FACTOR,
                    "Replication factor must be larger than 0: " + replicationFactor);
        }
        if (replicationFactor > liveBrokers) {
            // Kafka's message in ZooKeeper mode (AdminZkClient's replica assignment).
            throw new StrataException(ErrorCode.INVALID_REPLICATION_FACTOR, "Replication factor: " + replicationFactor
                    + " larger than available brokers: " + liveBrokers + ".");
        }
        Map<String, String> normalised = TopicConfigs.validate(configs == null ? Map.of() : configs);
        return new TopicMetadata(name, newTopicId(), partitions, replicationFactor, normalised);
    }

    /** @throws StrataException INVALID_TOPIC_EXCEPTION or TOPIC_ALREADY_EXISTS */
    static void validateNameAvailable(MetadataStore store, String name) {
        validateName(name);
        if (store.topic(name).isPresent()) {
            throw new StrataException(ErrorCode.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
        }
        String key = collisionKey(name);
        for (TopicMetadata t : store.topics()) {
            if (collisionKey(t.name()).equals(key)) {
                throw new StrataException(ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic '" + name + "' collides with"
                        + " existing topic: " + t.name());
            }
        }
    }

    /**
     * Kafka's rules for a manual replica assignment (its controller's {@code validateManualPartitionAssignment}, with
     * its messages): each partition names at least one broker, only registered brokers, none twice, and every
     * partition as many as the first.
     *
     * @return the replication factor the assignment implies
     * @throws StrataException INVALID_REPLICA_ASSIGNMENT or INVALID_PARTITIONS (none, or more than the bound)
     */
    static short validateAssignment(List<List<Integer>> assignment, Set<Integer> registeredBrokers) {
        if (assignment == null || assignment.isEmpty()) {
            throw new StrataException(ErrorCode.INVALID_PARTITIONS, "Number of partitions must be larger than 0: 0");
        }
        if (assignment.size() > MAX_PARTITIONS) {
            throw new StrataException(ErrorCode.INVALID_PARTITIONS,
                    "Number of partitions must be at most " + MAX_PARTITIONS + ": " + assignment.size());
        }
        int replicationFactor = -1;
        for (List<Integer> replicas : assignment) {
            if (replicas == null || replicas.isEmpty()) {
                throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                        "The manual partition assignment includes an empty replica list.");
            }
            List<Integer> sorted = new ArrayList<>(replicas);
            sorted.sort(Integer::compare);
            Integer previous = null;
            for (Integer broker : sorted) {
                if (!registeredBrokers.contains(broker)) {
                    throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT, "The manual partition "
                            + "assignment includes broker " + broker + ", but no such broker is registered.");
                }
                if (broker.equals(previous)) {
                    throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT, "The manual partition "
                            + "assignment includes the broker " + previous + " more than once.");
                }
                previous = broker;
            }
            if (replicationFactor != -1 && sorted.size() != replicationFactor) {
                throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment "
                        + "includes a partition with " + sorted.size() + " replica(s), but this is not consistent "
                        + "with previous partitions, which have " + replicationFactor + " replica(s).");
            }
            replicationFactor = sorted.size();
        }
        return (short) replicationFactor;
    }

    /**
     * Kafka's controller checks for CreatePartitions ({@code ReplicationControlManager.createPartitions}), with its
     * messages: the count must grow, by at most {@link #MAX_PARTITIONS} at once, with one replica list per new
     * partition, each as {@link #validateAssignment} wants it and as long as the topic's replication factor.
     *
     * @param newAssignments the replica lists of the new partitions, or null to let the store place them
     * @return how many partitions are added
     * @throws StrataException INVALID_PARTITIONS or INVALID_REPLICA_ASSIGNMENT
     */
    static int validatePartitionIncrease(TopicMetadata topic, int totalCount, List<List<Integer>> newAssignments,
                                         Set<Integer> registeredBrokers) {
        int current = topic.partitionCount();
        if (totalCount == current) {
            throw new StrataException(ErrorCode.INVALID_PARTITIONS, "Topic already has " + current
                    + " partition(s).");
        }
        if (totalCount < current) {
            throw new StrataException(ErrorCode.INVALID_PARTITIONS, "The topic " + topic.name() + " currently has "
                    + current + " partition(s); " + totalCount + " would not be an increase.");
        }
        int additional = totalCount - current;
        if (additional > MAX_PARTITIONS) {
            throw new StrataException(ErrorCode.INVALID_PARTITIONS, "Cannot add " + additional + " partitions at "
                    + "once: at most " + MAX_PARTITIONS);
        }
        if (newAssignments != null) {
            if (newAssignments.size() != additional) {
                throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT, "Attempted to add " + additional
                        + " additional partition(s), but only " + newAssignments.size()
                        + " assignment(s) were specified.");
            }
            for (List<Integer> replicas : newAssignments) {
                short rf = validateAssignment(List.of(replicas == null ? List.of() : replicas), registeredBrokers);
                if (rf != topic.replicationFactor()) {
                    throw new StrataException(ErrorCode.INVALID_REPLICA_ASSIGNMENT, "The manual partition "
                            + "assignment includes a partition with " + rf + " replica(s), but this is not "
                            + "consistent with previous partitions, which have " + topic.replicationFactor()
                            + " replica(s).");
                }
            }
        }
        return additional;
    }

    /** A random topic id that is neither Kafka's zero id nor its reserved metadata-topic id. */
    static UUID newTopicId() {
        while (true) {
            UUID id = UUID.randomUUID();
            if (!(id.getMostSignificantBits() == 0 && id.getLeastSignificantBits() <= 1)) {
                return id;
            }
        }
    }
}
