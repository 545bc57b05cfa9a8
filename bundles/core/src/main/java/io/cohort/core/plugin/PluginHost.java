package io.cohort.core.plugin;

import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.Subscription;
import io.cohort.api.sync.SyncHandler;

/** The node services that the plugin lifecycle uses: sync delivery and the context handed to each hook. */
interface PluginHost {

    /** Starts delivering the sync messages of plugin {@code pluginName} to {@code handler}. */
    Subscription subscribeSync(String pluginName, SyncHandler handler);

    /** Returns the context that the hooks of plugin {@code pluginName} receive. */
    PluginContext contextFor(String pluginName);
}
