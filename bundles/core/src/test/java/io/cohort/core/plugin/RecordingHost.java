package io.cohort.core.plugin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.cohort.api.node.PluginInfo;
import io.cohort.api.node.PluginState;
import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.Subscription;
import io.cohort.api.sync.SyncHandler;
import io.cohort.api.sync.SyncOptions;

/**
 * A plugin host for tests: records {@code <name>.sync.open} and {@code <name>.sync.close} in the shared event list,
 * and creates recording plugins and their entries.
 */
final class RecordingHost implements PluginHost {

    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, SyncHandler> syncHandlers = new ConcurrentHashMap<>();
    private final AtomicLong nextBundleId = new AtomicLong(1);
    private volatile RuntimeException syncFailure;

    /** Returns a copy of the events recorded so far, in order. */
    List<String> events() {
        return List.copyOf(events);
    }

    /** Records an event from the test itself, to order it against the hooks. */
    void record(String event) {
        events.add(event);
    }

    /** Makes the next sync subscriptions throw {@code failure}. */
    void failSyncWith(RuntimeException failure) {
        syncFailure = failure;
    }

    /** Returns the sync handler currently subscribed for {@code pluginName}, or null. */
    SyncHandler syncHandler(String pluginName) {
        return syncHandlers.get(pluginName);
    }

    RecordingPlugin plugin(String name) {
        return new RecordingPlugin(name, events);
    }

    /** Returns an entry for {@code plugin} with plugin name {@code name}, from a bundle with a new id. */
    PluginEntry entry(String name, Plugin plugin, Object dependencies) {
        return entry(name, new FixedService(plugin), dependencies);
    }

    PluginEntry entry(Object name, PluginEntry.PluginService service, Object dependencies) {
        return entryInBundle(name, service, dependencies, nextBundleId.getAndIncrement());
    }

    /** Returns an entry from the bundle with id {@code bundleId}, so that tests can put two plugins in one bundle. */
    PluginEntry entryInBundle(Object name, PluginEntry.PluginService service, Object dependencies, long bundleId) {
        return PluginEntry.of(name, dependencies,
                new PluginEntry.BundleRef("test.bundle" + bundleId, bundleId, "1.0.0"), service);
    }

    @Override
    public Subscription subscribeSync(String pluginName, SyncHandler handler) {
        RuntimeException failure = syncFailure;
        if (failure != null) {
            throw failure;
        }
        events.add(pluginName + ".sync.open");
        syncHandlers.put(pluginName, handler);
        return new Subscription() {
            private boolean active = true;

            @Override
            public String channel() {
                return pluginName;
            }

            @Override
            public boolean isActive() {
                return active;
            }

            @Override
            public void close() {
                if (active) {
                    active = false;
                    syncHandlers.remove(pluginName, handler);
                    events.add(pluginName + ".sync.close");
                }
            }
        };
    }

    @Override
    public PluginContext contextFor(String pluginName) {
        return new PluginContext() {
            @Override
            public String pluginName() {
                return pluginName;
            }

            @Override
            public String appName() {
                return "test-app";
            }

            @Override
            public String nodeId() {
                return "test-node";
            }

            @Override
            public void sendSync(String channel, Object message) {
                sendSync(channel, message, SyncOptions.immediate());
            }

            @Override
            public void sendSync(String channel, Object message, SyncOptions options) {
                events.add(pluginName + ".sendSync." + channel);
            }
        };
    }

    /** Returns the state of plugin {@code name} in {@code infos}, or null if it is not there. */
    static PluginState stateIn(List<PluginInfo> infos, String name) {
        return infos.stream().filter(info -> info.name().equals(name)).findFirst()
                .map(PluginInfo::state).orElse(null);
    }

    /** A plugin service that returns a fixed object and counts how many times it is held now. */
    static final class FixedService implements PluginEntry.PluginService {

        private final Plugin plugin;
        private final AtomicLong holdCount = new AtomicLong();
        private final AtomicLong heldResourceReleases = new AtomicLong();

        FixedService(Plugin plugin) {
            this.plugin = plugin;
        }

        @Override
        public Plugin get() {
            if (plugin != null) {
                holdCount.incrementAndGet();
            }
            return plugin;
        }

        @Override
        public void release() {
            if (plugin != null && holdCount.get() > 0) {
                holdCount.decrementAndGet();
            }
        }

        @Override
        public int releaseHeldResources() {
            heldResourceReleases.incrementAndGet();
            return 1;
        }

        long holdCount() {
            return holdCount.get();
        }

        long heldResourceReleases() {
            return heldResourceReleases.get();
        }
    }
}
