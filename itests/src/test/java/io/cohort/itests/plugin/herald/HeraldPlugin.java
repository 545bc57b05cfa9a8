package io.cohort.itests.plugin.herald;

import java.util.function.Consumer;

import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.PubSubManager;
import io.cohort.itests.support.HookRecorder;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Test plugin that publishes {@code herald-loaded} on channel {@value #CHANNEL} from its {@code load} hook. */
@Component(service = Plugin.class, property = Plugin.NAME_PROPERTY + "=herald")
public class HeraldPlugin implements Plugin {

    /** The channel this plugin publishes on. */
    public static final String CHANNEL = "it.start.news";

    @Reference(target = HookRecorder.TARGET)
    private Consumer<String> recorder;

    @Reference
    private PubSubManager pubSub;

    @Override
    public void load(PluginContext context) {
        pubSub.publish(CHANNEL, "herald-loaded");
        recorder.accept("herald:published");
    }
}
