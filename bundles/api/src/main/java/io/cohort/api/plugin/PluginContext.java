package io.cohort.api.plugin;

import io.cohort.api.sync.SyncOptions;

import org.osgi.annotation.versioning.ProviderType;

/** What the runtime gives a plugin in its lifecycle hooks. */
@ProviderType
public interface PluginContext {

    /** Returns the plugin name from the {@value Plugin#NAME_PROPERTY} service property. */
    String pluginName();

    /** Returns the application name, {@code app.name} in the node configuration. */
    String appName();

    /** Returns this node's id. */
    String nodeId();

    /**
     * Sends {@code message} to this plugin's {@link Plugin#handleSyncMessage} on every other node, on a channel
     * scoped to the application and this plugin's name.
     *
     * @throws IllegalArgumentException if the channel is invalid, or the message is null or cannot be written as JSON
     */
    void sendSync(String channel, Object message);

    /** Like {@link #sendSync(String, Object)}, after the transaction in {@code options} commits if there is one. */
    void sendSync(String channel, Object message, SyncOptions options);
}
