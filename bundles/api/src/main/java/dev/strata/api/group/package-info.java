/**
 * Consumer groups with Kafka's classic group protocol and the offsets they commit: the {@link
 * dev.strata.api.group.GroupCoordinator} service and its request/result records. Wire-agnostic: a protocol bundle
 * decodes JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, FindCoordinator, DescribeGroups,
 * ListGroups, DeleteGroups and OffsetDelete requests, calls this, and encodes the answers.
 */
@Export
@Version("1.0.0")
package dev.strata.api.group;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
