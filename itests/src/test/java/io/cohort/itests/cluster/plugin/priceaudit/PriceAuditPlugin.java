package io.cohort.itests.cluster.plugin.priceaudit;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.PubSubManager;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Test plugin R: does not import the price feed's {@code Price}. It subscribes to the price channel with its own
 * {@link AuditEntry}, which price messages do not fit, so the node must report each of them as a failed delivery and
 * keep delivering the messages that do fit.
 */
@Component(service = Plugin.class, property = {
    Plugin.NAME_PROPERTY + "=" + PriceAuditPlugin.NAME,
    "osgi.command.scope=priceaudit",
    "osgi.command.function=received"
})
public class PriceAuditPlugin implements Plugin {

    public static final String NAME = "price-audit";

    /** The price feed's channel; the constant is repeated so that this bundle has no reference to the feed at all. */
    public static final String CHANNEL = "prices";

    @Reference
    private PubSubManager pubSub;

    private final Queue<String> received = new ConcurrentLinkedQueue<>();

    @Override
    public void beforeLoad(PluginContext context) {
        pubSub.subscribe(CHANNEL, AuditEntry.class,
                message -> received.add(message.payload().sku() + " " + message.payload().cents()));
    }

    @Override
    public void load(PluginContext context) {
        // The subscription from beforeLoad is all this plugin does.
    }

    /** Returns one line {@code <sku> <cents list>} per entry received, in arrival order. */
    public String received() {
        StringBuilder report = new StringBuilder();
        received.forEach(line -> report.append(line).append('\n'));
        return report.toString();
    }
}
