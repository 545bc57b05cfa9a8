package io.cohort.itests.plugin.beta;

import java.util.function.Consumer;

import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.itests.support.HookRecorder;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Test plugin that depends on {@code alpha} and records its hooks as {@code beta:<hook>}. */
@Component(service = Plugin.class,
        property = {Plugin.NAME_PROPERTY + "=beta", Plugin.DEPENDENCIES_PROPERTY + "=alpha"})
public class BetaPlugin implements Plugin {

    @Reference(target = HookRecorder.TARGET)
    private Consumer<String> recorder;

    @Override
    public void beforeLoad(PluginContext context) {
        recorder.accept("beta:beforeLoad");
    }

    @Override
    public void load(PluginContext context) {
        recorder.accept("beta:load");
    }

    @Override
    public void unload(PluginContext context) {
        recorder.accept("beta:unload");
    }
}
