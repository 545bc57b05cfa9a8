package io.cohort.core.cache;

import java.time.Duration;
import java.util.Optional;

import io.cohort.api.cache.Counter;
import io.cohort.api.spi.CacheStoreAdapter;
import io.cohort.core.adapter.AdapterRegistry;

/**
 * A counter kept in a cache store under {@code <app>:<name>}. The store is looked up on each call, so a store that
 * registers again is used from the next call on, and one that is gone makes calls fail with
 * {@link IllegalStateException} naming it.
 */
final class StoreCounter implements Counter {

    private final String name;
    private final String fullName;
    private final Duration ttl;
    private final String store;
    private final AdapterRegistry<CacheStoreAdapter> stores;

    StoreCounter(String name, String fullName, Duration ttl, String store, AdapterRegistry<CacheStoreAdapter> stores) {
        this.name = name;
        this.fullName = fullName;
        this.ttl = ttl;
        this.store = store;
        this.stores = stores;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<Duration> ttl() {
        return Optional.ofNullable(ttl);
    }

    @Override
    public long get() {
        return adapter().counterValue(fullName);
    }

    @Override
    public long incr() {
        return incrBy(1);
    }

    @Override
    public long incrBy(long delta) {
        return adapter().addToCounter(fullName, delta, ttl);
    }

    @Override
    public void reset() {
        adapter().removeCounter(fullName);
    }

    /** Returns the name of the store that keeps the value. */
    String store() {
        return store;
    }

    @Override
    public String toString() {
        return "StoreCounter[" + fullName + " in " + store + ", ttl " + (ttl == null ? "none" : ttl) + "]";
    }

    private CacheStoreAdapter adapter() {
        return stores.find(store).orElseThrow(() -> new IllegalStateException("cache store '" + store
                + "' of counter '" + name + "' is not registered; registered: " + stores.names()));
    }
}
