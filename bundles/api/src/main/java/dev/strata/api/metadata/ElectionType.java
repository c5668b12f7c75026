package dev.strata.api.metadata;

/** Kafka's leader election kinds (ElectLeaders): the preferred replica, or any live replica. */
public enum ElectionType {
    /** The first assigned replica, when it is live and in the ISR. */
    PREFERRED,
    /** Any live replica, in the ISR or not (data the old leader alone had may be lost); only for offline partitions. */
    UNCLEAN
}
