package io.cohort.core.adapter;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import io.cohort.api.spi.Adapters;

/**
 * The adapters of one kind that are registered now, by their {@value Adapters#NAME_PROPERTY} property. Managers fill
 * it from dynamic DS references and look the configured adapter up on each call, so an adapter that registers late
 * is picked up without restarting the manager.
 *
 * @param <A> the adapter type
 */
public final class AdapterRegistry<A> {

    private final String kind;
    private final Map<String, A> adapters = new ConcurrentHashMap<>();

    /** @param kind what the adapters are for, in messages: {@code cache store}, {@code pub/sub adapter} */
    public AdapterRegistry(String kind) {
        this.kind = kind;
    }

    /** Adds an adapter from its service properties; adapters without a name are ignored. */
    public void add(A adapter, Map<String, ?> properties) {
        Object name = properties.get(Adapters.NAME_PROPERTY);
        if (name != null) {
            adapters.put(name.toString(), adapter);
        }
    }

    /** Removes an adapter that is being unregistered. */
    public void remove(A adapter, Map<String, ?> properties) {
        Object name = properties.get(Adapters.NAME_PROPERTY);
        if (name != null) {
            adapters.remove(name.toString(), adapter);
        }
    }

    /** Returns the adapter registered as {@code name}, if any. */
    public Optional<A> find(String name) {
        return Optional.ofNullable(adapters.get(name));
    }

    /**
     * Returns the adapter registered as {@code name}.
     *
     * @throws IllegalArgumentException naming the value and the registered adapters, if none has that name
     */
    public A require(String name) {
        A adapter = adapters.get(name);
        if (adapter == null) {
            throw new IllegalArgumentException(kind + " '" + name + "' is not registered; registered: " + names());
        }
        return adapter;
    }

    /** Returns the registered names, sorted. */
    public Set<String> names() {
        return new TreeSet<>(adapters.keySet());
    }
}
