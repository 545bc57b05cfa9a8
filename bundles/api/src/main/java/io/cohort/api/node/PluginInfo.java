package io.cohort.api.node;

/**
 * A plugin as the runtime sees it.
 *
 * @param name the plugin name
 * @param bundleSymbolicName the symbolic name of the plugin's bundle
 * @param bundleId the id of the plugin's bundle
 * @param version the version of the plugin's bundle
 * @param state the lifecycle state
 * @param lastError the last error of a hook as {@code <hook>: <exception>}, or {@code null}
 */
public record PluginInfo(String name, String bundleSymbolicName, long bundleId, String version, PluginState state,
        String lastError) {
}
