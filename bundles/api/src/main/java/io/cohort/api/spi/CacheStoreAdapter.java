package io.cohort.api.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A cache store. The cache manager opens one region per cache and does validation, JSON mapping, key prefixes and
 * single-flight loading itself, so a store only keeps bytes.
 */
@ConsumerType
public interface CacheStoreAdapter {

    /**
     * Opens the region {@code regionName} ({@code <app.name>:<prefix>}), or returns the open one.
     *
     * @param maxEntries the most entries the region keeps, evicting others beyond it, or 0 for no limit
     */
    CacheRegion openRegion(String regionName, long maxEntries);
}
