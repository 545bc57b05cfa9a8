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
 * <p>Hooks run on the runtime's lifecycle thread, one plugin at a time, so a slow hook delays other plugins. A hook
 * that throws marks this plugin {@code FAILED}: the error is logged and shown by {@code cohort:plugins}, what the
 * plugin registered is released, and every other plugin keeps running.
 */
@ConsumerType
public interface Plugin {

    /** Service property with the plugin name. */
    String NAME_PROPERTY = "cohort.plugin.name";

    /** Service property with the names of plugins this plugin needs loaded first. */
    String DEPENDENCIES_PROPERTY = "cohort.plugin.dependencies";

    /** Prepares the plugin: register handlers here so they are active before {@link #load} runs. */
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
