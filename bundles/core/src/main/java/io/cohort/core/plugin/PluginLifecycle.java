package io.cohort.core.plugin;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.cohort.api.node.PluginInfo;
import io.cohort.api.node.PluginState;
import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.Subscription;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin state machine: which plugin loads when, in dependency order, and which unloads first.
 *
 * <p>A registered plugin is {@code WAITING} until every plugin it depends on is {@code LOADED}. Loading calls
 * {@link Plugin#beforeLoad}, subscribes {@link Plugin#handleSyncMessage}, then calls {@link Plugin#load}. When a
 * plugin's service is unregistered, the plugins that depend on it (directly or not) unload first, newest load first,
 * and go back to {@code WAITING}. Then it unloads itself. {@link #shutdown()} unloads every loaded plugin in reverse
 * load order.
 *
 * <p>Plugin code (the hooks, and getting and releasing the plugin's service, which activates and deactivates its
 * component) runs through a {@link HookRunner}. A call that throws or runs longer than the hook timeout marks only
 * its own plugin {@code FAILED}, closes its sync subscription and releases what its bundle holds. A timed-out call
 * is abandoned on its thread, and the lifecycle goes on. A failed plugin gets no further hooks, and the plugins that
 * depend on it stay {@code WAITING}.
 *
 * <p>Not thread safe: {@link #register}, {@link #unregister}, {@link #bundleUninstalled} and {@link #shutdown} must be
 * called from one thread (the runtime's lifecycle thread), never from inside a hook. {@link #snapshot()} may be
 * called from any thread.
 */
final class PluginLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PluginLifecycle.class);

    private final PluginHost host;
    private final HookRunner hooks;

    /**
     * Every entry in registration order, including withdrawn ones until their bundle is uninstalled or an entry of the
     * same name replaces them.
     */
    private final List<PluginEntry> entries = new ArrayList<>();

    /** Entries whose name was accepted (valid and not a duplicate), so that they block later duplicates. */
    private final Set<PluginEntry> nameOwners = new HashSet<>();

    private long lastLoadSequence;
    private boolean stopped;

    PluginLifecycle(PluginHost host, HookRunner hooks) {
        this.host = host;
        this.hooks = hooks;
    }

    /** Adds a newly registered plugin service and loads every plugin that has become ready. */
    void register(PluginEntry entry) {
        synchronized (this) {
            entries.removeIf(old -> old.isWithdrawn() && old.name().equals(entry.name()));
            entries.add(entry);
        }
        if (entry.isWithdrawn()) {
            setState(entry, PluginState.UNLOADED, null);
            LOG.debug("Plugin {} was unregistered before it could load", entry.describe());
            return;
        }
        if (entry.propertyError() != null) {
            fail(entry, "properties", entry.propertyError(), null);
            return;
        }
        PluginEntry owner = ownerOf(entry.name());
        if (owner != null) {
            fail(entry, "properties", "plugin name '" + entry.name() + "' is already used by bundle "
                    + owner.bundle().symbolicName() + " [" + owner.bundle().id() + "]", null);
            return;
        }
        nameOwners.add(entry);
        setState(entry, PluginState.WAITING, null);

        List<PluginEntry> cycle = findCycle(entry);
        if (!cycle.isEmpty()) {
            String path = cycle.stream().map(PluginEntry::name).collect(Collectors.joining(" -> "))
                    + " -> " + entry.name();
            for (PluginEntry member : cycle) {
                fail(member, "dependencies", "dependency cycle " + path, null);
            }
            return;
        }
        if (stopped) {
            LOG.info("Plugin {} registered while the node is stopping; it is not loaded", entry.describe());
            return;
        }
        List<String> missing = missingDependencies(entry);
        if (!missing.isEmpty()) {
            LOG.info("Plugin {} is waiting for plugins {} to load", entry.describe(), missing);
        }
        loadReadyPlugins();
    }

    /**
     * Handles the unregistration of a plugin service: unloads the loaded plugins that depend on it, back to
     * {@code WAITING}, then unloads it and releases its service object.
     */
    void unregister(PluginEntry entry) {
        entry.markWithdrawn();
        PluginState state = entry.state();
        if (state == PluginState.LOADING || state == PluginState.UNLOADING) {
            throw new IllegalStateException("plugin " + entry.describe() + " is unregistered from inside its own "
                    + state + " step; unregistrations must be queued on the lifecycle thread");
        }
        if (state == PluginState.LOADED) {
            unloadDependents(entry);
            unload(entry, PluginState.UNLOADED, "its service was unregistered");
        } else if (state == PluginState.WAITING || state == null) {
            setState(entry, PluginState.UNLOADED, null);
            LOG.info("Plugin {} removed before it loaded", entry.describe());
        }
        nameOwners.remove(entry);
        releaseService(entry);
    }

    /**
     * Unloads every loaded plugin in reverse load order and stops loading plugins. Calling it again does nothing.
     */
    void shutdown() {
        if (stopped) {
            return;
        }
        stopped = true;
        List<PluginEntry> loaded = entries.stream()
                .filter(entry -> entry.state() == PluginState.LOADED)
                .sorted(Comparator.<PluginEntry>comparingLong(PluginEntry::loadSequence).reversed())
                .toList();
        LOG.info("Unloading plugins in reverse load order: {}", loaded.stream().map(PluginEntry::name).toList());
        for (PluginEntry entry : loaded) {
            unload(entry, PluginState.UNLOADED, "the plugin runtime is stopping (node stop or configuration change)");
        }
    }

    /**
     * Forgets the withdrawn entries of the bundle with id {@code bundleId} after that bundle was uninstalled, so that
     * the plugin list drops them. The entries of other bundles stay, including a newer bundle that registers the same
     * plugin name, because the framework never reuses a bundle id (see {@code Bundle.getBundleId()}).
     */
    void bundleUninstalled(long bundleId) {
        List<PluginEntry> dropped = entries.stream()
                .filter(entry -> entry.bundle().id() == bundleId && entry.isWithdrawn())
                .toList();
        if (dropped.isEmpty()) {
            return;
        }
        synchronized (this) {
            entries.removeAll(dropped);
        }
        nameOwners.removeAll(dropped);
        LOG.debug("Dropped plugins {} of uninstalled bundle {} [{}] from the plugin list",
                dropped.stream().map(PluginEntry::name).toList(), dropped.get(0).bundle().symbolicName(), bundleId);
    }

    /**
     * Returns the loaded plugins in load order, then the others in registration order. A withdrawn entry stays until
     * {@link #bundleUninstalled} drops it or an entry of the same name replaces it.
     */
    synchronized List<PluginInfo> snapshot() {
        return entries.stream()
                .sorted(Comparator.comparingLong(PluginLifecycle::loadOrderKey))
                .map(PluginEntry::toInfo)
                .toList();
    }

    private static long loadOrderKey(PluginEntry entry) {
        boolean loaded = entry.state() == PluginState.LOADED || entry.state() == PluginState.UNLOADING;
        return loaded ? entry.loadSequence() : Long.MAX_VALUE;
    }

    private void loadReadyPlugins() {
        boolean progress = true;
        while (progress && !stopped) {
            progress = false;
            for (PluginEntry entry : List.copyOf(entries)) {
                if (entry.state() == PluginState.WAITING && !entry.isWithdrawn()
                        && missingDependencies(entry).isEmpty()) {
                    load(entry);
                    progress = true;
                }
            }
        }
    }

    private void load(PluginEntry entry) {
        Plugin plugin = obtainPlugin(entry);
        if (plugin == null) {
            return;
        }
        setState(entry, PluginState.LOADING, null);
        PluginContext context = host.contextFor(entry.name());
        long start = System.nanoTime();

        if (!runHook(entry, "beforeLoad", plugin, () -> plugin.beforeLoad(context))) {
            return;
        }
        try {
            entry.syncSubscription(host.subscribeSync(entry.name(), plugin::handleSyncMessage));
        } catch (RuntimeException e) {
            fail(entry, "sync subscription", e.toString(), e);
            return;
        }
        if (!runHook(entry, "load", plugin, () -> plugin.load(context))) {
            return;
        }

        synchronized (this) {
            entry.loadSequence(++lastLoadSequence);
            entry.state(PluginState.LOADED);
            entry.lastError(null);
        }
        LOG.info("Plugin {} loaded from bundle {} [{}] version {} in {} ms", entry.name(),
                entry.bundle().symbolicName(), entry.bundle().id(), entry.bundle().version(), millisSince(start));
    }

    private Plugin obtainPlugin(PluginEntry entry) {
        if (entry.plugin() != null) {
            return entry.plugin();
        }
        // A late plugin object of an abandoned activation is released at once, because this entry has failed.
        HookRunner.Result<Plugin> result = hooks.call(entry.name(), "activate", null, entry.service()::get,
                late -> entry.service().release());
        if (result.outcome() != HookRunner.Outcome.RETURNED) {
            callFailed(entry, "activate", result);
            return null;
        }
        Plugin plugin = result.value();
        if (plugin == null) {
            fail(entry, "activate", "the plugin service returned no object; its component probably failed to "
                    + "activate (see the Declarative Services log)", null);
            return null;
        }
        entry.plugin(plugin);
        return plugin;
    }

    private void unloadDependents(PluginEntry dependency) {
        Set<PluginEntry> dependents = new HashSet<>();
        Deque<String> names = new ArrayDeque<>(List.of(dependency.name()));
        while (!names.isEmpty()) {
            String name = names.removeFirst();
            for (PluginEntry entry : entries) {
                if (entry.state() == PluginState.LOADED && entry.dependencies().contains(name)
                        && dependents.add(entry)) {
                    names.addLast(entry.name());
                }
            }
        }
        List<PluginEntry> newestFirst = dependents.stream()
                .sorted(Comparator.<PluginEntry>comparingLong(PluginEntry::loadSequence).reversed())
                .toList();
        // The dependents' bundles keep running, so their per-bundle managers release nothing by themselves. The
        // runtime releases it here, because the plugin would otherwise subscribe a second time when it loads again.
        String reason = "plugin " + dependency.name() + " that it depends on is unloading";
        for (PluginEntry entry : newestFirst) {
            if (unload(entry, PluginState.WAITING, reason)) {
                releaseHeldResources(entry, "while it waits for plugin " + dependency.name());
            }
        }
    }

    /** Runs the unload hook and returns whether it succeeded. A failure marks the plugin {@code FAILED}. */
    private boolean unload(PluginEntry entry, PluginState target, String reason) {
        setState(entry, PluginState.UNLOADING, null);
        Plugin plugin = entry.plugin();
        PluginContext context = host.contextFor(entry.name());
        long start = System.nanoTime();

        boolean unloaded = runHook(entry, "unload", plugin, () -> plugin.unload(context));
        closeSync(entry);

        if (unloaded) {
            setState(entry, target, null);
            LOG.info("Plugin {} unloaded from bundle {} [{}] version {} in {} ms because {}", entry.name(),
                    entry.bundle().symbolicName(), entry.bundle().id(), entry.bundle().version(),
                    millisSince(start), reason);
        }
        return unloaded;
    }

    /** Runs one hook and returns whether it succeeded. A failure marks the plugin {@code FAILED}. */
    private boolean runHook(PluginEntry entry, String hook, Plugin plugin, HookRunner.Hook body) {
        HookRunner.Result<Void> result = hooks.run(entry.name(), hook, plugin, body);
        if (result.outcome() == HookRunner.Outcome.RETURNED) {
            return true;
        }
        callFailed(entry, hook, result);
        return false;
    }

    /**
     * Marks the plugin {@code FAILED} after a plugin call that threw, timed out or did not run, and releases what its
     * bundle holds, because the plugin gets no further hook that could release it.
     */
    private void callFailed(PluginEntry entry, String step, HookRunner.Result<?> result) {
        if (result.outcome() == HookRunner.Outcome.TIMED_OUT) {
            setState(entry, PluginState.FAILED, step + ": " + result.message());
            LOG.error("Plugin {} from bundle {} [{}] did not return from {} within {} ms; it is FAILED, its thread "
                    + "is interrupted and left to finish as {}, and the other plugins go on", entry.name(),
                    entry.bundle().symbolicName(), entry.bundle().id(), step, hooks.timeout().toMillis(),
                    result.abandonedThread());
            closeSync(entry);
        } else {
            fail(entry, step, result.message(), result.failure());
        }
        releaseHeldResources(entry, "after its " + step + " failed");
    }

    /**
     * Releases what the plugin's bundle holds, unless another plugin of the same bundle still runs. Managers record
     * resources per bundle, so a release would also take that plugin's locks, subscriptions and consumers; they are
     * then released when the bundle stops.
     */
    private void releaseHeldResources(PluginEntry entry, String when) {
        List<String> running = entries.stream()
                .filter(other -> other != entry && other.bundle().id() == entry.bundle().id())
                .filter(other -> other.state() == PluginState.LOADED || other.state() == PluginState.LOADING
                        || other.state() == PluginState.UNLOADING)
                .map(PluginEntry::name)
                .toList();
        if (!running.isEmpty()) {
            LOG.warn("Plugin {} stopped {}, but the resources of bundle {} [{}] stay held, because its plugins {} "
                    + "still run; they are released when the bundle stops", entry.describe(), when,
                    entry.bundle().symbolicName(), entry.bundle().id(), running);
            return;
        }
        int released;
        try {
            released = entry.service().releaseHeldResources();
        } catch (RuntimeException e) {
            LOG.warn("Releasing the resources that plugin {} holds {} failed", entry.describe(), when, e);
            return;
        }
        if (released > 0) {
            LOG.info("Released {} resources that plugin {} held {}", released, entry.describe(), when);
        }
    }

    private void fail(PluginEntry entry, String step, String message, Throwable cause) {
        setState(entry, PluginState.FAILED, step + ": " + message);
        closeSync(entry);
        if (cause != null) {
            LOG.error("Plugin {} failed in {}; other plugins keep running", entry.describe(), step, cause);
        } else {
            LOG.error("Plugin {} failed: {}", entry.describe(), entry.lastError());
        }
    }

    private void closeSync(PluginEntry entry) {
        Subscription subscription = entry.syncSubscription();
        if (subscription == null) {
            return;
        }
        entry.syncSubscription(null);
        try {
            subscription.close();
        } catch (RuntimeException e) {
            LOG.warn("Closing the sync subscription of plugin {} failed", entry.describe(), e);
        }
    }

    /** Releases the plugin's service object, which may deactivate its component and so run plugin code. */
    private void releaseService(PluginEntry entry) {
        entry.plugin(null);
        HookRunner.Result<Void> result = hooks.run(entry.name(), "deactivate", null, entry.service()::release);
        if (result.outcome() == HookRunner.Outcome.TIMED_OUT) {
            setState(entry, PluginState.FAILED, "deactivate: " + result.message());
            LOG.error("Releasing the service of plugin {} did not return within {} ms; it is FAILED, and the "
                    + "interrupted thread is left to finish as {}", entry.describe(), hooks.timeout().toMillis(),
                    result.abandonedThread());
        } else if (result.outcome() != HookRunner.Outcome.RETURNED) {
            LOG.debug("Releasing the service of plugin {} failed: {}", entry.describe(), result.message(),
                    result.failure());
        }
    }

    private List<String> missingDependencies(PluginEntry entry) {
        List<String> missing = new ArrayList<>();
        for (String dependency : entry.dependencies()) {
            PluginEntry owner = ownerOf(dependency);
            if (owner == null || owner.state() != PluginState.LOADED) {
                missing.add(dependency);
            }
        }
        return missing;
    }

    /** Returns the registered entry that owns {@code name}, or null. */
    private PluginEntry ownerOf(String name) {
        for (PluginEntry entry : nameOwners) {
            if (entry.name().equals(name) && !entry.isWithdrawn()) {
                return entry;
            }
        }
        return null;
    }

    /** Returns the entries on a dependency path from {@code start} back to itself, starting with it, or none. */
    private List<PluginEntry> findCycle(PluginEntry start) {
        Deque<PluginEntry> path = new ArrayDeque<>();
        return walk(start, start, path, new HashSet<>()) ? List.copyOf(path) : List.of();
    }

    private boolean walk(PluginEntry current, PluginEntry start, Deque<PluginEntry> path, Set<PluginEntry> seen) {
        path.addLast(current);
        for (String dependency : current.dependencies()) {
            PluginEntry next = ownerOf(dependency);
            if (next == start) {
                return true;
            }
            if (next != null && seen.add(next) && walk(next, start, path, seen)) {
                return true;
            }
        }
        path.removeLast();
        return false;
    }

    private synchronized void setState(PluginEntry entry, PluginState state, String lastError) {
        entry.state(state);
        entry.lastError(lastError);
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
