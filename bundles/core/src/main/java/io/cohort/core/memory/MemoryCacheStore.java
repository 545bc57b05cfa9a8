package io.cohort.core.memory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.CacheRegion;
import io.cohort.api.spi.CacheStoreAdapter;

import org.osgi.service.component.annotations.Component;

/**
 * The cache store that keeps entries in this node's heap, one Caffeine cache per region.
 *
 * <p>Entries live as long as this component: a restart of the core bundle or of the node loses them, and other
 * nodes never see them.
 */
@Component(service = CacheStoreAdapter.class, property = Adapters.NAME_PROPERTY + "=" + Adapters.MEMORY,
        immediate = true)
public final class MemoryCacheStore implements CacheStoreAdapter {

    private final Map<String, MemoryCacheRegion> regions = new ConcurrentHashMap<>();

    /**
     * Opens the region, or returns the open one. A region keeps the {@code maxEntries} of its first opening, because
     * the cache manager opens each region with one set of options.
     */
    @Override
    public CacheRegion openRegion(String regionName, long maxEntries) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries " + maxEntries + " of region '" + regionName
                    + "' is negative; expected 0 for no limit or a positive count");
        }
        return regions.computeIfAbsent(regionName, name -> new MemoryCacheRegion(name, maxEntries));
    }
}
