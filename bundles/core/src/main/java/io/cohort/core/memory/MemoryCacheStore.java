package io.cohort.core.memory;

import java.time.Duration;
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
 * nodes never see them. Counters are kept beside the regions, one map entry per counter, updated with
 * {@link ConcurrentHashMap#compute} so each update is atomic.
 */
@Component(service = CacheStoreAdapter.class, property = Adapters.NAME_PROPERTY + "=" + Adapters.MEMORY,
        immediate = true)
public final class MemoryCacheStore implements CacheStoreAdapter {

    private final Map<String, MemoryCacheRegion> regions = new ConcurrentHashMap<>();
    private final Map<String, CounterValue> counters = new ConcurrentHashMap<>();

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

    @Override
    public int clearRegions(String regionPrefix) {
        int cleared = 0;
        for (Map.Entry<String, MemoryCacheRegion> region : regions.entrySet()) {
            if (region.getKey().startsWith(regionPrefix)) {
                region.getValue().clear();
                cleared++;
            }
        }
        return cleared;
    }

    @Override
    public long addToCounter(String name, long delta, Duration ttl) {
        long now = System.nanoTime();
        return counters.compute(name, (key, current) -> current == null || current.expiredAt(now)
                ? new CounterValue(delta, ttl == null ? 0 : now + ttl.toNanos(), ttl != null)
                : new CounterValue(current.value() + delta, current.deadlineNanos(), current.expires()))
                .value();
    }

    @Override
    public long counterValue(String name) {
        CounterValue current = counters.get(name);
        return current == null || current.expiredAt(System.nanoTime()) ? 0 : current.value();
    }

    @Override
    public void removeCounter(String name) {
        counters.remove(name);
    }

    /**
     * The value of one counter.
     *
     * @param deadlineNanos when it expires, on the {@link System#nanoTime()} clock
     * @param expires whether it expires at all
     */
    private record CounterValue(long value, long deadlineNanos, boolean expires) {

        boolean expiredAt(long nowNanos) {
            return expires && nowNanos - deadlineNanos >= 0;
        }
    }
}
