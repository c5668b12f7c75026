package dev.strata.group.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.group.FindCoordinatorResult;
import dev.strata.api.group.GroupCoordinator;
import dev.strata.api.group.GroupDescription;
import dev.strata.api.group.GroupListing;
import dev.strata.api.group.GroupState;
import dev.strata.api.group.JoinGroupRequest;
import dev.strata.api.group.JoinGroupResult;
import dev.strata.api.group.LeaveGroupMember;
import dev.strata.api.group.LeaveGroupResult;
import dev.strata.api.group.OffsetCommitRequest;
import dev.strata.api.group.OffsetCommitResult;
import dev.strata.api.group.OffsetDeleteResult;
import dev.strata.api.group.OffsetFetchResult;
import dev.strata.api.group.SyncGroupRequest;
import dev.strata.api.group.SyncGroupResult;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Registers the {@link GroupCoordinator} service while a {@link Broker} is present. On activation it creates and
 * loads {@code __consumer_offsets} in the background (calls answer COORDINATOR_LOAD_IN_PROGRESS meanwhile); a
 * configuration change re-activates it, which reloads the groups from the log. Thread-safe.
 */
@Component(service = GroupCoordinator.class, configurationPid = "dev.strata.group.coordinator",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = GroupCoordinatorConfig.class)
public final class GroupCoordinatorComponent implements GroupCoordinator {
    private final GroupCoordinatorService service;

    @Activate
    public GroupCoordinatorComponent(@Reference(name = "broker") Broker broker, GroupCoordinatorConfig config) {
        this.service = new GroupCoordinatorService(broker, CoordinatorSettings.from(config));
        service.start();
    }

    @Deactivate
    void deactivate() {
        service.close();
    }

    @Override
    public FindCoordinatorResult findCoordinator(String groupId) {
        return service.findCoordinator(groupId);
    }

    @Override
    public CompletableFuture<JoinGroupResult> joinGroup(JoinGroupRequest request) {
        return service.joinGroup(request);
    }

    @Override
    public CompletableFuture<SyncGroupResult> syncGroup(SyncGroupRequest request) {
        return service.syncGroup(request);
    }

    @Override
    public ErrorCode heartbeat(String groupId, int generationId, String memberId, String groupInstanceId) {
        return service.heartbeat(groupId, generationId, memberId, groupInstanceId);
    }

    @Override
    public LeaveGroupResult leaveGroup(String groupId, List<LeaveGroupMember> members) {
        return service.leaveGroup(groupId, members);
    }

    @Override
    public CompletableFuture<OffsetCommitResult> commitOffsets(OffsetCommitRequest request) {
        return service.commitOffsets(request);
    }

    @Override
    public OffsetFetchResult fetchOffsets(String groupId, Collection<TopicPartition> partitions,
                                          boolean requireStable) {
        return service.fetchOffsets(groupId, partitions, requireStable);
    }

    @Override
    public List<GroupDescription> describeGroups(List<String> groupIds) {
        return service.describeGroups(groupIds);
    }

    @Override
    public List<GroupListing> listGroups(Set<GroupState> states) {
        return service.listGroups(states);
    }

    @Override
    public CompletableFuture<Map<String, ErrorCode>> deleteGroups(List<String> groupIds) {
        return service.deleteGroups(groupIds);
    }

    @Override
    public CompletableFuture<OffsetDeleteResult> deleteOffsets(String groupId, List<TopicPartition> partitions) {
        return service.deleteOffsets(groupId, partitions);
    }
}
