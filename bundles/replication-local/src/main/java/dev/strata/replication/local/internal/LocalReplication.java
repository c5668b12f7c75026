package dev.strata.replication.local.internal;

import dev.strata.api.replication.Replication;
import dev.strata.api.replication.ReplicatedPartition;
import org.osgi.service.component.annotations.Component;

/**
 * Replication for a single broker: the leader is the whole ISR, so everything appended is committed at once and
 * the high watermark equals the log end offset. Stateless: thread-safe.
 */
@Component(service = Replication.class, property = LocalReplication.NAME_PROPERTY + "=local")
public final class LocalReplication implements Replication {
    /** Names the implementation, so a deployment can target one (the broker's {@code replication.target}). */
    public static final String NAME_PROPERTY = "strata.replication.name";

    @Override
    public void partitionOpened(ReplicatedPartition partition) {
        partition.advanceHighWatermark(partition.logEndOffset());
    }

    @Override
    public void leaderAppended(ReplicatedPartition partition, long logEndOffset) {
        partition.advanceHighWatermark(logEndOffset);
    }

    @Override
    public void partitionClosed(ReplicatedPartition partition) {
        // nothing kept per partition
    }
}
