package io.cohort.itests.plugin.failing;

import java.util.function.Consumer;

import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.itests.support.HookRecorder;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Test plugin whose {@code load} hook always throws. */
@Component(service = Plugin.class, property = Plugin.NAME_PROPERTY + "=failing")
public class FailingPlugin implements Plugin {

    /** The message of the exception that {@link #load} throws. */
    public static final String FAILURE = "failing plugin rejects load on purpose";

    @Reference(target = HookRecorder.TARGET)
    private Consumer<String> recorder;

    @Override
    public void beforeLoad(PluginContext context) {
        recorder.accept("failing:beforeLoad");
    }

    @Override
    public void load(PluginContext context) {
        recorder.accept("failing:load");
        throw new IllegalStateException(FAILURE);
    }

    @Override
    public void unload(PluginContext context) {
        recorder.accept("failing:unload");
    }
}
