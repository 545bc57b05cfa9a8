package io.cohort.core.plugin;

import java.time.Duration;
import java.util.List;

import io.cohort.api.node.PluginInfo;

/**
 * Runs the {@link PluginLifecycle} on its own lifecycle thread, so that plugin hooks never run on the thread that
 * registers or unregisters a service (often a Declarative Services thread that holds its locks).
 *
 * <p>A registration is queued and returns at once. An unregistration and a shutdown wait until the lifecycle thread
 * has processed them, which is after every step queued earlier, such as a load of the same plugin.
 */
final class PluginScheduler {

    /** The name of the lifecycle thread. */
    static final String THREAD_NAME = "cohort-plugins";

    private final PluginLifecycle lifecycle;
    private final LifecycleExecutor executor;

    PluginScheduler(PluginHost host, Duration waitWarning) {
        this.lifecycle = new PluginLifecycle(host);
        this.executor = new LifecycleExecutor(THREAD_NAME, waitWarning);
    }

    /** Queues the registration of a plugin service. Its hooks run later on the lifecycle thread. */
    void added(PluginEntry entry) {
        executor.execute("register plugin " + entry.describe(), () -> lifecycle.register(entry));
    }

    /**
     * Unregisters a plugin service and waits until it and the plugins depending on it have unloaded. A plugin whose
     * registration is still queued is never loaded.
     *
     * @return whether the unregistration has finished. It is false when called from a hook or when interrupted,
     *     and the unregistration then finishes later on the lifecycle thread
     */
    boolean removed(PluginEntry entry) {
        entry.markWithdrawn();
        return executor.executeAndWait("unregister plugin " + entry.describe(), () -> lifecycle.unregister(entry));
    }

    /** Unloads every loaded plugin in reverse load order and waits for it. Later calls only wait. */
    void shutdown() {
        executor.executeAndWait("unload all plugins", lifecycle::shutdown);
    }

    /** Returns every known plugin: the loaded ones in load order, then the others in registration order. */
    List<PluginInfo> plugins() {
        return lifecycle.snapshot();
    }

    /** Stops the lifecycle thread after the queued steps, waiting at most {@code timeout} for them. */
    void close(Duration timeout) {
        executor.close(timeout);
    }
}
