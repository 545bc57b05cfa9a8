package io.cohort.core.plugin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.cohort.api.node.PluginInfo;
import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.Subscription;
import io.cohort.api.sync.SyncHandler;
import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.CacheStoreAdapter;
import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.api.spi.LockAdapter;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.core.node.HeldResources;
import io.cohort.core.node.NodeSettings;
import io.cohort.core.sync.PluginSync;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads and unloads the {@link Plugin} services of every bundle.
 *
 * <p>A service tracker feeds registrations to a {@link PluginScheduler}, whose lifecycle thread
 * {@value PluginScheduler#THREAD_NAME} runs every hook on a hook thread ({@value HookRunner#THREAD_PREFIX}N) and
 * waits for it at most the hook timeout. An unregistration blocks the unregistering thread until the plugin has
 * unloaded, so a plugin's {@code unload} hook runs while its bundle's services are still usable. When the framework
 * stops, a synchronous listener on the system bundle's {@code STOPPING} event unloads every plugin in reverse load
 * order before any bundle stops.
 *
 * <p>{@link #plugins()} keeps a plugin whose service is gone, with its state and last error, so that an operator sees
 * why a stopped or updating bundle's plugin does not run. The same bundle listener drops a bundle's plugins from the
 * list on that bundle's {@code UNINSTALLED} event.
 *
 * <p>The hook timeout is the framework property {@value #HOOK_TIMEOUT_PROPERTY}, in milliseconds, default 20000 (below
 * the 30 seconds the launcher waits for a node to stop), read when the runtime starts. It bounds each call of plugin
 * code: the hooks {@code beforeLoad}, {@code load} and {@code unload}, and getting and releasing the plugin's service,
 * which activates and deactivates its component. A call that runs longer marks its plugin {@code FAILED} with the last
 * error {@code <hook>: timed out after N ms}, and its thread is interrupted and left to finish as {@value
 * HookRunner#ABANDONED_PREFIX}{@code <plugin>}. Too low, and a healthy but slow hook (one that opens a database or
 * waits for the cluster) fails and stays failed until its bundle restarts. Too high, and a hook that hangs holds back
 * every plugin registered after it, and delays bundle stops (FileInstall included) and the node stop by up to the
 * timeout. The same value limits how long an unregistration waits while a step runs Cohort code without a plugin call
 * in between. After that the unregistration stops waiting, and the step finishes later.
 *
 * <p>Plugins load only once the adapter that the node configuration names for each manager is registered, so a plugin
 * never runs its hooks against a cluster adapter that is still starting. Until then the runtime tracks plugin
 * services without loading them.
 *
 * <p><b>Warning:</b> an unregistration waits for the hook that is running. If that hook waits for a service whose
 * component the unregistering thread is deactivating, both threads wait on each other until the hook times out,
 * which fails its plugin. While it waits, the runtime logs a WARN naming both steps every 10 seconds.
 */
@Component(service = PluginRuntime.class, immediate = true)
public class PluginRuntime {

    /** The framework property with the hook timeout in milliseconds. */
    static final String HOOK_TIMEOUT_PROPERTY = "cohort.plugin.hook.timeout.ms";

    /** The hook timeout, in milliseconds, when {@value #HOOK_TIMEOUT_PROPERTY} is not set or invalid. */
    static final long DEFAULT_HOOK_TIMEOUT_MS = 20_000;

    private static final Logger LOG = LoggerFactory.getLogger(PluginRuntime.class);
    private static final Duration WAIT_WARNING = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /** How long plugins may wait for the configured adapters before the runtime warns. */
    static final Duration ADAPTER_WAIT_WARNING = Duration.ofSeconds(30);

    /** Names of the adapters that Cohort's own bundles register: the in-process ones and the Hazelcast ones. */
    static final List<String> SHIPPED_ADAPTERS = List.of(Adapters.MEMORY, Adapters.HAZELCAST);

    @Reference
    private NodeSettings settings;

    @Reference
    private PluginSync pluginSync;

    private BundleContext context;
    private PluginScheduler scheduler;
    private ServiceTracker<Plugin, TrackedPlugin> tracker;
    private SynchronousBundleListener bundleListener;
    private ServiceTracker<Object, Object> adapterTracker;
    private boolean pluginsTracked;
    private Map<String, String> lastMissing = Map.of();
    private ScheduledExecutorService adapterWaitTimer;

    /** Creates the runtime that DS activates. */
    public PluginRuntime() {
    }

    /** Creates a runtime that is not activated and feeds {@code scheduler}, for tests of the service tracking. */
    PluginRuntime(PluginScheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Activate
    void activate(BundleContext bundleContext) {
        context = bundleContext;
        Duration hookTimeout = hookTimeout(context.getProperty(HOOK_TIMEOUT_PROPERTY));
        scheduler = new PluginScheduler(new SyncHost(), WAIT_WARNING, hookTimeout);
        bundleListener = this::onBundleEvent;
        context.addBundleListener(bundleListener);
        tracker = new ServiceTracker<>(context, Plugin.class, new PluginTracker());
        adapterTracker = new ServiceTracker<>(context, adapterFilter(), new AdapterTracker());
        adapterTracker.open();
        adapterWaitTimer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "cohort-plugin-adapter-wait");
            thread.setDaemon(true);
            return thread;
        });
        adapterWaitTimer.schedule(this::warnIfStillWaiting, ADAPTER_WAIT_WARNING.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("Plugin runtime started on node {} for application {} with a hook timeout of {} ms",
                settings.nodeId(), settings.appName(), hookTimeout.toMillis());
        startTrackingPluginsWhenAdaptersReady();
        warnAboutUnknownAdapterNames();
    }

    /** Parses the value of {@value #HOOK_TIMEOUT_PROPERTY}, and returns the default for a missing or invalid value. */
    static Duration hookTimeout(String value) {
        if (value == null || value.isBlank()) {
            return Duration.ofMillis(DEFAULT_HOOK_TIMEOUT_MS);
        }
        try {
            long millis = Long.parseLong(value.trim());
            if (millis >= 1) {
                return Duration.ofMillis(millis);
            }
        } catch (NumberFormatException e) {
            // Reported below, like a value that is too small.
        }
        LOG.warn("Framework property {} is '{}', which is not a whole number of milliseconds of at least 1; using "
                + "the default of {} ms", HOOK_TIMEOUT_PROPERTY, value, DEFAULT_HOOK_TIMEOUT_MS);
        return Duration.ofMillis(DEFAULT_HOOK_TIMEOUT_MS);
    }

    /** Opens the plugin tracker once every configured adapter is registered. Runs on service event threads. */
    private synchronized void startTrackingPluginsWhenAdaptersReady() {
        if (pluginsTracked || adapterTracker == null) {
            return;
        }
        Map<String, String> missing = missingAdapters();
        if (!missing.isEmpty()) {
            if (!missing.equals(lastMissing)) {
                lastMissing = missing;
                LOG.info("Node {} waits for adapters {} before loading plugins; registered now: {}",
                        settings.nodeId(), missing, registeredAdapters());
            }
            return;
        }
        pluginsTracked = true;
        tracker.open();
        LOG.info("Node {} has its adapters registered; loading plugins", settings.nodeId());
    }

    /**
     * Logs a WARN at once for each configured adapter name that is neither registered nor one of the adapters that
     * Cohort ships, which is most likely a misspelling. A third-party adapter of that name may still register later,
     * so plugins keep waiting for it.
     */
    private void warnAboutUnknownAdapterNames() {
        Map<String, String> missing = missingAdapters();
        unknownAdapterNames(missing).forEach((setting, name) -> LOG.warn("Node {}: {}={} in etc/io.cohort.core.cfg "
                + "names no registered adapter and none that Cohort ships ({}); plugins load only once an adapter "
                + "named '{}' registers. Fix the name unless a third-party adapter of that name is still starting",
                settings.nodeId(), setting, name, String.join(", ", SHIPPED_ADAPTERS), name));
    }

    /** Returns the entries of {@code configured} whose adapter name is not one of {@link #SHIPPED_ADAPTERS}. */
    static Map<String, String> unknownAdapterNames(Map<String, String> configured) {
        Map<String, String> unknown = new LinkedHashMap<>();
        configured.forEach((setting, name) -> {
            if (!SHIPPED_ADAPTERS.contains(name)) {
                unknown.put(setting, name);
            }
        });
        return unknown;
    }

    /**
     * Logs a warning when plugins still wait for adapters {@link #ADAPTER_WAIT_WARNING} after the runtime started,
     * which usually means a misspelt adapter name in {@code etc/io.cohort.core.cfg}.
     */
    private synchronized void warnIfStillWaiting() {
        if (pluginsTracked || adapterTracker == null) {
            return;
        }
        LOG.warn("Node {} loads no plugins: after {} s adapters {} are still not registered, and the registered "
                + "ones are {}. Check the adapter names in etc/io.cohort.core.cfg", settings.nodeId(),
                ADAPTER_WAIT_WARNING.toSeconds(), missingAdapters(), registeredAdapters());
    }

    /**
     * Returns the configured adapters that plugins wait for before any plugin loads, keyed by setting
     * ({@code queue.adapter}) with the configured name as value. Empty once plugins load: an adapter that
     * unregisters later does not unload them.
     */
    public synchronized Map<String, String> awaitedAdapters() {
        if (pluginsTracked || adapterTracker == null) {
            return Map.of();
        }
        return missingAdapters();
    }

    /**
     * Returns the plugin services that wait for {@link #awaitedAdapters()}, as {@code <plugin> (<bundle> [<id>])},
     * sorted. Empty once plugins load.
     */
    public synchronized List<String> waitingPlugins() {
        if (pluginsTracked || adapterTracker == null) {
            return List.of();
        }
        List<String> waiting = new ArrayList<>();
        try {
            ServiceReference<?>[] references = context.getServiceReferences(Plugin.class.getName(), null);
            for (ServiceReference<?> reference : references == null ? new ServiceReference<?>[0] : references) {
                Bundle bundle = reference.getBundle();
                if (bundle != null) {
                    waiting.add(reference.getProperty(Plugin.NAME_PROPERTY) + " (" + bundle.getSymbolicName() + " ["
                            + bundle.getBundleId() + "])");
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("a null filter cannot be invalid", e);
        }
        waiting.sort(null);
        return waiting;
    }

    /** Returns the names of the registered adapters for each adapter setting, sorted. */
    public Map<String, List<String>> registeredAdapters() {
        Map<String, List<String>> registered = new LinkedHashMap<>();
        for (AdapterSetting setting : configuredAdapters()) {
            List<String> names = new ArrayList<>();
            try {
                ServiceReference<?>[] references = context.getServiceReferences(setting.type().getName(),
                        "(" + Adapters.NAME_PROPERTY + "=*)");
                for (ServiceReference<?> reference : references == null ? new ServiceReference<?>[0] : references) {
                    names.add(String.valueOf(reference.getProperty(Adapters.NAME_PROPERTY)));
                }
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException("invalid adapter filter", e);
            }
            names.sort(null);
            registered.put(setting.setting(), names);
        }
        return registered;
    }

    /** Returns each adapter setting of the node configuration with its adapter SPI and configured name. */
    private List<AdapterSetting> configuredAdapters() {
        return List.of(
                new AdapterSetting("cache.store", CacheStoreAdapter.class, settings.cacheStore()),
                new AdapterSetting("pubsub.adapter", PubSubAdapter.class, settings.pubSubAdapter()),
                new AdapterSetting("queue.adapter", EventQueueAdapter.class, settings.queueAdapter()),
                new AdapterSetting("lock.adapter", LockAdapter.class, settings.lockAdapter()));
    }

    /** Returns the configured adapters that are not registered, keyed by setting, in the order of the settings. */
    private Map<String, String> missingAdapters() {
        Map<String, String> missing = new LinkedHashMap<>();
        for (AdapterSetting setting : configuredAdapters()) {
            String filter = "(" + Adapters.NAME_PROPERTY + "=" + setting.name() + ")";
            try {
                if (context.getServiceReferences(setting.type().getName(), filter) == null) {
                    missing.put(setting.setting(), setting.name());
                }
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException("adapter name " + setting.name() + " makes an invalid filter", e);
            }
        }
        return missing;
    }

    private Filter adapterFilter() {
        try {
            return context.createFilter("(" + Adapters.NAME_PROPERTY + "=*)");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("invalid adapter filter", e);
        }
    }

    @Deactivate
    void deactivate() {
        try {
            context.removeBundleListener(bundleListener);
        } catch (IllegalStateException e) {
            LOG.debug("Bundle context already invalid while removing the bundle listener", e);
        }
        scheduler.shutdown();
        adapterWaitTimer.shutdownNow();
        synchronized (this) {
            adapterTracker.close();
            adapterTracker = null;
        }
        tracker.close();
        scheduler.close(CLOSE_TIMEOUT);
        LOG.info("Plugin runtime stopped on node {}", settings.nodeId());
    }

    /**
     * Returns the plugins, the loaded ones in load order, then the others. A plugin whose service is gone stays until
     * its bundle is uninstalled or a service registers a plugin of the same name.
     */
    public List<PluginInfo> plugins() {
        return scheduler.plugins();
    }

    private void onBundleEvent(BundleEvent event) {
        long bundleId = event.getBundle().getBundleId();
        if (event.getType() == BundleEvent.STOPPING && bundleId == Constants.SYSTEM_BUNDLE_ID) {
            LOG.info("Framework is stopping; unloading plugins on node {}", settings.nodeId());
            scheduler.shutdown();
        } else if (event.getType() == BundleEvent.UNINSTALLED) {
            scheduler.bundleUninstalled(bundleId);
        }
    }

    /**
     * Returns the entry of a plugin service, or {@code null} when the service is already unregistered. Such a service
     * has no bundle any more, so an entry for it could never be matched to its bundle's {@code UNINSTALLED} event and
     * would stay in {@link #plugins()} for good.
     */
    private PluginEntry newEntry(ServiceReference<Plugin> reference) {
        Bundle bundle = reference.getBundle();
        if (bundle == null) {
            return null;
        }
        PluginEntry.BundleRef bundleRef = new PluginEntry.BundleRef(bundle.getSymbolicName(), bundle.getBundleId(),
                bundle.getVersion().toString());
        return PluginEntry.of(reference.getProperty(Plugin.NAME_PROPERTY),
                reference.getProperty(Plugin.DEPENDENCIES_PROPERTY), bundleRef, new ServicePlugin(reference));
    }

    /** An adapter setting of the node configuration, the adapter SPI it selects and the configured name. */
    private record AdapterSetting(String setting, Class<?> type, String name) {
    }

    /** The entry of one tracked service, replaced when the service's plugin properties change. */
    static final class TrackedPlugin {

        private volatile PluginEntry entry;

        TrackedPlugin(PluginEntry entry) {
            this.entry = entry;
        }
    }

    /** Starts loading plugins when the last configured adapter registers. */
    private final class AdapterTracker implements ServiceTrackerCustomizer<Object, Object> {

        @Override
        public Object addingService(ServiceReference<Object> reference) {
            startTrackingPluginsWhenAdaptersReady();
            return reference;
        }

        @Override
        public void modifiedService(ServiceReference<Object> reference, Object service) {
            startTrackingPluginsWhenAdaptersReady();
        }

        @Override
        public void removedService(ServiceReference<Object> reference, Object service) {
            // Plugins stay loaded: each manager call reports a missing adapter by itself.
        }
    }

    /**
     * Feeds service events to the scheduler. Never calls plugin hooks on the event thread. A service that is
     * unregistered before the tracker adds it is not tracked, so it gets no entry.
     */
    final class PluginTracker implements ServiceTrackerCustomizer<Plugin, TrackedPlugin> {

        @Override
        public TrackedPlugin addingService(ServiceReference<Plugin> reference) {
            PluginEntry entry = newEntry(reference);
            if (entry == null) {
                LOG.debug("Plugin service {} of plugin {} was unregistered before the runtime tracked it; ignoring it",
                        reference.getProperty(Constants.SERVICE_ID), reference.getProperty(Plugin.NAME_PROPERTY));
                return null;
            }
            scheduler.added(entry);
            return new TrackedPlugin(entry);
        }

        @Override
        public void modifiedService(ServiceReference<Plugin> reference, TrackedPlugin tracked) {
            PluginEntry current = tracked.entry;
            PluginEntry updated = newEntry(reference);
            if (updated == null) {
                // The service is being unregistered, and removedService follows.
                return;
            }
            if (current.name().equals(updated.name()) && current.dependencies().equals(updated.dependencies())
                    && Objects.equals(current.propertyError(), updated.propertyError())) {
                return;
            }
            LOG.info("Plugin service properties of {} changed; reloading it as {} with dependencies {}",
                    current.describe(), updated.name(), updated.dependencies());
            scheduler.removed(current);
            tracked.entry = updated;
            scheduler.added(updated);
        }

        @Override
        public void removedService(ServiceReference<Plugin> reference, TrackedPlugin tracked) {
            scheduler.removed(tracked.entry);
        }
    }

    /**
     * Gets the plugin object through the runtime's bundle context, on a hook thread. An abandoned {@link #get()} may
     * return on its own thread while the lifecycle thread releases the service, hence the atomic flag.
     */
    private final class ServicePlugin implements PluginEntry.PluginService {

        private final ServiceReference<Plugin> reference;
        private final AtomicBoolean obtained = new AtomicBoolean();

        ServicePlugin(ServiceReference<Plugin> reference) {
            this.reference = reference;
        }

        @Override
        public Plugin get() {
            Plugin plugin = context.getService(reference);
            if (plugin != null) {
                obtained.set(true);
            }
            return plugin;
        }

        @Override
        public int releaseHeldResources() {
            Bundle pluginBundle = reference.getBundle();
            BundleContext pluginContext = pluginBundle == null ? null : pluginBundle.getBundleContext();
            ServiceReference<?>[] registered = context.getBundle().getRegisteredServices();
            if (pluginContext == null || registered == null) {
                return 0;
            }
            int released = 0;
            for (ServiceReference<?> view : registered) {
                if (!Constants.SCOPE_BUNDLE.equals(view.getProperty(Constants.SERVICE_SCOPE))) {
                    continue;
                }
                // A bundle-scoped service returns the instance the plugin's bundle already uses, or a new one that
                // holds nothing and is deactivated again by ungetService.
                Object service = pluginContext.getService(view);
                try {
                    if (service instanceof HeldResources held) {
                        released += held.releaseHeld();
                    }
                } finally {
                    pluginContext.ungetService(view);
                }
            }
            return released;
        }

        @Override
        public void release() {
            if (!obtained.getAndSet(false)) {
                return;
            }
            try {
                context.ungetService(reference);
            } catch (IllegalStateException e) {
                LOG.debug("Bundle context already invalid while releasing plugin service {}", reference, e);
            }
        }
    }

    /** Connects plugins to the sync manager and the node settings. */
    private final class SyncHost implements PluginHost {

        @Override
        public Subscription subscribeSync(String pluginName, SyncHandler handler) {
            return pluginSync.subscribePlugin(pluginName, handler);
        }

        @Override
        public PluginContext contextFor(String pluginName) {
            return new RuntimePluginContext(pluginName, settings, pluginSync);
        }
    }
}
