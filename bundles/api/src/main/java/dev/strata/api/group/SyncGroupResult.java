package dev.strata.api.group;

import dev.strata.api.common.ErrorCode;

/** The member's assignment, passed through unchanged from the leader; empty on error. */
public record SyncGroupResult(ErrorCode error, String protocolType, String protocolName, byte[] assignment) {
    public static SyncGroupResult error(ErrorCode error) {
        return new SyncGroupResult(error, null, null, new byte[0]);
    }
}
