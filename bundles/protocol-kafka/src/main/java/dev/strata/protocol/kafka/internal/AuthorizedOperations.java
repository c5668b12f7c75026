package dev.strata.protocol.kafka.internal;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.utils.Utils;

/**
 * The operations a client may perform on a resource, as the bit fields that Metadata, DescribeCluster and
 * DescribeGroups return when asked to ({@code include*AuthorizedOperations}). Strata has no authorizer yet, so, as
 * Kafka without one, every operation the resource type supports is allowed: Kafka's
 * {@code AclEntry.supportedOperations}, encoded with {@code Utils.to32BitField} over the operation codes. A response
 * that was not asked for keeps the schema default, {@link #NOT_REQUESTED}. Constants only.
 */
final class AuthorizedOperations {

    /** The schema default of every authorized-operations field: "not computed". */
    static final int NOT_REQUESTED = Integer.MIN_VALUE;

    static final int TOPIC = bits(List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE,
            AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS));

    static final int GROUP = bits(List.of(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE,
            AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS));

    static final int CLUSTER = bits(List.of(AclOperation.CREATE, AclOperation.CLUSTER_ACTION,
            AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE,
            AclOperation.ALTER, AclOperation.DESCRIBE));

    private AuthorizedOperations() {
    }

    private static int bits(List<AclOperation> operations) {
        return Utils.to32BitField(operations.stream().map(AclOperation::code).collect(
                Collectors.toSet()));
    }
}
