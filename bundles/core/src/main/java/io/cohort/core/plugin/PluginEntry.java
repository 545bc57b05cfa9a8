package io.cohort.core.plugin;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.cohort.api.node.PluginInfo;
import io.cohort.api.node.PluginState;
import io.cohort.api.plugin.Plugin;
import io.cohort.api.pubsub.Subscription;
import io.cohort.core.node.Names;

/**
 * One registered {@link Plugin} service as the runtime tracks it: its parsed service properties, its bundle, and its
 * lifecycle state.
 *
 * <p>The identity fields are fixed at registration. The lifecycle fields are written only by {@link PluginLifecycle}
 * on the lifecycle thread, while it holds the lifecycle's monitor, so that {@link PluginLifecycle#snapshot()} reads
 * consistent values from any thread. {@link #isWithdrawn()} is the one flag other threads set.
 */
final class PluginEntry {

    /** Shown as the name of a plugin service that has no {@value Plugin#NAME_PROPERTY} property. */
    static final String UNNAMED = "<unnamed>";

    private final String name;
    private final List<String> dependencies;
    private final String propertyError;
    private final BundleRef bundle;
    private final PluginService service;
    private volatile boolean withdrawn;

    private PluginState state;
    private String lastError;
    private long loadSequence;
    private Plugin plugin;
    private Subscription syncSubscription;

    private PluginEntry(String name, List<String> dependencies, String propertyError, BundleRef bundle,
            PluginService service) {
        this.name = name;
        this.dependencies = dependencies;
        this.propertyError = propertyError;
        this.bundle = bundle;
        this.service = service;
    }

    /**
     * Parses the service properties of a plugin service. Invalid properties do not throw: the entry records the
     * problem in {@link #propertyError()}, and the lifecycle marks it {@code FAILED}.
     *
     * @param nameProperty the value of {@value Plugin#NAME_PROPERTY}
     * @param dependenciesProperty the value of {@value Plugin#DEPENDENCIES_PROPERTY}: null, a String of
     *     comma-separated names, a String[] or a collection of Strings
     */
    static PluginEntry of(Object nameProperty, Object dependenciesProperty, BundleRef bundle, PluginService service) {
        String name;
        try {
            name = parseName(nameProperty);
        } catch (IllegalArgumentException e) {
            String displayName = nameProperty == null ? UNNAMED : Names.abbreviate(nameProperty.toString());
            return new PluginEntry(displayName, List.of(), e.getMessage(), bundle, service);
        }
        try {
            return new PluginEntry(name, parseDependencies(dependenciesProperty), null, bundle, service);
        } catch (IllegalArgumentException e) {
            return new PluginEntry(name, List.of(), e.getMessage(), bundle, service);
        }
    }

    private static String parseName(Object value) {
        if (value == null) {
            throw new IllegalArgumentException("service property " + Plugin.NAME_PROPERTY
                    + " is missing; set it to 1 to 64 characters from a-z 0-9 -");
        }
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException("service property " + Plugin.NAME_PROPERTY + " has type "
                    + value.getClass().getSimpleName() + "; expected a String");
        }
        return Names.requirePluginName(text);
    }

    private static List<String> parseDependencies(Object value) {
        List<String> raw = new ArrayList<>();
        if (value == null) {
            return List.of();
        } else if (value instanceof String text) {
            raw.addAll(List.of(text.split(",")));
        } else if (value instanceof String[] array) {
            raw.addAll(List.of(array));
        } else if (value instanceof Collection<?> collection) {
            for (Object element : collection) {
                raw.add(String.valueOf(element));
            }
        } else {
            throw new IllegalArgumentException("service property " + Plugin.DEPENDENCIES_PROPERTY + " has type "
                    + value.getClass().getSimpleName() + "; expected a String or String[] of plugin names");
        }
        List<String> names = new ArrayList<>();
        for (String dependency : raw) {
            String trimmed = dependency.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                Names.requirePluginName(trimmed);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("service property " + Plugin.DEPENDENCIES_PROPERTY + ": "
                        + e.getMessage(), e);
            }
            if (!names.contains(trimmed)) {
                names.add(trimmed);
            }
        }
        return List.copyOf(names);
    }

    /** Returns the plugin name, or a shortened raw value when the name property is invalid. */
    String name() {
        return name;
    }

    List<String> dependencies() {
        return dependencies;
    }

    /** Returns why the service properties are invalid, or null when they are valid. */
    String propertyError() {
        return propertyError;
    }

    BundleRef bundle() {
        return bundle;
    }

    PluginService service() {
        return service;
    }

    /** Returns whether the service has been unregistered. The flag is set before the unregistration is processed. */
    boolean isWithdrawn() {
        return withdrawn;
    }

    void markWithdrawn() {
        withdrawn = true;
    }

    PluginState state() {
        return state;
    }

    void state(PluginState newState) {
        state = newState;
    }

    String lastError() {
        return lastError;
    }

    void lastError(String error) {
        lastError = error;
    }

    /** Returns the position of the latest load among all loads of the runtime, or 0 if it never loaded. */
    long loadSequence() {
        return loadSequence;
    }

    void loadSequence(long sequence) {
        loadSequence = sequence;
    }

    Plugin plugin() {
        return plugin;
    }

    void plugin(Plugin instance) {
        plugin = instance;
    }

    Subscription syncSubscription() {
        return syncSubscription;
    }

    void syncSubscription(Subscription subscription) {
        syncSubscription = subscription;
    }

    /** Returns the plugin and its bundle for log messages: {@code name (bundle bsn [id] version)}. */
    String describe() {
        return name + " (bundle " + bundle.symbolicName() + " [" + bundle.id() + "] " + bundle.version() + ")";
    }

    PluginInfo toInfo() {
        return new PluginInfo(name, bundle.symbolicName(), bundle.id(), bundle.version(), state, lastError);
    }

    /**
     * The bundle that registered the plugin service.
     *
     * @param symbolicName the bundle symbolic name
     * @param id the bundle id
     * @param version the bundle version
     */
    record BundleRef(String symbolicName, long id, String version) {
    }

    /** Gets and releases the plugin object behind a service registration. */
    interface PluginService {

        /** Returns the plugin object, or null when the service is gone or its component failed to activate. */
        Plugin get();

        /** Releases the object that {@link #get()} returned, and does nothing if it returned none. */
        void release();

        /**
         * Releases what the plugin's bundle holds through the per-bundle managers (subscriptions, consumers, locks)
         * while the bundle keeps running, and returns how many resources were released.
         */
        default int releaseHeldResources() {
            return 0;
        }
    }
}
