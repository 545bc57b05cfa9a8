package io.cohort.core.plugin;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.cohort.api.node.PluginInfo;
import io.cohort.api.node.PluginState;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Every ordering of "a plugin service is unregistered while the lifecycle thread is busy" that can be driven
 * deterministically: hooks block on gates, and the test opens them in a chosen order.
 */
public class PluginSchedulerTest {

    @Rule
    public Timeout timeout = Timeout.seconds(20);

    private final RecordingHost host = new RecordingHost();
    private final PluginScheduler scheduler = new PluginScheduler(host, /* waitWarning= */ Duration.ofSeconds(10),
            /* hookTimeout= */ Duration.ofSeconds(15));

    @After
    public void closeScheduler() {
        scheduler.close(Duration.ofSeconds(5));
    }

    @Test
    public void added_plugin_runsHooksOnHookThread() {
        RecordingPlugin plugin = host.plugin("a");

        scheduler.added(host.entry("a", plugin, null));

        awaitState("a", PluginState.LOADED);
        assertEquals(HookRunner.THREAD_PREFIX + "1", plugin.threadOf("beforeLoad"));
        assertEquals(HookRunner.THREAD_PREFIX + "1", plugin.threadOf("load"));
    }

    @Test
    public void added_blockedHook_returnsWithoutWaiting() throws Exception {
        RecordingPlugin plugin = host.plugin("a");
        RecordingPlugin.Gate gate = plugin.blockOn("load");

        scheduler.added(host.entry("a", plugin, null));
        gate.awaitEntered();

        assertEquals(PluginState.LOADING, stateOf("a"));
        gate.open();
        awaitState("a", PluginState.LOADED);
    }

    @Test
    public void removed_duringBeforeLoad_unloadsAfterLoad() throws Exception {
        RecordingPlugin plugin = host.plugin("a");
        RecordingPlugin.Gate gate = plugin.blockOn("beforeLoad");
        PluginEntry a = host.entry("a", plugin, null);
        scheduler.added(a);
        gate.awaitEntered();

        Thread remover = removeInBackground(a);
        await().until(a::isWithdrawn);
        assertTrue(remover.isAlive());
        gate.open();
        remover.join();

        assertEquals(List.of("a.beforeLoad", "a.sync.open", "a.load", "a.unload", "a.sync.close", "removed a"),
                host.events());
        assertEquals(PluginState.UNLOADED, stateOf("a"));
    }

    @Test
    public void removed_duringLoad_waitsThenUnloads() throws Exception {
        RecordingPlugin plugin = host.plugin("a");
        RecordingPlugin.Gate gate = plugin.blockOn("load");
        PluginEntry a = host.entry("a", plugin, null);
        scheduler.added(a);
        gate.awaitEntered();

        Thread remover = removeInBackground(a);
        await().until(a::isWithdrawn);
        assertTrue(remover.isAlive());
        gate.open();
        remover.join();

        assertEquals(List.of("a.beforeLoad", "a.sync.open", "a.load", "a.unload", "a.sync.close", "removed a"),
                host.events());
    }

    @Test
    public void removed_whileRegistrationQueued_neverLoads() throws Exception {
        RecordingPlugin busy = host.plugin("busy");
        RecordingPlugin.Gate gate = busy.blockOn("load");
        scheduler.added(host.entry("busy", busy, null));
        gate.awaitEntered();
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        scheduler.added(a);

        Thread remover = removeInBackground(a);
        await().until(a::isWithdrawn);
        gate.open();
        remover.join();

        assertEquals(List.of(), eventsOf("a"));
        assertEquals(PluginState.UNLOADED, stateOf("a"));
    }

    @Test
    public void removed_whileDependencyLoads_dependentNeverLoads() throws Exception {
        RecordingPlugin dependency = host.plugin("a");
        RecordingPlugin.Gate gate = dependency.blockOn("load");
        PluginEntry b = host.entry("b", host.plugin("b"), "a");
        scheduler.added(b);
        scheduler.added(host.entry("a", dependency, null));
        gate.awaitEntered();

        Thread remover = removeInBackground(b);
        await().until(b::isWithdrawn);
        gate.open();
        remover.join();

        assertEquals(List.of(), eventsOf("b"));
        assertEquals(PluginState.LOADED, stateOf("a"));
        assertEquals(PluginState.UNLOADED, stateOf("b"));
    }

    @Test
    public void removed_dependencyWhileDependentLoads_unloadsDependentFirst() throws Exception {
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        RecordingPlugin dependent = host.plugin("b");
        RecordingPlugin.Gate gate = dependent.blockOn("load");
        scheduler.added(a);
        scheduler.added(host.entry("b", dependent, "a"));
        gate.awaitEntered();

        Thread remover = removeInBackground(a);
        await().until(a::isWithdrawn);
        assertTrue(remover.isAlive());
        gate.open();
        remover.join();

        List<String> events = host.events();
        assertEquals(List.of("b.load", "b.unload", "b.sync.close", "a.unload", "a.sync.close", "removed a"),
                events.subList(events.indexOf("b.load"), events.size()));
        assertEquals(PluginState.WAITING, stateOf("b"));
    }

    @Test
    public void removed_dependentDuringLoad_unloadsOnlyIt() throws Exception {
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        RecordingPlugin dependent = host.plugin("b");
        RecordingPlugin.Gate gate = dependent.blockOn("beforeLoad");
        PluginEntry b = host.entry("b", dependent, "a");
        scheduler.added(a);
        scheduler.added(b);
        gate.awaitEntered();

        Thread remover = removeInBackground(b);
        await().until(b::isWithdrawn);
        gate.open();
        remover.join();

        assertEquals(List.of("b.unload"), unloads());
        assertEquals(PluginState.LOADED, stateOf("a"));
        assertEquals(PluginState.UNLOADED, stateOf("b"));
    }

    @Test
    public void removed_loadedPlugin_returnsAfterUnload() {
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        scheduler.added(a);
        awaitState("a", PluginState.LOADED);

        boolean finished = scheduler.removed(a);

        assertTrue(finished);
        assertEquals(PluginState.UNLOADED, stateOf("a"));
    }

    @Test
    public void removed_fromHook_runsAfterHook() {
        PluginEntry b = host.entry("b", host.plugin("b"), null);
        scheduler.added(b);
        awaitState("b", PluginState.LOADED);
        AtomicBoolean finishedInline = new AtomicBoolean(true);
        RecordingPlugin remover = host.plugin("a").onHook("load", () -> finishedInline.set(scheduler.removed(b)));

        scheduler.added(host.entry("a", remover, null));
        awaitState("b", PluginState.UNLOADED);

        assertFalse(finishedInline.get());
        List<String> events = host.events();
        assertTrue(events.toString(), events.indexOf("a.load") < events.indexOf("b.unload"));
    }

    @Test
    public void bundleUninstalled_duringUnregistration_dropsAfterUnload() throws Exception {
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        scheduler.added(a);
        awaitState("a", PluginState.LOADED);
        RecordingPlugin busy = host.plugin("busy");
        RecordingPlugin.Gate gate = busy.blockOn("load");
        scheduler.added(host.entry("busy", busy, null));
        gate.awaitEntered();
        Thread remover = removeInBackground(a);
        awaitWaiting(remover);

        scheduler.bundleUninstalled(a.bundle().id());

        assertEquals(PluginState.LOADED, stateOf("a"));
        gate.open();
        remover.join();
        await().atMost(Duration.ofSeconds(10)).until(() -> stateOf("a") == null);
        assertEquals(List.of("a.unload"), unloads());
    }

    @Test
    public void bundleUninstalled_afterRedeployQueued_keepsNewPlugin() throws Exception {
        PluginEntry old = host.entry("a", host.plugin("a"), null);
        scheduler.added(old);
        awaitState("a", PluginState.LOADED);
        RecordingPlugin busy = host.plugin("busy");
        RecordingPlugin.Gate gate = busy.blockOn("load");
        scheduler.added(host.entry("busy", busy, null));
        gate.awaitEntered();
        Thread remover = removeInBackground(old);
        awaitWaiting(remover);
        PluginEntry redeployed = host.entry("a", host.plugin("a"), null);
        scheduler.added(redeployed);

        scheduler.bundleUninstalled(old.bundle().id());
        gate.open();
        remover.join();
        scheduler.shutdown();

        List<Long> bundleIds = scheduler.plugins().stream()
                .filter(info -> info.name().equals("a"))
                .map(PluginInfo::bundleId)
                .toList();
        assertEquals(List.of(redeployed.bundle().id()), bundleIds);
        assertEquals(List.of("a.load", "a.unload", "a.load", "a.unload"), eventsOf("a").stream()
                .filter(event -> event.endsWith(".load") || event.endsWith(".unload"))
                .toList());
    }

    @Test
    public void shutdown_duringLoad_unloadsAfterLoad() throws Exception {
        scheduler.added(host.entry("a", host.plugin("a"), null));
        RecordingPlugin last = host.plugin("b");
        RecordingPlugin.Gate gate = last.blockOn("load");
        scheduler.added(host.entry("b", last, null));
        gate.awaitEntered();

        Thread stopper = new Thread(() -> {
            scheduler.shutdown();
            host.record("shutdown returned");
        });
        stopper.start();
        gate.open();
        stopper.join();

        assertEquals(List.of("b.unload", "a.unload"), unloads());
        assertEquals("shutdown returned", host.events().get(host.events().size() - 1));
    }

    @Test
    public void shutdown_calledTwice_secondWaitsAndUnloadsNothing() {
        scheduler.added(host.entry("a", host.plugin("a"), null));

        scheduler.shutdown();
        scheduler.shutdown();

        assertEquals(List.of("a.unload"), unloads());
    }

    @Test
    public void removed_afterClose_returnsWithoutRunning() {
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        scheduler.close(Duration.ofSeconds(5));

        boolean finished = scheduler.removed(a);

        assertFalse(finished);
    }

    private Thread removeInBackground(PluginEntry entry) {
        Thread remover = new Thread(() -> {
            scheduler.removed(entry);
            host.record("removed " + entry.name());
        }, "test-remover");
        remover.start();
        return remover;
    }

    /** Waits until {@code remover} waits for its queued unregistration, so that later steps queue behind it. */
    private static void awaitWaiting(Thread remover) {
        await().atMost(Duration.ofSeconds(10)).until(() -> remover.getState() == Thread.State.TIMED_WAITING);
    }

    private void awaitState(String name, PluginState state) {
        await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(name) == state);
    }

    private PluginState stateOf(String name) {
        return RecordingHost.stateIn(scheduler.plugins(), name);
    }

    private List<String> eventsOf(String plugin) {
        return host.events().stream().filter(event -> event.startsWith(plugin + ".")).toList();
    }

    private List<String> unloads() {
        return host.events().stream().filter(event -> event.endsWith(".unload")).toList();
    }
}
