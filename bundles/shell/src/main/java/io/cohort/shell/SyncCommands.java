package io.cohort.shell;

import io.cohort.api.admin.ClusterAdmin;
import io.cohort.api.admin.ClusterResult;
import io.cohort.api.admin.NodeAdmin;
import io.cohort.api.admin.SyncChannelView;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** The {@code sync:} Gogo command: list the sync channels of every node with their counts. */
@Component(service = SyncCommands.class, property = {
    "osgi.command.scope=sync",
    "osgi.command.function=channels"
})
public class SyncCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile NodeAdmin admin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterAdmin cluster;

    /** Creates the component; DS sets the references. */
    public SyncCommands() {
    }

    /** Creates the commands on the given services, for tests; {@code cluster} may be null. */
    SyncCommands(NodeAdmin admin, ClusterAdmin cluster) {
        this.admin = admin;
        this.cluster = cluster;
    }

    @Descriptor("Lists the sync channels of every node: node, plugin (- for the general SyncMessageManager), "
            + "channel, and messages sent, received, handled and failed on that node since it started. Waits up to "
            + "2 s for the other nodes and names those that do not respond")
    public String channels(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json) {
        ClusterResult<SyncChannelView> result = AdminServices.gather(cluster, admin,
                nodes -> nodes.syncChannels(ClusterAdmin.DEFAULT_TIMEOUT), NodeAdmin::syncChannels);
        return json ? AdminReport.syncChannelsJson(result) : AdminReport.syncChannelsText(result);
    }
}
