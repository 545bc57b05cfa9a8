package io.cohort.core.plugin;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;

import io.cohort.api.node.PluginInfo;
import io.cohort.api.node.PluginState;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The plugin state machine driven directly on the test thread, without OSGi and without the lifecycle thread. Hooks
 * run on the hook runner's thread while the test thread waits for them.
 */
public class PluginLifecycleTest {

    @Rule
    public Timeout timeout = Timeout.seconds(10);

    private final RecordingHost host = new RecordingHost();
    private final HookRunner hooks = new HookRunner(Duration.ofSeconds(5));
    private final PluginLifecycle lifecycle = new PluginLifecycle(host, hooks);

    @After
    public void closeHooks() {
        hooks.close();
    }

    @Test
    public void register_noDependencies_loadsInHookOrder() {
        PluginEntry a = host.entry("a", host.plugin("a"), null);

        lifecycle.register(a);

        assertEquals(List.of("a.beforeLoad", "a.sync.open", "a.load"), host.events());
        assertEquals(PluginState.LOADED, info("a").state());
    }

    @Test
    public void register_loaded_reportsBundleAndNoError() {
        PluginEntry a = host.entry("a", host.plugin("a"), null);

        lifecycle.register(a);

        PluginInfo info = info("a");
        assertEquals("test.bundle1", info.bundleSymbolicName());
        assertEquals(1, info.bundleId());
        assertEquals("1.0.0", info.version());
        assertNull(info.lastError());
    }

    @Test
    public void register_hooks_receiveContextOfPlugin() {
        RecordingPlugin plugin = host.plugin("a");

        lifecycle.register(host.entry("a", plugin, null));

        assertEquals("a", plugin.lastContext().pluginName());
    }

    @Test
    public void register_dependencyMissing_waitsWithoutHooks() {
        lifecycle.register(host.entry("b", host.plugin("b"), "a"));

        assertEquals(PluginState.WAITING, info("b").state());
        assertEquals(List.of(), host.events());
    }

    @Test
    public void register_dependencyArrivesLater_loadsDependencyThenDependent() {
        lifecycle.register(host.entry("b", host.plugin("b"), "a"));

        lifecycle.register(host.entry("a", host.plugin("a"), null));

        assertEquals(List.of("a.beforeLoad", "a.sync.open", "a.load", "b.beforeLoad", "b.sync.open", "b.load"),
                host.events());
        assertEquals(PluginState.LOADED, info("b").state());
    }

    @Test
    public void register_reversedChain_loadsDependenciesFirst() {
        lifecycle.register(host.entry("c", host.plugin("c"), "b"));
        lifecycle.register(host.entry("b", host.plugin("b"), "a"));

        lifecycle.register(host.entry("a", host.plugin("a"), null));

        assertEquals(List.of("a.load", "b.load", "c.load"), loads());
    }

    @Test
    public void register_twoDependencies_waitsForBoth() {
        lifecycle.register(host.entry("c", host.plugin("c"), new String[] {"a", "b"}));
        lifecycle.register(host.entry("a", host.plugin("a"), null));

        assertEquals(PluginState.WAITING, info("c").state());

        lifecycle.register(host.entry("b", host.plugin("b"), null));

        assertEquals(PluginState.LOADED, info("c").state());
    }

    @Test
    public void register_beforeLoadThrows_skipsLoad() {
        RecordingPlugin plugin = host.plugin("a").failOn("beforeLoad", new IllegalStateException("boom"));

        lifecycle.register(host.entry("a", plugin, null));

        assertEquals(PluginState.FAILED, info("a").state());
        assertEquals("beforeLoad: java.lang.IllegalStateException: boom", info("a").lastError());
        assertEquals(List.of("a.beforeLoad"), host.events());
    }

    @Test
    public void register_loadThrows_failsAndClosesSync() {
        RecordingPlugin plugin = host.plugin("a").failOn("load", new Exception("no database"));

        lifecycle.register(host.entry("a", plugin, null));

        assertEquals(PluginState.FAILED, info("a").state());
        assertEquals("load: java.lang.Exception: no database", info("a").lastError());
        assertEquals(List.of("a.beforeLoad", "a.sync.open", "a.load", "a.sync.close"), host.events());
        assertNull(host.syncHandler("a"));
    }

    @Test
    public void register_loadThrowsLinkageError_fails() {
        RecordingPlugin plugin = host.plugin("a").onHook("load", () -> {
            throw new NoClassDefFoundError("com/example/Missing");
        });

        lifecycle.register(host.entry("a", plugin, null));

        assertEquals(PluginState.FAILED, info("a").state());
        assertEquals("load: java.lang.NoClassDefFoundError: com/example/Missing", info("a").lastError());
    }

    @Test
    public void register_onePluginFails_othersLoad() {
        lifecycle.register(host.entry("a", host.plugin("a").failOn("load", new Exception("x")), null));

        lifecycle.register(host.entry("b", host.plugin("b"), null));

        assertEquals(PluginState.FAILED, info("a").state());
        assertEquals(PluginState.LOADED, info("b").state());
    }

    @Test
    public void register_dependencyFailed_dependentWaits() {
        lifecycle.register(host.entry("a", host.plugin("a").failOn("load", new Exception("x")), null));

        lifecycle.register(host.entry("b", host.plugin("b"), "a"));

        assertEquals(PluginState.WAITING, info("b").state());
        assertEquals(List.of(), eventsOf("b"));
    }

    @Test
    public void register_syncSubscriptionThrows_failsBeforeLoad() {
        host.failSyncWith(new IllegalStateException("sync adapter missing"));

        lifecycle.register(host.entry("a", host.plugin("a"), null));

        assertEquals(PluginState.FAILED, info("a").state());
        assertEquals("sync subscription: java.lang.IllegalStateException: sync adapter missing",
                info("a").lastError());
        assertEquals(List.of("a.beforeLoad"), host.events());
    }

    @Test
    public void register_serviceWithoutObject_fails() {
        PluginEntry entry = host.entry("a", new RecordingHost.FixedService(null), null);

        lifecycle.register(entry);

        assertEquals(PluginState.FAILED, info("a").state());
        assertTrue(info("a").lastError(), info("a").lastError().startsWith("activate: "));
    }

    @Test
    public void register_invalidName_failsAndOthersLoad() {
        lifecycle.register(host.entry("Bad Name", host.plugin("bad"), null));
        lifecycle.register(host.entry("good", host.plugin("good"), null));

        assertEquals(PluginState.FAILED, info("Bad Name").state());
        assertTrue(info("Bad Name").lastError(),
                info("Bad Name").lastError().startsWith("properties: plugin name 'Bad Name' is invalid"));
        assertEquals(List.of(), eventsOf("bad"));
        assertEquals(PluginState.LOADED, info("good").state());
    }

    @Test
    public void register_missingName_failsAsUnnamed() {
        lifecycle.register(host.entry(null, new RecordingHost.FixedService(host.plugin("x")), null));

        PluginInfo info = info(PluginEntry.UNNAMED);
        assertEquals(PluginState.FAILED, info.state());
        assertTrue(info.lastError(), info.lastError().contains("cohort.plugin.name is missing"));
    }

    @Test
    public void register_nameNotString_fails() {
        lifecycle.register(host.entry(42, new RecordingHost.FixedService(host.plugin("x")), null));

        assertTrue(info("42").lastError(), info("42").lastError().contains("expected a String"));
    }

    @Test
    public void register_invalidDependencyName_fails() {
        lifecycle.register(host.entry("a", host.plugin("a"), "Not_Valid"));

        assertEquals(PluginState.FAILED, info("a").state());
        assertTrue(info("a").lastError(), info("a").lastError().contains("cohort.plugin.dependencies"));
    }

    @Test
    public void register_duplicateName_failsSecondOnly() {
        lifecycle.register(host.entry("a", host.plugin("first"), null));

        lifecycle.register(host.entry("a", host.plugin("second"), null));

        List<PluginInfo> infos = lifecycle.snapshot();
        assertEquals(PluginState.LOADED, infos.get(0).state());
        assertEquals(PluginState.FAILED, infos.get(1).state());
        assertEquals("properties: plugin name 'a' is already used by bundle test.bundle1 [1]",
                infos.get(1).lastError());
        assertEquals(List.of(), eventsOf("second"));
    }

    @Test
    public void register_dependencyCycle_failsEveryMember() {
        lifecycle.register(host.entry("a", host.plugin("a"), "b"));

        lifecycle.register(host.entry("b", host.plugin("b"), "a"));

        assertEquals(PluginState.FAILED, info("a").state());
        assertEquals(PluginState.FAILED, info("b").state());
        assertEquals("dependencies: dependency cycle b -> a -> b", info("a").lastError());
        assertEquals(List.of(), host.events());
    }

    @Test
    public void register_dependsOnItself_fails() {
        lifecycle.register(host.entry("a", host.plugin("a"), "a"));

        assertEquals("dependencies: dependency cycle a -> a", info("a").lastError());
    }

    @Test
    public void unregister_loaded_unloadsAndClosesSync() {
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        lifecycle.register(a);

        lifecycle.unregister(a);

        assertEquals(List.of("a.unload", "a.sync.close"), host.events().subList(3, 5));
        assertEquals(PluginState.UNLOADED, info("a").state());
    }

    @Test
    public void unregister_loaded_releasesService() {
        RecordingHost.FixedService service = new RecordingHost.FixedService(host.plugin("a"));
        PluginEntry a = host.entry("a", service, null);
        lifecycle.register(a);

        lifecycle.unregister(a);

        assertEquals(0, service.holdCount());
    }

    @Test
    public void unregister_dependency_unloadsDependentsNewestFirstThenItself() {
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        lifecycle.register(a);
        lifecycle.register(host.entry("b", host.plugin("b"), "a"));
        lifecycle.register(host.entry("c", host.plugin("c"), "b"));
        lifecycle.register(host.entry("d", host.plugin("d"), "a"));

        lifecycle.unregister(a);

        assertEquals(List.of("d.unload", "c.unload", "b.unload", "a.unload"), unloads());
    }

    @Test
    public void unregister_dependency_dependentsGoBackToWaiting() {
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        lifecycle.register(a);
        lifecycle.register(host.entry("b", host.plugin("b"), "a"));
        lifecycle.register(host.entry("c", host.plugin("c"), "b"));

        lifecycle.unregister(a);

        assertEquals(PluginState.UNLOADED, info("a").state());
        assertEquals(PluginState.WAITING, info("b").state());
        assertEquals(PluginState.WAITING, info("c").state());
        assertNull(host.syncHandler("b"));
    }

    @Test
    public void beforeLoadThrows_siblingInSameBundleLoaded_resourcesKept() {
        RecordingHost.FixedService holder = new RecordingHost.FixedService(host.plugin("holder"));
        RecordingHost.FixedService thrower = new RecordingHost.FixedService(host.plugin("thrower")
                .failOn("beforeLoad", new IllegalStateException("boom")));
        lifecycle.register(host.entryInBundle("holder", holder, null, 900));

        lifecycle.register(host.entryInBundle("thrower", thrower, "holder", 900));

        assertEquals(PluginState.FAILED, info("thrower").state());
        assertEquals(PluginState.LOADED, info("holder").state());
        assertEquals(0, thrower.heldResourceReleases());
    }

    @Test
    public void beforeLoadThrows_siblingInSameBundleFailed_resourcesReleased() {
        RecordingHost.FixedService first = new RecordingHost.FixedService(host.plugin("first")
                .failOn("load", new IllegalStateException("first broke")));
        RecordingHost.FixedService second = new RecordingHost.FixedService(host.plugin("second")
                .failOn("beforeLoad", new IllegalStateException("second broke")));
        lifecycle.register(host.entryInBundle("first", first, null, 901));

        lifecycle.register(host.entryInBundle("second", second, null, 901));

        assertEquals(1, second.heldResourceReleases());
    }

    @Test
    public void unregister_dependency_releasesDependentResources() {
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        RecordingHost.FixedService dependent = new RecordingHost.FixedService(host.plugin("b"));
        RecordingHost.FixedService unrelated = new RecordingHost.FixedService(host.plugin("x"));
        lifecycle.register(a);
        lifecycle.register(host.entry("b", dependent, "a"));
        lifecycle.register(host.entry("x", unrelated, null));

        lifecycle.unregister(a);

        assertEquals(1, dependent.heldResourceReleases());
        assertEquals(0, unrelated.heldResourceReleases());
    }

    @Test
    public void unregister_dependency_unrelatedPluginStaysLoaded() {
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        lifecycle.register(a);
        lifecycle.register(host.entry("x", host.plugin("x"), null));

        lifecycle.unregister(a);

        assertEquals(PluginState.LOADED, info("x").state());
        assertEquals(List.of(), unloadsOf("x"));
    }

    @Test
    public void register_dependencyReturns_reloadsWaitingDependents() {
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        lifecycle.register(a);
        lifecycle.register(host.entry("b", host.plugin("b"), "a"));
        lifecycle.unregister(a);

        lifecycle.register(host.entry("a", host.plugin("a"), null));

        assertEquals(PluginState.LOADED, info("b").state());
        assertEquals(List.of("b.beforeLoad", "b.sync.open", "b.load", "b.unload", "b.sync.close", "b.beforeLoad",
                "b.sync.open", "b.load"), eventsOf("b"));
    }

    @Test
    public void register_sameNameAfterUnregister_replacesOldEntry() {
        PluginEntry first = host.entry("a", host.plugin("a"), null);
        lifecycle.register(first);
        lifecycle.unregister(first);

        lifecycle.register(host.entry("a", host.plugin("a"), null));

        assertEquals(1, lifecycle.snapshot().size());
        assertEquals(PluginState.LOADED, info("a").state());
    }

    @Test
    public void unregister_waiting_removesWithoutHooks() {
        PluginEntry b = host.entry("b", host.plugin("b"), "a");
        lifecycle.register(b);

        lifecycle.unregister(b);

        assertEquals(PluginState.UNLOADED, info("b").state());
        assertEquals(List.of(), host.events());
    }

    @Test
    public void unregister_failed_keepsErrorWithoutUnload() {
        PluginEntry a = host.entry("a", host.plugin("a").failOn("load", new Exception("x")), null);
        lifecycle.register(a);

        lifecycle.unregister(a);

        assertEquals(PluginState.FAILED, info("a").state());
        assertEquals(List.of(), unloadsOf("a"));
    }

    @Test
    public void unregister_unloadThrows_failsAndClosesSync() {
        PluginEntry a = host.entry("a", host.plugin("a").failOn("unload", new IllegalStateException("stuck")),
                null);
        lifecycle.register(a);

        lifecycle.unregister(a);

        assertEquals(PluginState.FAILED, info("a").state());
        assertEquals("unload: java.lang.IllegalStateException: stuck", info("a").lastError());
        assertNull(host.syncHandler("a"));
    }

    @Test
    public void unregister_owner_freesName() {
        PluginEntry first = host.entry("a", host.plugin("first"), null);
        lifecycle.register(first);
        lifecycle.unregister(first);

        lifecycle.register(host.entry("a", host.plugin("third"), null));

        assertEquals(PluginState.LOADED, info("a").state());
    }

    @Test
    public void register_withdrawnBeforeProcessed_neverLoads() {
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        a.markWithdrawn();

        lifecycle.register(a);
        lifecycle.unregister(a);

        assertEquals(PluginState.UNLOADED, info("a").state());
        assertEquals(List.of(), host.events());
    }

    @Test
    public void register_dependentWithdrawnBeforeDependencyLoads_neverLoads() {
        PluginEntry b = host.entry("b", host.plugin("b"), "a");
        lifecycle.register(b);
        b.markWithdrawn();

        lifecycle.register(host.entry("a", host.plugin("a"), null));

        assertEquals(List.of(), eventsOf("b"));
    }

    @Test
    public void bundleUninstalled_unloadedPlugin_dropsRow() {
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        lifecycle.register(a);
        lifecycle.unregister(a);

        lifecycle.bundleUninstalled(a.bundle().id());

        assertEquals(List.of(), lifecycle.snapshot());
    }

    @Test
    public void bundleUninstalled_failedPlugin_dropsRow() {
        PluginEntry a = host.entry("a", host.plugin("a").failOn("load", new Exception("x")), null);
        lifecycle.register(a);
        lifecycle.unregister(a);

        lifecycle.bundleUninstalled(a.bundle().id());

        assertEquals(List.of(), lifecycle.snapshot());
    }

    @Test
    public void bundleUninstalled_duplicateName_dropsOnlyDuplicate() {
        PluginEntry owner = host.entry("a", host.plugin("owner"), null);
        PluginEntry duplicate = host.entry("a", host.plugin("duplicate"), null);
        lifecycle.register(owner);
        lifecycle.register(duplicate);
        lifecycle.unregister(duplicate);

        lifecycle.bundleUninstalled(duplicate.bundle().id());

        assertEquals(List.of(owner.bundle().id()), bundleIds());
        assertEquals(PluginState.LOADED, info("a").state());
    }

    @Test
    public void bundleUninstalled_twoPluginsOfBundle_dropsBoth() {
        PluginEntry a = host.entryInBundle("a", new RecordingHost.FixedService(host.plugin("a")), null, 7);
        PluginEntry b = host.entryInBundle("b", new RecordingHost.FixedService(host.plugin("b")), null, 7);
        lifecycle.register(a);
        lifecycle.register(b);
        lifecycle.unregister(b);
        lifecycle.unregister(a);

        lifecycle.bundleUninstalled(7);

        assertEquals(List.of(), lifecycle.snapshot());
    }

    @Test
    public void bundleUninstalled_otherBundle_keepsStoppedRow() {
        PluginEntry stopped = host.entry("a", host.plugin("a"), null);
        PluginEntry removed = host.entry("b", host.plugin("b"), null);
        lifecycle.register(stopped);
        lifecycle.register(removed);
        lifecycle.unregister(stopped);
        lifecycle.unregister(removed);

        lifecycle.bundleUninstalled(removed.bundle().id());

        assertEquals(List.of(stopped.bundle().id()), bundleIds());
        assertEquals(PluginState.UNLOADED, info("a").state());
    }

    @Test
    public void bundleUninstalled_registeredPlugin_keepsRow() {
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        lifecycle.register(a);

        lifecycle.bundleUninstalled(a.bundle().id());

        assertEquals(PluginState.LOADED, info("a").state());
    }

    @Test
    public void bundleUninstalled_afterRedeploy_keepsNewRow() {
        PluginEntry old = host.entry("a", host.plugin("old"), null);
        lifecycle.register(old);
        lifecycle.unregister(old);
        PluginEntry redeployed = host.entry("a", host.plugin("new"), null);
        lifecycle.register(redeployed);

        lifecycle.bundleUninstalled(old.bundle().id());

        assertEquals(List.of(redeployed.bundle().id()), bundleIds());
        assertEquals(PluginState.LOADED, info("a").state());
    }

    @Test
    public void register_sameNameAfterBundleUninstalled_loads() {
        PluginEntry old = host.entry("a", host.plugin("old"), null);
        lifecycle.register(old);
        lifecycle.unregister(old);
        lifecycle.bundleUninstalled(old.bundle().id());

        PluginEntry redeployed = host.entry("a", host.plugin("new"), null);
        lifecycle.register(redeployed);

        assertEquals(List.of(redeployed.bundle().id()), bundleIds());
        assertEquals(PluginState.LOADED, info("a").state());
    }

    @Test
    public void shutdown_loadedPlugins_unloadsInReverseLoadOrder() {
        lifecycle.register(host.entry("c", host.plugin("c"), "a"));
        lifecycle.register(host.entry("x", host.plugin("x"), null));
        lifecycle.register(host.entry("a", host.plugin("a"), null));
        lifecycle.register(host.entry("y", host.plugin("y"), null));

        lifecycle.shutdown();

        assertEquals(List.of("x.load", "a.load", "c.load", "y.load"), loads());
        assertEquals(List.of("y.unload", "c.unload", "a.unload", "x.unload"), unloads());
    }

    @Test
    public void shutdown_loadedPlugins_endUnloaded() {
        lifecycle.register(host.entry("a", host.plugin("a"), null));

        lifecycle.shutdown();

        assertEquals(PluginState.UNLOADED, info("a").state());
        assertNull(host.syncHandler("a"));
    }

    @Test
    public void shutdown_calledTwice_unloadsOnce() {
        lifecycle.register(host.entry("a", host.plugin("a"), null));

        lifecycle.shutdown();
        lifecycle.shutdown();

        assertEquals(List.of("a.unload"), unloads());
    }

    @Test
    public void shutdown_unloadThrows_othersStillUnload() {
        lifecycle.register(host.entry("a", host.plugin("a"), null));
        lifecycle.register(host.entry("b", host.plugin("b").failOn("unload", new Exception("x")), null));

        lifecycle.shutdown();

        assertEquals(List.of("b.unload", "a.unload"), unloads());
        assertEquals(PluginState.FAILED, info("b").state());
        assertEquals(PluginState.UNLOADED, info("a").state());
    }

    @Test
    public void register_afterShutdown_doesNotLoad() {
        lifecycle.shutdown();

        lifecycle.register(host.entry("a", host.plugin("a"), null));

        assertEquals(PluginState.WAITING, info("a").state());
        assertEquals(List.of(), host.events());
    }

    @Test
    public void unregister_afterShutdown_doesNotUnloadAgain() {
        PluginEntry a = host.entry("a", host.plugin("a"), null);
        lifecycle.register(a);
        lifecycle.shutdown();

        lifecycle.unregister(a);

        assertEquals(List.of("a.unload"), unloads());
        assertEquals(PluginState.UNLOADED, info("a").state());
    }

    @Test
    public void snapshot_mixedStates_listsLoadedFirst() {
        lifecycle.register(host.entry("b", host.plugin("b"), "a"));
        lifecycle.register(host.entry("x", host.plugin("x"), null));
        lifecycle.register(host.entry("w", host.plugin("w"), "missing"));
        lifecycle.register(host.entry("a", host.plugin("a"), null));

        List<String> names = lifecycle.snapshot().stream().map(PluginInfo::name).toList();

        assertEquals(List.of("x", "a", "b", "w"), names);
    }

    @Test
    public void syncHandler_loadedPlugin_deliversToPlugin() throws Exception {
        lifecycle.register(host.entry("a", host.plugin("a"), null));

        assertNotNull(host.syncHandler("a"));
        host.syncHandler("a").handle(null);

        assertEquals("a.handleSyncMessage", host.events().get(3));
    }

    private PluginInfo info(String name) {
        return lifecycle.snapshot().stream().filter(info -> info.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no plugin " + name + " in " + lifecycle.snapshot()));
    }

    private List<Long> bundleIds() {
        return lifecycle.snapshot().stream().map(PluginInfo::bundleId).toList();
    }

    private List<String> eventsOf(String plugin) {
        return host.events().stream().filter(event -> event.startsWith(plugin + ".")).toList();
    }

    private List<String> loads() {
        return host.events().stream().filter(event -> event.endsWith(".load")).toList();
    }

    private List<String> unloads() {
        return host.events().stream().filter(event -> event.endsWith(".unload")).toList();
    }

    private List<String> unloadsOf(String plugin) {
        return unloads().stream().filter(event -> event.startsWith(plugin + ".")).toList();
    }
}
