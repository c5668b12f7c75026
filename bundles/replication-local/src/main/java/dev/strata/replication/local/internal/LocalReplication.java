package dev.strata.replication.local.internal;

import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.replication.Replication;
import dev.strata.api.replication.ReplicatedPartition;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Replication without followers: the leader is the whole ISR, so everything appended is committed at once and the
 * high watermark equals the log end offset. In a cluster no follower copies data yet, so a follower is in sync only
 * while the leader's log is empty: {@link IsrKeeper} commits appends to a partition only once its stored ISR is the
 * leader alone (taking the other replicas out first, off the produce path), so that an election never picks a
 * replica that lacks an acknowledged record, and while a log is empty a replica that rejoins is taken back in. Thread-safe.
 */
@Component(service = Replication.class, property = LocalReplication.NAME_PROPERTY + "=local")
public final class LocalReplication implements Replication {
    /** Names the implementation, so a deployment can target one (the broker's {@code replication.target}). */
    public static final String NAME_PROPERTY = "strata.replication.name";

    /** Null without a metadata store (tests of a single broker): the ISR is then never touched. */
    private final IsrKeeper isr;

    /** A single broker without a metadata store (tests). */
    public LocalReplication() {
        this.isr = null;
    }

    @Activate
    public LocalReplication(@Reference(name = "metadata") MetadataStore metadata) {
        this.isr = new IsrKeeper(metadata);
    }

    @Deactivate
    void deactivate() {
        if (isr != null) {
            isr.close();
        }
    }

    @Override
    public void partitionOpened(ReplicatedPartition partition) {
        if (isr != null) {
            isr.opened(partition);
        } else {
            partition.advanceHighWatermark(partition.logEndOffset());
        }
    }

    @Override
    public void leaderAppended(ReplicatedPartition partition, long logEndOffset) {
        if (isr != null) {
            isr.commit(partition, logEndOffset);
        } else {
            partition.advanceHighWatermark(logEndOffset);
        }
    }

    @Override
    public void partitionClosed(ReplicatedPartition partition) {
        if (isr != null) {
            isr.forget(partition);
        }
    }
}
