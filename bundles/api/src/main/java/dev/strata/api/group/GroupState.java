package dev.strata.api.group;

/**
 * The states of a classic group, with the names Kafka's DescribeGroups and ListGroups responses use.
 *
 * <pre>
 * Empty --join--> PreparingRebalance --all joined / rebalance timeout--> CompletingRebalance --leader's sync--> Stable
 *   ^                  ^   |(no member left)                                 |   (join, leave, member expiry)  |
 *   +------------------|---+                                                 +---> PreparingRebalance <--------+
 * Dead: the group was deleted (or its offsets expired while empty); a dead group object is never reused.
 * </pre>
 */
public enum GroupState {
    EMPTY("Empty"),
    PREPARING_REBALANCE("PreparingRebalance"),
    COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"),
    DEAD("Dead");

    private final String kafkaName;

    GroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    /** The state as Kafka spells it on the wire ({@code "PreparingRebalance"}...). */
    public String kafkaName() {
        return kafkaName;
    }

    /** The state for a Kafka state name, case-insensitive; null when there is none. */
    public static GroupState forKafkaName(String name) {
        for (GroupState s : values()) {
            if (s.kafkaName.equalsIgnoreCase(name)) {
                return s;
            }
        }
        return null;
    }
}
