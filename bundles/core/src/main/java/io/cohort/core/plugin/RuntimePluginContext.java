package io.cohort.core.plugin;

import io.cohort.api.plugin.PluginContext;
import io.cohort.api.sync.SyncOptions;
import io.cohort.core.node.Names;
import io.cohort.core.node.NodeSettings;
import io.cohort.core.sync.PluginSync;

/** The context of one plugin: its name, the node's identity, and its sync channel. */
final class RuntimePluginContext implements PluginContext {

    private final String pluginName;
    private final NodeSettings settings;
    private final PluginSync sync;

    RuntimePluginContext(String pluginName, NodeSettings settings, PluginSync sync) {
        this.pluginName = pluginName;
        this.settings = settings;
        this.sync = sync;
    }

    @Override
    public String pluginName() {
        return pluginName;
    }

    @Override
    public String appName() {
        return settings.appName();
    }

    @Override
    public String nodeId() {
        return settings.nodeId();
    }

    @Override
    public void sendSync(String channel, Object message) {
        sendSync(channel, message, SyncOptions.immediate());
    }

    @Override
    public void sendSync(String channel, Object message, SyncOptions options) {
        Names.requireName("sync channel", channel);
        if (options == null) {
            throw new IllegalArgumentException("sync options are null; use SyncOptions.immediate() to send at once");
        }
        sync.sendPlugin(pluginName, channel, message, options);
    }

    @Override
    public String toString() {
        return "PluginContext[plugin=" + pluginName + ", app=" + settings.appName() + ", node=" + settings.nodeId()
                + "]";
    }
}
