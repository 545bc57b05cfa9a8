package io.cohort.core.cache;

/**
 * Calls the package-private increments of {@link CacheCounters} for the benchmark, which measures what the
 * operator counters add to a cache read. It lives in the core's package on the benchmark's class path only.
 */
public final class CounterProbe {

    private CounterProbe() {
    }

    /** Counts one hit, as every cache read that finds its key does. */
    public static void hit(CacheCounters counters) {
        counters.hit(1);
    }
}
