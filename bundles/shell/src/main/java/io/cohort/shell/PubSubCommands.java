package io.cohort.shell;

import java.util.LinkedHashMap;
import java.util.Map;

import io.cohort.api.admin.ChannelView;
import io.cohort.api.admin.ClusterAdmin;
import io.cohort.api.admin.ClusterResult;
import io.cohort.api.admin.NodeAdmin;
import io.cohort.api.pubsub.Delivery;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** The {@code pubsub:} Gogo commands: list the channels of every node, and publish a JSON message from this node. */
@Component(service = PubSubCommands.class, property = {
    "osgi.command.scope=pubsub",
    "osgi.command.function=channels",
    "osgi.command.function=publish"
})
public class PubSubCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile NodeAdmin admin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterAdmin cluster;

    /** Creates the component; DS sets the references. */
    public PubSubCommands() {
    }

    /** Creates the commands on the given services, for tests; {@code cluster} may be null. */
    PubSubCommands(NodeAdmin admin, ClusterAdmin cluster) {
        this.admin = admin;
        this.cluster = cluster;
    }

    @Descriptor("Lists the pub/sub channels of every node: node, channel, the bundle of each local subscription, "
            + "and messages published, delivered, failed and dropped on that node since it started. Waits up to 2 s "
            + "for the other nodes and names those that do not respond")
    public String channels(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json) {
        ClusterResult<ChannelView> result = AdminServices.gather(cluster, admin,
                nodes -> nodes.channels(ClusterAdmin.DEFAULT_TIMEOUT), NodeAdmin::channels);
        return json ? AdminReport.channelsJson(result) : AdminReport.channelsText(result);
    }

    @Descriptor("Publishes a JSON message on a channel, as a plugin would. By default every subscriber on every node "
            + "receives it, this node included")
    public String publish(
            @Descriptor("deliver only to the subscribers on this node")
            @Parameter(names = "--only-self", presentValue = "true", absentValue = "false") boolean onlySelf,
            @Descriptor("deliver to the subscribers on every node except this one")
            @Parameter(names = "--skip-self", presentValue = "true", absentValue = "false") boolean skipSelf,
            @Descriptor("print JSON instead of text")
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("channel name") String channel,
            @Descriptor("the message as one JSON value: '{\"id\":1}', '\"text\"', 42") String message) {
        if (onlySelf && skipSelf) {
            throw new IllegalArgumentException("--only-self and --skip-self exclude each other; give at most one");
        }
        Delivery delivery = delivery(onlySelf, skipSelf);

        NodeAdmin node = AdminServices.require(admin);
        AdminServices.call(() -> {
            node.publish(channel, message, delivery);
            return null;
        });

        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("channel", channel);
            fields.put("delivery", delivery.name());
            return AdminReport.objectJson(fields);
        }
        return "Published on channel '" + channel + "' to " + switch (delivery) {
            case ONLY_SELF -> "the subscribers on this node only";
            case SKIP_SELF -> "the subscribers on the other nodes";
            case ALL -> "the subscribers on every node, this one included";
        } + ".\n";
    }

    private static Delivery delivery(boolean onlySelf, boolean skipSelf) {
        if (onlySelf) {
            return Delivery.ONLY_SELF;
        }
        if (skipSelf) {
            return Delivery.SKIP_SELF;
        }
        return Delivery.ALL;
    }
}
