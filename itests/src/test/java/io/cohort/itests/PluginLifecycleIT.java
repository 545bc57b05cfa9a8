package io.cohort.itests;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Optional;

import io.cohort.api.node.PluginInfo;
import io.cohort.api.node.PluginState;
import io.cohort.itests.plugin.failing.FailingPlugin;
import io.cohort.itests.support.CohortOptions;
import io.cohort.itests.support.CohortTestSupport;
import io.cohort.itests.support.TestPlugin;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * Plugins load in dependency order, a dependency that goes away unloads its dependents first, and a plugin whose
 * hook throws fails alone. A stopped bundle's plugin stays listed, and an uninstalled bundle's plugin is dropped.
 * {@code beta} depends on {@code alpha}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PluginLifecycleIT extends CohortTestSupport {

    private static final String ALPHA = TestPlugin.ALPHA.pluginName();
    private static final String BETA = TestPlugin.BETA.pluginName();
    private static final String FAILING = TestPlugin.FAILING.pluginName();

    @Configuration
    public Option[] config() {
        return CohortOptions.node(PluginLifecycleIT.class);
    }

    @Test(timeout = 30_000)
    public void dependent_installedBeforeDependency_waitsWithoutHooks() throws Exception {
        Bundle beta = installPlugin(TestPlugin.BETA);

        awaitPluginState(beta, BETA, PluginState.WAITING);

        assertEquals("hooks of beta while alpha is missing", List.of(), recorder.eventsStartingWith("beta:"));
    }

    @Test(timeout = 30_000)
    public void dependency_installedLater_loadsFirst() throws Exception {
        Bundle beta = installPlugin(TestPlugin.BETA);
        awaitPluginState(beta, BETA, PluginState.WAITING);

        Bundle alpha = installPlugin(TestPlugin.ALPHA);

        awaitPluginState(alpha, ALPHA, PluginState.LOADED);
        awaitPluginState(beta, BETA, PluginState.LOADED);
        assertEquals(List.of("alpha:beforeLoad", "alpha:load", "beta:beforeLoad", "beta:load"), loadHooks());
    }

    @Test(timeout = 30_000)
    public void loadedPlugins_listed_inLoadOrder() throws Exception {
        Bundle beta = installPlugin(TestPlugin.BETA);
        Bundle alpha = installPlugin(TestPlugin.ALPHA);
        awaitPluginState(beta, BETA, PluginState.LOADED);

        List<String> names = node().plugins().stream()
                .filter(info -> info.bundleId() == alpha.getBundleId() || info.bundleId() == beta.getBundleId())
                .map(PluginInfo::name)
                .toList();

        assertEquals(List.of(ALPHA, BETA), names);
    }

    @Test(timeout = 30_000)
    public void dependency_stopped_unloadsDependentFirst() throws Exception {
        Bundle alpha = installPlugin(TestPlugin.ALPHA);
        Bundle beta = installPlugin(TestPlugin.BETA);
        awaitPluginState(beta, BETA, PluginState.LOADED);
        recorder.clear();

        alpha.stop();

        eventually(() -> assertEquals(List.of("beta:unload", "alpha:unload"), unloadHooks()));
    }

    @Test(timeout = 30_000)
    public void dependency_stopped_putsDependentBackToWaiting() throws Exception {
        Bundle alpha = installPlugin(TestPlugin.ALPHA);
        Bundle beta = installPlugin(TestPlugin.BETA);
        awaitPluginState(beta, BETA, PluginState.LOADED);

        alpha.stop();

        awaitPluginState(beta, BETA, PluginState.WAITING);
    }

    @Test(timeout = 30_000)
    public void dependency_restarted_loadsDependentAgain() throws Exception {
        Bundle alpha = installPlugin(TestPlugin.ALPHA);
        Bundle beta = installPlugin(TestPlugin.BETA);
        awaitPluginState(beta, BETA, PluginState.LOADED);
        alpha.stop();
        awaitPluginState(beta, BETA, PluginState.WAITING);
        recorder.clear();

        alpha.start();

        awaitPluginState(beta, BETA, PluginState.LOADED);
        assertEquals(List.of("alpha:beforeLoad", "alpha:load", "beta:beforeLoad", "beta:load"), loadHooks());
    }

    @Test(timeout = 30_000)
    public void failingLoad_marksPluginFailedWithError() throws Exception {
        Bundle failing = installPlugin(TestPlugin.FAILING);

        PluginInfo info = awaitPluginState(failing, FAILING, PluginState.FAILED);

        assertNotNull("last error of the failed plugin", info.lastError());
        assertTrue("last error names the hook: " + info.lastError(), info.lastError().startsWith("load"));
        assertTrue("last error carries the exception message: " + info.lastError(),
                info.lastError().contains(FailingPlugin.FAILURE));
    }

    @Test(timeout = 30_000)
    public void failingLoad_leavesOtherPluginsLoaded() throws Exception {
        Bundle alpha = installPlugin(TestPlugin.ALPHA);
        Bundle beta = installPlugin(TestPlugin.BETA);
        awaitPluginState(beta, BETA, PluginState.LOADED);

        Bundle failing = installPlugin(TestPlugin.FAILING);
        awaitPluginState(failing, FAILING, PluginState.FAILED);

        assertEquals("state of alpha", PluginState.LOADED,
                pluginInfo(alpha, ALPHA).map(PluginInfo::state).orElse(null));
        assertEquals("state of beta", PluginState.LOADED,
                pluginInfo(beta, BETA).map(PluginInfo::state).orElse(null));
    }

    @Test(timeout = 30_000)
    public void failingLoad_afterOthers_loadsNothingTwice() throws Exception {
        installPlugin(TestPlugin.ALPHA);
        Bundle failing = installPlugin(TestPlugin.FAILING);

        awaitPluginState(failing, FAILING, PluginState.FAILED);

        assertEquals(List.of("alpha:beforeLoad", "alpha:load"), recorder.eventsStartingWith("alpha:"));
        assertEquals(List.of("failing:beforeLoad", "failing:load"),
                recorder.matching(event -> event.equals("failing:beforeLoad") || event.equals("failing:load")));
    }

    @Test(timeout = 30_000)
    public void plugin_uninstalled_droppedFromList() throws Exception {
        Bundle alpha = installPlugin(TestPlugin.ALPHA);
        awaitPluginState(alpha, ALPHA, PluginState.LOADED);

        uninstall(alpha);

        eventually(() -> assertEquals("plugins of the uninstalled bundle: " + node().plugins(), Optional.empty(),
                pluginInfo(alpha, ALPHA)));
    }

    @Test(timeout = 30_000)
    public void failedPlugin_uninstalled_droppedFromList() throws Exception {
        Bundle failing = installPlugin(TestPlugin.FAILING);
        awaitPluginState(failing, FAILING, PluginState.FAILED);

        uninstall(failing);

        eventually(() -> assertEquals("plugins of the uninstalled bundle: " + node().plugins(), Optional.empty(),
                pluginInfo(failing, FAILING)));
    }

    @Test(timeout = 30_000)
    public void failedPlugin_stopped_staysListedWithError() throws Exception {
        Bundle failing = installPlugin(TestPlugin.FAILING);
        awaitPluginState(failing, FAILING, PluginState.FAILED);

        failing.stop();

        PluginInfo info = awaitPluginState(failing, FAILING, PluginState.FAILED);
        assertTrue("last error carries the exception message: " + info.lastError(),
                info.lastError().contains(FailingPlugin.FAILURE));
    }

    @Test(timeout = 30_000)
    public void plugin_stopped_staysListedUnloaded() throws Exception {
        Bundle alpha = installPlugin(TestPlugin.ALPHA);
        awaitPluginState(alpha, ALPHA, PluginState.LOADED);

        alpha.stop();

        awaitPluginState(alpha, ALPHA, PluginState.UNLOADED);
    }

    private List<String> loadHooks() {
        return recorder.matching(event -> event.endsWith(":beforeLoad") || event.endsWith(":load"));
    }

    private List<String> unloadHooks() {
        return recorder.matching(event -> event.endsWith(":unload"));
    }
}
