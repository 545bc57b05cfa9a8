package io.cohort.api.cache;

import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Creates and looks up the named caches of the calling application.
 *
 * <p>Each plugin bundle receives its own instance of this service. Caches are shared: two plugins that create a cache
 * with the same name and options get views of the same entries, and so do the same plugins on other nodes when the
 * store is a cluster store. Every key is stored under {@code <app.name>:<prefix>:<key>}.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
@ProviderType
public interface CacheManager {

    /**
     * Creates the cache that {@code options} describes, or returns the existing cache of that name when its options
     * are equal.
     *
     * @throws IllegalArgumentException if the name, prefix or store is invalid, if the store is not registered (the
     *     message lists the registered stores), if a cache of that name exists with other options, or if another cache
     *     on the same store already uses the prefix
     * @throws IllegalStateException if the options name no store and the node's default store (setting
     *     {@code cache.store}) is not registered
     */
    Cache createCache(CacheOptions options);

    /** Returns the cache created under {@code name}, by any plugin of this node, or empty if there is none. */
    Optional<Cache> getCache(String name);

    /** Returns the names of the caches created on this node. */
    Set<String> cacheNames();

    /** Returns the names of the registered cache stores, for example {@code memory}. */
    Set<String> storeNames();
}
