package io.cohort.api.node;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/** The identity and state of this node, for operators and for plugins that report on the node. */
@ProviderType
public interface CohortNode {

    /** Returns this node's id, stable across restarts of the same node home. */
    String nodeId();

    /** Returns the application name that scopes every channel, cache key and lock key. */
    String appName();

    /** Returns when the node's core started. */
    Instant startedAt();

    /** Returns the configured adapter of each manager, keyed by {@code cache}, {@code pubsub}, {@code queue} and
     * {@code lock}, with {@code " (not registered)"} appended where no such adapter is registered. */
    Map<String, String> adapters();

    /**
     * Returns the consistency mode that the configured lock adapter reports ({@link
     * io.cohort.api.spi.LockAdapter#mode()}), for example {@code in-process} or {@code raft (cp.member.count=3)};
     * empty when that adapter is not registered or reports no mode.
     */
    default String lockMode() {
        return "";
    }

    /**
     * Returns the event queue channels whose tasks this node runs (setting {@code queue.consume}): {@code all},
     * {@code none}, or the channels separated by commas.
     */
    default String queueRole() {
        return "all";
    }

    /**
     * Returns the plugins, in load order, then the plugins not loaded. A plugin whose service is gone, for example
     * because its bundle is stopped or being updated, stays listed with its state and last error until its bundle is
     * uninstalled or a service registers a plugin of the same name.
     */
    List<PluginInfo> plugins();

    /**
     * Returns the configured adapters that plugins wait for, keyed by their setting in {@code etc/io.cohort.core.cfg}
     * ({@code cache.store}, {@code pubsub.adapter}, {@code queue.adapter}, {@code lock.adapter}) with the configured
     * name as value. No plugin loads, and {@link #plugins()} stays empty, until every configured adapter has
     * registered once. Empty once plugins load.
     */
    default Map<String, String> awaitedAdapters() {
        return Map.of();
    }

    /** Returns the names of the registered adapters of each adapter setting, keyed as {@link #awaitedAdapters()}. */
    default Map<String, List<String>> registeredAdapters() {
        return Map.of();
    }

    /**
     * Returns the plugin services that wait for {@link #awaitedAdapters()}, as {@code <plugin> (<bundle> [<id>])}.
     * Empty once plugins load.
     */
    default List<String> waitingPlugins() {
        return List.of();
    }

    /**
     * Returns how many live resources each manager holds for plugins on this node, keyed by names such as
     * {@code pubsub.subscriptions}, {@code sync.subscriptions}, {@code queue.consumers}, {@code queue.running},
     * {@code pubsub.debounce.pending} and {@code lock.held}. Operators and tests use it to see that nothing leaks.
     */
    Map<String, Long> resources();
}
