package io.cohort.api.cache;

import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The condition of {@link Cache#wrapWithCondition}: whether to read the cache, and whether to store a loaded value.
 *
 * @param <T> the type of the loaded value
 */
public final class WrapCondition<T> {

    private final BooleanSupplier useCache;
    private final Predicate<? super T> cacheable;

    /**
     * Creates a condition.
     *
     * @param useCache asked once per call; when it returns false the loader runs and the cache is neither read nor
     *     written
     * @param cacheable tested on each loaded value that is not null; a value it rejects is returned but not stored
     */
    public WrapCondition(BooleanSupplier useCache, Predicate<? super T> cacheable) {
        if (useCache == null) {
            throw new IllegalArgumentException(
                    "WrapCondition.useCache is null; pass () -> true to always use the cache");
        }
        if (cacheable == null) {
            throw new IllegalArgumentException("WrapCondition.cacheable is null; pass v -> true to cache every value");
        }
        this.useCache = useCache;
        this.cacheable = cacheable;
    }

    /** Returns a condition that always reads the cache and stores only values that {@code cacheable} accepts. */
    public static <T> WrapCondition<T> cacheIf(Predicate<? super T> cacheable) {
        return new WrapCondition<>(() -> true, cacheable);
    }

    /** Returns whether this call reads and writes the cache. */
    public boolean useCache() {
        return useCache.getAsBoolean();
    }

    /** Returns whether {@code value} may be stored. */
    public boolean isCacheable(T value) {
        return cacheable.test(value);
    }
}
