package io.cohort.api.plugin;

import io.cohort.api.sync.SyncMessage;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A Cohort plugin: a DS component in its own bundle that provides this service and references the managers it uses.
 *
 * <p>Service properties: {@value #NAME_PROPERTY} (required: 1 to 64 characters from {@code a-z 0-9 -}, unique on the
 * node) and {@value #DEPENDENCIES_PROPERTY} (optional: names of plugins that must be loaded first).
 *
 * <p>Lifecycle, for every activation of the component: the runtime calls {@link #beforeLoad} once, then starts
 * delivering sync messages to {@link #handleSyncMessage}, then calls {@link #load} once. A plugin waits until every
 * plugin it depends on is loaded. When the service goes away (bundle stopped, updated or uninstalled) or a dependency
 * unloads, the runtime calls {@link #unload} once, stops sync delivery, and releases what the plugin's bundle still
 * holds: subscriptions, queue consumers, debounce timers and locks. On node stop, plugins unload in reverse load
 * order.
 *
 * <p>Hooks run on a thread of the runtime, one hook at a time, so a slow hook delays other plugins. A hook that
 * throws marks this plugin {@code FAILED}: the error is logged and shown by {@code cohort:plugins}, sync delivery
 * stops, what the plugin's bundle holds is released, and every other plugin keeps running. The runtime calls no
 * further hook of that activation, not even {@link #unload}, and the plugins that depend on this one keep waiting.
 *
 * <p>Each hook must return within the hook timeout: the framework property {@code cohort.plugin.hook.timeout.ms}, in
 * milliseconds, 20000 by default. So must the component's activate and deactivate methods when the runtime's getting
 * or releasing of the service runs them, as it does for a delayed component. A hook that runs longer fails this
 * plugin as if it had thrown, with the last error {@code <hook>: timed out after <N> ms}. The
 * runtime interrupts the hook's thread, leaves it to finish on its own under the name
 * {@code cohort-plugins-abandoned-<plugin>}, and goes on with the other plugins on a new thread. What the hook
 * returns or throws after the timeout is ignored. Until it returns, the runtime calls no other hook on the same
 * plugin object: an activation that reuses the object fails instead. An unregistration of the plugin's service
 * waits at most the rest of the timeout for a running hook, so stopping the bundle and stopping the node go on.
 * {@link #handleSyncMessage} has no such timeout.
 *
 * <p><b>Warning:</b> the runtime cannot stop a hook that ignores interrupts: its thread, and whatever the hook holds,
 * stays in use until the hook returns. Restart the bundle of a timed-out plugin to load it again.
 */
@ConsumerType
public interface Plugin {

    /** Service property with the plugin name. */
    String NAME_PROPERTY = "cohort.plugin.name";

    /** Service property with the names of plugins this plugin needs loaded first. */
    String DEPENDENCIES_PROPERTY = "cohort.plugin.dependencies";

    /**
     * Prepares the plugin: register handlers here so they are active before {@link #load} runs. While the node starts
     * (within its {@code pubsub.start.window.ms} of joining the cluster, one minute by default), a subscription opened
     * here first receives the messages of its channel published since the node joined, so none sent while the node
     * was still loading is missed.
     */
    default void beforeLoad(PluginContext context) throws Exception {
    }

    /** Starts the plugin's work. */
    void load(PluginContext context) throws Exception;

    /** Stops the plugin's work. Resources the plugin registered through Cohort are released after it returns. */
    default void unload(PluginContext context) throws Exception {
    }

    /**
     * Handles a sync message that the same plugin on another node sent with {@link PluginContext#sendSync}. It runs
     * on a delivery thread, one message at a time; an exception is logged with the plugin and channel, and counted.
     */
    default void handleSyncMessage(SyncMessage message) throws Exception {
    }
}
