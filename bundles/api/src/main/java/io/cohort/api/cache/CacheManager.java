package io.cohort.api.cache;

import java.time.Duration;
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

    /**
     * Deletes every entry of every cache of the calling application in every registered store, on every node that
     * shares the store, including caches that only other nodes created. Caches of other applications and
     * {@linkplain #createCounter(String) counters} are left as they are. The caches stay usable.
     *
     * <p><b>Warning:</b> not atomic: a write made while this runs may survive it.
     */
    void flushAll();

    /**
     * Returns the counter {@code name} of the application, without a ttl, kept in the node's default cache store.
     * Counters share no names with caches. Calling this again with the same name returns a view of the same value.
     *
     * @throws IllegalArgumentException if the name is invalid ({@code A-Z a-z 0-9 . _ - : /}, 1 to 200 characters),
     *     or a counter of that name was created on this node with a ttl
     * @throws IllegalStateException if the node's default cache store (setting {@code cache.store}) is not registered
     */
    Counter createCounter(String name);

    /**
     * Returns the counter {@code name} of the application, whose value expires {@code ttl} after the increment that
     * started it, as {@link Counter} describes.
     *
     * @throws IllegalArgumentException if the name is invalid, the ttl is shorter than 1 ms, or a counter of that
     *     name was created on this node with another ttl
     * @throws IllegalStateException if the node's default cache store is not registered
     */
    Counter createCounter(String name, Duration ttl);
}
