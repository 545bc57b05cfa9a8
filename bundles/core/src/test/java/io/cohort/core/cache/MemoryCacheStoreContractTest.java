package io.cohort.core.cache;

import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.CacheStoreAdapter;
import io.cohort.core.memory.MemoryCacheStore;

/** The cache store contract on the in-process store, which every node of one process shares. */
public class MemoryCacheStoreContractTest extends CacheStoreContract {

    private final MemoryCacheStore store = new MemoryCacheStore();

    @Override
    protected CacheStoreAdapter store(int node) {
        return store;
    }

    @Override
    protected String storeName() {
        return Adapters.MEMORY;
    }
}
