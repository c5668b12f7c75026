package dev.strata.api.group;

/**
 * One protocol a member supports (for consumers: an assignor name such as {@code "range"}) with its metadata (for
 * consumers: the serialized subscription), passed through to the group leader unchanged.
 */
public record GroupProtocol(String name, byte[] metadata) {
    public GroupProtocol {
        metadata = metadata == null ? new byte[0] : metadata;
    }
}
