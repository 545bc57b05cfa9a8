package io.cohort.core.plugin;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.cohort.api.node.PluginInfo;
import io.cohort.api.node.PluginState;
import io.cohort.api.plugin.Plugin;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Hooks that run longer than the hook timeout: the plugin fails, its thread is abandoned, and the lifecycle goes on
 * for every other plugin. Gates hold the hooks, so each test decides when a stuck hook returns.
 */
public class PluginHookTimeoutTest {

    private static final Duration TIMEOUT = Duration.ofMillis(200);

    /** How long a call on a stuck plugin may take at most: the timeout plus room for a busy build machine. */
    private static final long MAX_RETURN_MILLIS = TIMEOUT.toMillis() + 2_000;

    @Rule
    public Timeout timeout = Timeout.seconds(20);

    private final RecordingHost host = new RecordingHost();
    private final PluginScheduler scheduler = new PluginScheduler(host, /* waitWarning= */ Duration.ofSeconds(10),
            TIMEOUT);
    private final List<RecordingPlugin.Gate> gates = new ArrayList<>();
    private final List<SlowService> slowServices = new ArrayList<>();

    @After
    public void releaseStuckThreads() throws InterruptedException {
        gates.forEach(RecordingPlugin.Gate::open);
        slowServices.forEach(SlowService::finish);
        scheduler.close(Duration.ofSeconds(5));
        for (RecordingPlugin.Gate gate : gates) {
            Thread thread = gate.thread();
            if (thread != null) {
                thread.join(5_000);
                assertFalse("thread " + thread.getName() + " still runs", thread.isAlive());
            }
        }
        for (SlowService service : slowServices) {
            assertTrue("activation thread still runs", service.awaitReturned());
        }
    }

    @Test
    public void load_blocksPastTimeout_failsWithTimeoutError() throws Exception {
        RecordingPlugin plugin = host.plugin("a");
        hold(plugin, "load");

        scheduler.added(host.entry("a", plugin, null));

        awaitState("a", PluginState.FAILED);
        assertEquals("load: timed out after 200 ms", info("a").lastError());
    }

    @Test
    public void beforeLoad_blocksPastTimeout_skipsSyncAndLoad() throws Exception {
        RecordingPlugin plugin = host.plugin("a");
        hold(plugin, "beforeLoad");

        scheduler.added(host.entry("a", plugin, null));

        awaitState("a", PluginState.FAILED);
        assertEquals("beforeLoad: timed out after 200 ms", info("a").lastError());
        assertEquals(List.of("a.beforeLoad"), host.events());
    }

    @Test
    public void load_timedOut_interruptsAndRenamesThread() throws Exception {
        RecordingPlugin plugin = host.plugin("a");
        RecordingPlugin.Gate gate = hold(plugin, "load");

        scheduler.added(host.entry("a", plugin, null));
        awaitState("a", PluginState.FAILED);

        await().atMost(Duration.ofSeconds(5)).until(gate::wasInterrupted);
        assertEquals(HookRunner.ABANDONED_PREFIX + "a", gate.thread().getName());
    }

    @Test
    public void load_timedOut_closesSyncSubscription() throws Exception {
        RecordingPlugin plugin = host.plugin("a");
        hold(plugin, "load");

        scheduler.added(host.entry("a", plugin, null));
        awaitState("a", PluginState.FAILED);

        assertEquals(List.of("a.beforeLoad", "a.sync.open", "a.load", "a.sync.close"), host.events());
        assertNull(host.syncHandler("a"));
    }

    @Test
    public void load_timedOut_releasesHeldResources() throws Exception {
        RecordingPlugin plugin = host.plugin("a");
        hold(plugin, "load");
        RecordingHost.FixedService service = new RecordingHost.FixedService(plugin);

        scheduler.added(host.entry("a", service, null));

        await().atMost(Duration.ofSeconds(5)).until(() -> service.heldResourceReleases() == 1);
        assertEquals(PluginState.FAILED, stateOf("a"));
    }

    @Test
    public void added_whileLoadStuck_loadsOnNewHookThread() throws Exception {
        RecordingPlugin stuck = host.plugin("a");
        RecordingPlugin.Gate gate = hold(stuck, "load");
        scheduler.added(host.entry("a", stuck, null));
        gate.awaitEntered();
        RecordingPlugin later = host.plugin("b");

        scheduler.added(host.entry("b", later, null));

        awaitState("b", PluginState.LOADED);
        assertEquals(PluginState.FAILED, stateOf("a"));
        assertTrue(later.threadOf("load"), later.threadOf("load").startsWith(HookRunner.THREAD_PREFIX));
        assertNotEquals(gate.thread().getName(), later.threadOf("load"));
    }

    @Test
    public void dependent_ofTimedOutPlugin_staysWaiting() throws Exception {
        RecordingPlugin stuck = host.plugin("a");
        RecordingPlugin.Gate gate = hold(stuck, "load");
        scheduler.added(host.entry("a", stuck, null));
        scheduler.added(host.entry("b", host.plugin("b"), "a"));
        awaitState("a", PluginState.FAILED);

        gate.open();
        gate.thread().join(5_000);

        assertEquals(PluginState.WAITING, stateOf("b"));
        assertEquals(List.of(), eventsOf("b"));
    }

    @Test
    public void removed_otherPluginWhileLoadStuck_finishes() throws Exception {
        PluginEntry other = host.entry("b", host.plugin("b"), null);
        scheduler.added(other);
        RecordingPlugin stuck = host.plugin("a");
        RecordingPlugin.Gate gate = hold(stuck, "load");
        scheduler.added(host.entry("a", stuck, null));
        gate.awaitEntered();

        boolean finished = scheduler.removed(other);

        assertTrue(finished);
        assertEquals(PluginState.UNLOADED, stateOf("b"));
        assertEquals(List.of("b.unload"), unloads());
    }

    @Test
    public void removed_stuckPlugin_returnsWithinTimeout() throws Exception {
        RecordingPlugin stuck = host.plugin("a");
        RecordingPlugin.Gate gate = hold(stuck, "load");
        PluginEntry entry = host.entry("a", stuck, null);
        scheduler.added(entry);
        gate.awaitEntered();

        long start = System.nanoTime();
        boolean finished = scheduler.removed(entry);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(finished);
        assertTrue("unregistration took " + elapsedMillis + " ms", elapsedMillis <= MAX_RETURN_MILLIS);
        assertEquals(PluginState.FAILED, stateOf("a"));
        assertEquals(List.of(), unloads());
    }

    @Test
    public void removed_stuckPlugin_releasesService() throws Exception {
        RecordingPlugin stuck = host.plugin("a");
        RecordingPlugin.Gate gate = hold(stuck, "load");
        RecordingHost.FixedService service = new RecordingHost.FixedService(stuck);
        PluginEntry entry = host.entry("a", service, null);
        scheduler.added(entry);
        gate.awaitEntered();

        scheduler.removed(entry);

        assertEquals(0, service.holdCount());
    }

    @Test
    public void load_returnsAfterTimeout_changesNothing() throws Exception {
        RecordingPlugin stuck = host.plugin("a");
        RecordingPlugin.Gate gate = hold(stuck, "load");
        scheduler.added(host.entry("a", stuck, null));
        awaitState("a", PluginState.FAILED);
        List<PluginInfo> before = scheduler.plugins();
        List<String> eventsBefore = host.events();

        gate.open();
        gate.thread().join(5_000);

        assertFalse(gate.thread().isAlive());
        assertEquals(before, scheduler.plugins());
        assertEquals(eventsBefore, host.events());
    }

    @Test
    public void load_throwsAfterTimeout_changesNothing() throws Exception {
        RecordingPlugin stuck = host.plugin("a").failOn("load", new IllegalStateException("late"));
        RecordingPlugin.Gate gate = hold(stuck, "load");
        scheduler.added(host.entry("a", stuck, null));
        awaitState("a", PluginState.FAILED);

        gate.open();
        gate.thread().join(5_000);

        assertEquals("load: timed out after 200 ms", info("a").lastError());
    }

    @Test
    public void unload_blocksPastTimeout_unregistrationReturns() throws Exception {
        RecordingPlugin plugin = host.plugin("a");
        PluginEntry entry = host.entry("a", plugin, null);
        scheduler.added(entry);
        awaitState("a", PluginState.LOADED);
        hold(plugin, "unload");

        boolean finished = scheduler.removed(entry);

        assertTrue(finished);
        assertEquals(PluginState.FAILED, stateOf("a"));
        assertEquals("unload: timed out after 200 ms", info("a").lastError());
        assertNull(host.syncHandler("a"));
    }

    @Test
    public void shutdown_whileLoadStuck_unloadsOthersAndReturns() throws Exception {
        scheduler.added(host.entry("b", host.plugin("b"), null));
        RecordingPlugin stuck = host.plugin("a");
        RecordingPlugin.Gate gate = hold(stuck, "load");
        scheduler.added(host.entry("a", stuck, null));
        gate.awaitEntered();

        scheduler.shutdown();

        assertEquals(List.of("b.unload"), unloads());
        assertEquals(PluginState.UNLOADED, stateOf("b"));
        assertEquals(PluginState.FAILED, stateOf("a"));
    }

    @Test
    public void shutdown_unloadStuck_unloadsRestInReverse() throws Exception {
        scheduler.added(host.entry("a", host.plugin("a"), null));
        RecordingPlugin middle = host.plugin("b");
        scheduler.added(host.entry("b", middle, null));
        scheduler.added(host.entry("c", host.plugin("c"), null));
        awaitState("c", PluginState.LOADED);
        hold(middle, "unload");

        scheduler.shutdown();

        assertEquals(List.of("c.unload", "b.unload", "a.unload"), unloads());
        assertEquals("unload: timed out after 200 ms", info("b").lastError());
        assertEquals(PluginState.UNLOADED, stateOf("a"));
    }

    @Test
    public void reusedPlugin_whileHookStuck_isNotCalled() throws Exception {
        RecordingPlugin plugin = host.plugin("a");
        hold(plugin, "load");
        PluginEntry first = host.entry("a", plugin, null);
        scheduler.added(first);
        awaitState("a", PluginState.FAILED);
        scheduler.removed(first);

        scheduler.added(host.entry("a", plugin, null));

        await().atMost(Duration.ofSeconds(5)).until(() -> info("a").lastError().startsWith("beforeLoad"));
        assertEquals("beforeLoad: not called because its load call timed out and still runs", info("a").lastError());
        assertEquals(List.of("a.beforeLoad", "a.sync.open", "a.load", "a.sync.close"), host.events());
    }

    @Test
    public void activate_blocksPastTimeout_releasesLateObject() throws Exception {
        SlowService service = new SlowService(host.plugin("a"));
        slowServices.add(service);

        scheduler.added(host.entry("a", service, null));
        awaitState("a", PluginState.FAILED);
        service.finish();

        assertEquals("activate: timed out after 200 ms", info("a").lastError());
        await().atMost(Duration.ofSeconds(5)).until(() -> service.holdCount() == 0 && service.returned());
        assertEquals(List.of(), host.events());
    }

    private RecordingPlugin.Gate hold(RecordingPlugin plugin, String hook) {
        RecordingPlugin.Gate gate = plugin.holdOn(hook);
        gates.add(gate);
        return gate;
    }

    private void awaitState(String name, PluginState state) {
        await().atMost(Duration.ofSeconds(5)).until(() -> stateOf(name) == state);
    }

    private PluginState stateOf(String name) {
        return RecordingHost.stateIn(scheduler.plugins(), name);
    }

    private PluginInfo info(String name) {
        return scheduler.plugins().stream().filter(info -> info.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no plugin " + name + " in " + scheduler.plugins()));
    }

    private List<String> eventsOf(String plugin) {
        return host.events().stream().filter(event -> event.startsWith(plugin + ".")).toList();
    }

    private List<String> unloads() {
        return host.events().stream().filter(event -> event.endsWith(".unload")).toList();
    }

    /** A plugin service whose component activation blocks, ignoring interrupts, until {@link #finish()}. */
    private static final class SlowService implements PluginEntry.PluginService {

        private final Plugin plugin;
        private final CountDownLatch finished = new CountDownLatch(1);
        private final CountDownLatch returned = new CountDownLatch(1);
        private final AtomicInteger holdCount = new AtomicInteger();

        SlowService(Plugin plugin) {
            this.plugin = plugin;
        }

        @Override
        public Plugin get() {
            boolean interrupted = false;
            while (true) {
                try {
                    finished.await(10, TimeUnit.SECONDS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            holdCount.incrementAndGet();
            returned.countDown();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return plugin;
        }

        @Override
        public void release() {
            holdCount.updateAndGet(count -> Math.max(0, count - 1));
        }

        void finish() {
            finished.countDown();
        }

        boolean returned() {
            return returned.getCount() == 0;
        }

        boolean awaitReturned() throws InterruptedException {
            return returned.await(5, TimeUnit.SECONDS);
        }

        int holdCount() {
            return holdCount.get();
        }
    }
}
