package io.cohort.core.sync;

import io.cohort.api.pubsub.Subscription;
import io.cohort.api.sync.SyncHandler;
import io.cohort.api.sync.SyncOptions;

/**
 * The sync channel of each plugin, used by the plugin runtime: messages a plugin sends with
 * {@code PluginContext.sendSync} reach the {@code handleSyncMessage} hook of the plugin with the same name on every
 * other node.
 */
public interface PluginSync {

    /** Delivers to {@code handler} every sync message that plugin {@code pluginName} sends from another node. */
    Subscription subscribePlugin(String pluginName, SyncHandler handler);

    /** Sends {@code message} on {@code channel} of plugin {@code pluginName}, honouring the options' transaction. */
    void sendPlugin(String pluginName, String channel, Object message, SyncOptions options);
}
