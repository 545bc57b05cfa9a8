package io.cohort.core.plugin;

import java.time.Duration;
import java.util.List;

import io.cohort.api.node.PluginInfo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link PluginLifecycle} on its own lifecycle thread, so that plugin hooks never run on the thread that
 * registers or unregisters a service (often a Declarative Services thread that holds its locks). The lifecycle
 * thread hands each hook to a {@link HookRunner} and waits for it at most the hook timeout.
 *
 * <p>A registration is queued and returns at once. An unregistration and a shutdown wait until the lifecycle thread
 * has processed them, which is after every step queued earlier, such as a load of the same plugin. Because every
 * hook is bounded by the hook timeout, a stuck hook delays them by at most that long.
 */
final class PluginScheduler {

    /** The name of the lifecycle thread. */
    static final String THREAD_NAME = "cohort-plugins";

    private static final Logger LOG = LoggerFactory.getLogger(PluginScheduler.class);

    private final PluginLifecycle lifecycle;
    private final LifecycleExecutor executor;
    private final HookRunner hooks;

    /**
     * @param waitWarning how long an unregistration or shutdown waits before it logs a WARN naming the running step
     * @param hookTimeout how long a hook may run before its plugin is marked {@code FAILED} and its thread abandoned;
     *     also how long a step may run Cohort code in one stretch before waiting threads stop waiting for it
     */
    PluginScheduler(PluginHost host, Duration waitWarning, Duration hookTimeout) {
        this.executor = new LifecycleExecutor(THREAD_NAME, waitWarning, hookTimeout);
        this.hooks = new HookRunner(hookTimeout, executor::pluginCallStarted, executor::pluginCallEnded);
        this.lifecycle = new PluginLifecycle(host, hooks);
    }

    /** Queues the registration of a plugin service. Its hooks run later on the hook thread. */
    void added(PluginEntry entry) {
        executor.execute("register plugin " + entry.describe(), () -> lifecycle.register(entry));
    }

    /**
     * Unregisters a plugin service and waits until it and the plugins depending on it have unloaded. A plugin whose
     * registration is still queued is never loaded.
     *
     * @return whether the unregistration has finished. It is false when called from a hook, when interrupted, or
     *     when the lifecycle thread stalls outside plugin hooks, and the unregistration then finishes later on the
     *     lifecycle thread
     */
    boolean removed(PluginEntry entry) {
        entry.markWithdrawn();
        return executeAndWait("unregister plugin " + entry.describe(), () -> lifecycle.unregister(entry));
    }

    /**
     * Queues a step that drops the plugins of an uninstalled bundle from the list, and returns at once. The framework
     * unregisters a bundle's services before it reports the bundle uninstalled, so, called from a synchronous bundle
     * listener, the step runs after the unregistrations of those services.
     */
    void bundleUninstalled(long bundleId) {
        executor.execute("forget plugins of uninstalled bundle [" + bundleId + "]",
                () -> lifecycle.bundleUninstalled(bundleId));
    }

    /** Unloads every loaded plugin in reverse load order and waits for it. Later calls only wait. */
    void shutdown() {
        executeAndWait("unload all plugins", lifecycle::shutdown);
    }

    /** Returns the plugins as {@link PluginLifecycle#snapshot()} lists them. */
    List<PluginInfo> plugins() {
        return lifecycle.snapshot();
    }

    /**
     * Stops the lifecycle thread after the queued steps, waiting at most {@code timeout} for them, then stops the
     * hook thread.
     */
    void close(Duration timeout) {
        executor.close(timeout);
        hooks.close();
    }

    private boolean executeAndWait(String description, Runnable step) {
        // The lifecycle thread waits for the running hook, so a hook that waited for the lifecycle thread would
        // only time out.
        if (hooks.isHookThread()) {
            LOG.debug("Step '{}' requested from a plugin hook; it runs after the current step", description);
            executor.execute(description, step);
            return false;
        }
        return executor.executeAndWait(description, step);
    }
}
