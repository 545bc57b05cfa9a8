package io.cohort.itests;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;

import io.cohort.api.node.PluginInfo;
import io.cohort.api.node.PluginState;
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
 * A plugin bundle gets its own instance of every manager, its hooks run in the documented order, and each manager
 * works when the plugin calls it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PluginManagersIT extends CohortTestSupport {

    private static final String NAME = TestPlugin.MANAGERS.pluginName();

    @Configuration
    public Option[] config() {
        return CohortOptions.node(PluginManagersIT.class);
    }

    @Test(timeout = 30_000)
    public void managersPlugin_installed_isLoadedWithBundleDetails() throws Exception {
        Bundle bundle = installPlugin(TestPlugin.MANAGERS);

        PluginInfo info = awaitPluginState(bundle, NAME, PluginState.LOADED);

        assertEquals("bundle symbolic name", TestPlugin.MANAGERS.bundleSymbolicName(), info.bundleSymbolicName());
        assertEquals("bundle id", bundle.getBundleId(), info.bundleId());
        assertEquals("version", "1.0.0", info.version());
        assertNull("last error", info.lastError());
    }

    @Test(timeout = 30_000)
    public void managersPlugin_activated_receivesAllFiveManagers() throws Exception {
        Bundle bundle = installPlugin(TestPlugin.MANAGERS);

        awaitPluginState(bundle, NAME, PluginState.LOADED);

        assertEquals(List.of("managers:injected=5"), recorder.eventsStartingWith("managers:injected="));
    }

    @Test(timeout = 30_000)
    public void managersPlugin_loading_runsBeforeLoadThenLoad() throws Exception {
        Bundle bundle = installPlugin(TestPlugin.MANAGERS);

        awaitPluginState(bundle, NAME, PluginState.LOADED);

        List<String> hooks = recorder.matching(event -> event.equals("managers:beforeLoad")
                || event.equals("managers:load") || event.equals("managers:unload"));
        assertEquals(List.of("managers:beforeLoad", "managers:load"), hooks);
    }

    @Test(timeout = 30_000)
    public void managersPlugin_load_seesItsSyncSubscriptionActive() throws Exception {
        Bundle bundle = installPlugin(TestPlugin.MANAGERS);

        awaitPluginState(bundle, NAME, PluginState.LOADED);

        long beforeLoad = recordedCount("managers:beforeLoad.sync.subscriptions=");
        long load = recordedCount("managers:load.sync.subscriptions=");
        assertEquals("sync subscriptions in load, compared with beforeLoad", beforeLoad + 1, load);
    }

    @Test(timeout = 30_000)
    public void managersPlugin_context_namesPluginAppAndNode() throws Exception {
        Bundle bundle = installPlugin(TestPlugin.MANAGERS);

        awaitPluginState(bundle, NAME, PluginState.LOADED);

        assertEquals(List.of("context:" + NAME + "/cohort/" + node().nodeId()),
                recorder.eventsStartingWith("context:"));
    }

    @Test(timeout = 30_000)
    public void cache_setThenGet_returnsStoredValue() throws Exception {
        Bundle bundle = installPlugin(TestPlugin.MANAGERS);

        awaitPluginState(bundle, NAME, PluginState.LOADED);

        assertEquals(List.of("cache:hello"), recorder.eventsStartingWith("cache:"));
    }

    @Test(timeout = 30_000)
    public void pubSub_defaultPublish_reachesSameNode() throws Exception {
        Bundle bundle = installPlugin(TestPlugin.MANAGERS);
        awaitPluginState(bundle, NAME, PluginState.LOADED);

        String expected = "pubsub:ping from " + node().nodeId();

        eventually(() -> assertEquals(List.of(expected), recorder.eventsStartingWith("pubsub:")));
    }

    @Test(timeout = 30_000)
    public void queue_publishedTask_isProcessedOnce() throws Exception {
        Bundle bundle = installPlugin(TestPlugin.MANAGERS);
        awaitPluginState(bundle, NAME, PluginState.LOADED);

        eventually(() -> assertEquals(List.of("queue:work attempt 1"), recorder.eventsStartingWith("queue:")));
    }

    @Test(timeout = 30_000)
    public void lock_runExclusive_returnsBodyResult() throws Exception {
        Bundle bundle = installPlugin(TestPlugin.MANAGERS);

        awaitPluginState(bundle, NAME, PluginState.LOADED);

        assertEquals(List.of("lock:inside"), recorder.eventsStartingWith("lock:"));
    }

    @Test(timeout = 30_000)
    public void managersPlugin_bundleStopped_runsUnloadOnce() throws Exception {
        Bundle bundle = installPlugin(TestPlugin.MANAGERS);
        awaitPluginState(bundle, NAME, PluginState.LOADED);

        bundle.stop();

        eventually(() -> assertEquals(List.of("managers:unload"), recorder.eventsStartingWith("managers:unload")));
        assertTrue("plugin still listed as loaded: " + node().plugins(),
                pluginInfo(bundle, NAME).map(info -> info.state() != PluginState.LOADED).orElse(true));
    }

    private long recordedCount(String prefix) {
        List<String> events = recorder.eventsStartingWith(prefix);
        assertEquals("events starting with " + prefix, 1, events.size());
        String value = events.get(0).substring(prefix.length());
        assertTrue(prefix + " is not a number: " + value, value.matches("\\d+"));
        return Long.parseLong(value);
    }
}
