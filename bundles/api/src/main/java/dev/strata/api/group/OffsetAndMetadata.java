package dev.strata.api.group;

/**
 * A committed position in one partition.
 *
 * @param offset the next offset to consume
 * @param leaderEpoch the leader epoch of the last consumed record, -1 when unknown
 * @param metadata free text from the client, never null (empty when none)
 */
public record OffsetAndMetadata(long offset, int leaderEpoch, String metadata) {
    public static final int NO_LEADER_EPOCH = -1;

    public OffsetAndMetadata {
        metadata = metadata == null ? "" : metadata;
    }
}
