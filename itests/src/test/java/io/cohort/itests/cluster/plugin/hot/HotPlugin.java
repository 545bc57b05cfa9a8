package io.cohort.itests.cluster.plugin.hot;

import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.PubSubManager;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Test plugin for hot redeploy: it subscribes to {@link #CHANNEL_A} and {@link #CHANNEL_B}, and acknowledges every
 * message with {@code <bundle version> <channel> <message>} on {@link #ACK_CHANNEL}. A subscription left over from
 * an earlier version of the bundle would acknowledge too, with its own version.
 */
@Component(service = Plugin.class, property = Plugin.NAME_PROPERTY + "=" + HotPlugin.NAME)
public class HotPlugin implements Plugin {

    public static final String NAME = "hot";
    public static final String CHANNEL_A = "hot.a";
    public static final String CHANNEL_B = "hot.b";
    public static final String ACK_CHANNEL = "hot.ack";

    @Reference
    private PubSubManager pubSub;

    private String version;

    @Activate
    void activate(BundleContext context) {
        version = context.getBundle().getVersion().toString();
    }

    @Override
    public void beforeLoad(PluginContext context) {
        for (String channel : new String[] {CHANNEL_A, CHANNEL_B}) {
            pubSub.subscribe(channel, String.class,
                    message -> pubSub.publish(ACK_CHANNEL, version + " " + channel + " " + message.payload()));
        }
    }

    @Override
    public void load(PluginContext context) {
        // The subscriptions from beforeLoad are all this plugin does.
    }
}
