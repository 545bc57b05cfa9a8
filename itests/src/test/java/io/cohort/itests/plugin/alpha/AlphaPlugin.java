package io.cohort.itests.plugin.alpha;

import java.util.function.Consumer;

import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.itests.support.HookRecorder;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Test plugin without dependencies that records its hooks as {@code alpha:<hook>}. */
@Component(service = Plugin.class, property = Plugin.NAME_PROPERTY + "=alpha")
public class AlphaPlugin implements Plugin {

    @Reference(target = HookRecorder.TARGET)
    private Consumer<String> recorder;

    @Override
    public void beforeLoad(PluginContext context) {
        recorder.accept("alpha:beforeLoad");
    }

    @Override
    public void load(PluginContext context) {
        recorder.accept("alpha:load");
    }

    @Override
    public void unload(PluginContext context) {
        recorder.accept("alpha:unload");
    }
}
