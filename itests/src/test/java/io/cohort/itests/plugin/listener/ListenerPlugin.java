package io.cohort.itests.plugin.listener;

import java.util.function.Consumer;

import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.PubSubManager;
import io.cohort.itests.support.HookRecorder;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Test plugin that depends on {@code herald}, so it loads after herald has published, and subscribes to herald's
 * channel in {@code beforeLoad}; it records each message as {@code listener:received:<payload>}.
 */
@Component(service = Plugin.class,
        property = {Plugin.NAME_PROPERTY + "=listener", Plugin.DEPENDENCIES_PROPERTY + "=herald"})
public class ListenerPlugin implements Plugin {

    /** Herald's channel; the plugins share no package, so each names it. */
    private static final String CHANNEL = "it.start.news";

    @Reference(target = HookRecorder.TARGET)
    private Consumer<String> recorder;

    @Reference
    private PubSubManager pubSub;

    @Override
    public void beforeLoad(PluginContext context) {
        pubSub.subscribe(CHANNEL, String.class, message -> recorder.accept("listener:received:" + message.payload()));
    }

    @Override
    public void load(PluginContext context) {
        recorder.accept("listener:load");
    }
}
