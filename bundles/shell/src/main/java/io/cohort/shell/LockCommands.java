package io.cohort.shell;

import java.util.List;

import io.cohort.api.admin.ClusterAdmin;
import io.cohort.api.admin.ClusterResult;
import io.cohort.api.admin.LockView;
import io.cohort.api.admin.NodeAdmin;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** The {@code lock:} Gogo commands: list the leases held on every node, and show one lock key. */
@Component(service = LockCommands.class, property = {
    "osgi.command.scope=lock",
    "osgi.command.function=list",
    "osgi.command.function=info"
})
public class LockCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile NodeAdmin admin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterAdmin cluster;

    /** Creates the component; DS sets the references. */
    public LockCommands() {
    }

    /** Creates the commands on the given services, for tests; {@code cluster} may be null. */
    LockCommands(NodeAdmin admin, ClusterAdmin cluster) {
        this.admin = admin;
        this.cluster = cluster;
    }

    @Descriptor("Lists the lock leases held on every node: key, holder node, bundle, fence token, how long it has "
            + "been held and the ttl left, as measured on the holder node. Waits up to 2 s for the other nodes and "
            + "names those that do not respond")
    public String list(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json) {
        ClusterResult<LockView> result = leases();
        return json ? AdminReport.locksJson(result) : AdminReport.locksText(result);
    }

    @Descriptor("Shows who holds a lock key: holder node, bundle, fence token, when it was acquired, when it "
            + "expires, how long it has been held and the ttl left. Fails when no node holds the key, except with "
            + "--json, which then prints held: false")
    public String info(
            @Descriptor("print JSON instead of text")
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("lock key") String key) {
        NodeAdmin node = AdminServices.require(admin);
        boolean held = AdminServices.call(() -> node.isLocked(key));
        ClusterResult<LockView> all = leases();
        List<LockView> matching = all.rows().stream().filter(lock -> lock.key().equals(key)).toList();
        boolean notHeld = matching.isEmpty() && !held;
        if (notHeld && !json) {
            throw new IllegalArgumentException("lock key '" + key + "' is not held by any node");
        }

        ClusterResult<LockView> leases = new ClusterResult<>(matching, all.responded(), all.missing(),
                all.timeout());
        return json ? AdminReport.lockInfoJson(key, !notHeld, leases) : AdminReport.lockInfoText(key, leases);
    }

    private ClusterResult<LockView> leases() {
        return AdminServices.gather(cluster, admin, nodes -> nodes.locks(ClusterAdmin.DEFAULT_TIMEOUT),
                NodeAdmin::locks);
    }
}
