package dev.strata.broker.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.metadata.MetadataStore;
import dev.strata.api.metadata.TopicMetadata;
import java.lang.management.ManagementFactory;
import java.util.OptionalLong;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Refuses a topic creation this broker could not keep open, before anything is created, instead of answering
 * success and leaving partitions offline: beyond {@code max.broker.partitions}, or when the new partitions' files
 * would eat into the file descriptors kept spare for connections and segment rolls.
 *
 * <p>Each partition keeps its active segment's log file open, and stores keep a bounded number of older
 * segments open besides; {@link #FILES_PER_PARTITION} counts both. Stateless apart from the descriptor source:
 * thread-safe.
 */
final class PartitionBudget {
    static final int FILES_PER_PARTITION = 2;
    /** Descriptors always left free: at least this many, or a tenth of the limit. */
    static final long MIN_SPARE_FILES = 1024;

    /** The process's open and maximum file descriptors, when the platform tells them. */
    interface FileDescriptors {
        OptionalLong open();

        OptionalLong max();
    }

    private final FileDescriptors descriptors;

    PartitionBudget(FileDescriptors descriptors) {
        this.descriptors = descriptors;
    }

    /** The JVM's own counts (the {@code java.lang:type=OperatingSystem} MBean on Unix). */
    static PartitionBudget ofThisProcess() {
        return new PartitionBudget(new PlatformFileDescriptors());
    }

    /** @throws StrataException POLICY_VIOLATION naming the limit and the figures */
    void check(MetadataStore metadata, int newPartitions, int maxBrokerPartitions) {
        long hosted = 0;
        for (TopicMetadata t : metadata.topics()) {
            hosted += t.partitionCount();
        }
        if (hosted + newPartitions > maxBrokerPartitions) {
            throw new StrataException(ErrorCode.POLICY_VIOLATION, "Creating " + newPartitions + " partition(s) "
                    + "would exceed max.broker.partitions=" + maxBrokerPartitions + " (this broker hosts " + hosted
                    + ")");
        }
        OptionalLong open = descriptors.open();
        OptionalLong max = descriptors.max();
        if (open.isEmpty() || max.isEmpty()) {
            return;
        }
        long spare = Math.max(MIN_SPARE_FILES, max.getAsLong() / 10);
        long needed = (long) newPartitions * FILES_PER_PARTITION;
        if (open.getAsLong() + needed + spare > max.getAsLong()) {
            throw new StrataException(ErrorCode.POLICY_VIOLATION, "Creating " + newPartitions + " partition(s) "
                    + "needs about " + needed + " more open files, but the broker has " + open.getAsLong() + " of "
                    + max.getAsLong() + " in use and keeps " + spare + " spare for connections; raise the open-file "
                    + "limit (ulimit -n) or create fewer partitions");
        }
    }

    /** Reads the counts through JMX, so no com.sun.management import is needed inside the framework. */
    private static final class PlatformFileDescriptors implements FileDescriptors {
        private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        private final ObjectName os;

        PlatformFileDescriptors() {
            try {
                os = new ObjectName(ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME);
            } catch (JMException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public OptionalLong open() {
            return attribute("OpenFileDescriptorCount");
        }

        @Override
        public OptionalLong max() {
            return attribute("MaxFileDescriptorCount");
        }

        private OptionalLong attribute(String name) {
            try {
                Object v = server.getAttribute(os, name);
                return v instanceof Number n && n.longValue() >= 0 ? OptionalLong.of(n.longValue())
                        : OptionalLong.empty();
            } catch (JMException | RuntimeException e) {
                return OptionalLong.empty(); // not a Unix JVM: no figures, no check
            }
        }
    }
}
