package io.cohort.core.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import io.cohort.api.cache.Cache;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.cache.Counter;
import io.cohort.api.spi.CacheStoreAdapter;
import io.cohort.core.adapter.AdapterRegistry;
import io.cohort.core.json.JsonCodec;
import io.cohort.core.node.Names;
import io.cohort.core.node.NodeSettings;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caches of this node, shared by every plugin: each {@link BundleCacheManager} view delegates here.
 *
 * <p>A cache lives until the core stops, because other plugins and nodes may use it after the plugin that created
 * it is gone. Cache creation is serialized, so the checks for equal options and for a free prefix take every
 * other creation into account. Reads and writes of entries are not serialized.
 */
@Component(service = CacheService.class)
public final class CacheService {

    private static final Logger LOG = LoggerFactory.getLogger(CacheService.class);

    private final NodeSettings settings;
    private final AdapterRegistry<CacheStoreAdapter> stores = new AdapterRegistry<>("cache store");
    private final JsonCodec codec = new JsonCodec();
    private final Map<String, RegionCache> caches = new ConcurrentHashMap<>();
    private final Map<String, StoreCounter> counters = new ConcurrentHashMap<>();

    @Activate
    public CacheService(@Reference(name = "settings") NodeSettings settings) {
        this.settings = settings;
        LOG.info("Cache service started on node {} with default store {}", settings.nodeId(), settings.cacheStore());
    }

    @Reference(name = "stores", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeStore")
    public void addStore(CacheStoreAdapter store, Map<String, ?> properties) {
        stores.add(store, properties);
    }

    public void removeStore(CacheStoreAdapter store, Map<String, ?> properties) {
        stores.remove(store, properties);
    }

    @Deactivate
    void deactivate() {
        LOG.info("Cache service stopped on node {}; {} caches closed", settings.nodeId(), caches.size());
        caches.clear();
    }

    /**
     * Creates a cache, or returns the existing one of that name when its options are equal. A {@code null} store and
     * the name of the node's default store count as equal.
     *
     * @throws IllegalArgumentException as {@link io.cohort.api.cache.CacheManager#createCache} states
     * @throws IllegalStateException if the options name no store and the node's default store is not registered
     */
    public synchronized Cache createCache(CacheOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("cache options are null; build them with CacheOptions.builder(name)");
        }
        String name = Names.requireName("cache name", options.name());
        String prefix = Names.requireName("cache '" + name + "' prefix", options.prefix());
        options.ttl().ifPresent(ttl -> RegionCache.requireTtl(() -> "default ttl of cache '" + name + "'", ttl));
        if (options.maxEntries() < 0) {
            throw new IllegalArgumentException("maxEntries " + options.maxEntries() + " of cache '" + name
                    + "' is negative; expected 0 for no limit or a positive count");
        }
        String store = resolveStore("cache '" + name + "'", options.store());

        RegionCache existing = caches.get(name);
        if (existing != null) {
            return requireSameOptions(existing, options, store);
        }
        requireFreePrefix(name, prefix, store);

        RegionCache cache = new RegionCache(options, store, settings.scoped(prefix), stores, codec);
        cache.open();
        caches.put(name, cache);
        LOG.info("Cache {} created on node {} in store {} (region {}, default ttl {}, maxEntries {})", name,
                settings.nodeId(), store, cache.regionName(), options.ttl().map(Object::toString).orElse("none"),
                options.maxEntries());
        return cache;
    }

    /** Returns the cache named {@code name}, if one was created on this node. */
    public Optional<Cache> getCache(String name) {
        return Optional.ofNullable(caches.get(Names.requireName("cache name", name)));
    }

    /** Returns the names of the caches created on this node, sorted. */
    public Set<String> cacheNames() {
        return new TreeSet<>(caches.keySet());
    }

    /** Returns the names of the registered cache stores, sorted. */
    public Set<String> storeNames() {
        return stores.names();
    }

    /**
     * Clears every region of this node's application ({@code <app>:}) in every registered store, as
     * {@link io.cohort.api.cache.CacheManager#flushAll()} states.
     */
    public void flushAll() {
        String regionPrefix = settings.scoped("");
        for (String name : stores.names()) {
            stores.find(name).ifPresent(store -> {
                int cleared = store.clearRegions(regionPrefix);
                LOG.info("Flushed {} cache regions of application {} in store {} from node {}", cleared,
                        settings.appName(), name, settings.nodeId());
            });
        }
    }

    /**
     * Returns the counter {@code name} in the node's default store, creating its view on first use, as
     * {@link io.cohort.api.cache.CacheManager#createCounter(String, Duration)} states.
     *
     * @param ttl the counter's ttl, or {@code null} for none
     */
    public synchronized Counter createCounter(String name, Duration ttl) {
        Names.requireName("counter name", name);
        if (ttl != null) {
            RegionCache.requireTtl(() -> "ttl of counter '" + name + "'", ttl);
        }
        StoreCounter existing = counters.get(name);
        if (existing != null) {
            if (!existing.ttl().equals(Optional.ofNullable(ttl))) {
                throw new IllegalArgumentException("counter '" + name + "' already exists with ttl "
                        + existing.ttl().map(Object::toString).orElse("none") + "; requested "
                        + (ttl == null ? "none" : ttl) + "; use the same ttl or another counter name");
            }
            return existing;
        }
        String store = resolveStore("counter '" + name + "'", null);

        StoreCounter counter = new StoreCounter(name, settings.scoped(name), ttl, store, stores);
        counters.put(name, counter);
        LOG.info("Counter {} created on node {} in store {} (ttl {})", name, settings.nodeId(), store,
                ttl == null ? "none" : ttl);
        return counter;
    }

    /** Returns the caches of this node with their counters, for the operator shell. */
    public Collection<RegionCache> caches() {
        return new ArrayList<>(caches.values());
    }

    private String resolveStore(String owner, String requested) {
        if (requested != null) {
            stores.require(requested);
            return requested;
        }
        String configured = settings.cacheStore();
        if (stores.find(configured).isEmpty()) {
            throw new IllegalStateException("cache.store '" + configured + "', the default store of " + owner
                    + ", is not registered; registered: " + stores.names());
        }
        return configured;
    }

    private static RegionCache requireSameOptions(RegionCache existing, CacheOptions requested, String store) {
        CacheOptions current = existing.options();
        boolean same = current.prefix().equals(requested.prefix()) && existing.store().equals(store)
                && current.ttl().equals(requested.ttl()) && current.maxEntries() == requested.maxEntries();
        if (!same) {
            throw new IllegalArgumentException("cache '" + current.name() + "' already exists with " + current
                    + " in store " + existing.store() + "; requested " + requested
                    + "; use the same options or another cache name");
        }
        return existing;
    }

    private void requireFreePrefix(String name, String prefix, String store) {
        for (RegionCache other : caches.values()) {
            if (other.store().equals(store) && other.options().prefix().equals(prefix)) {
                throw new IllegalArgumentException("prefix '" + prefix + "' of cache '" + name
                        + "' is already used by cache '" + other.name() + "' in store " + store
                        + "; choose another prefix");
            }
        }
    }
}
