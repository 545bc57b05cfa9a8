package io.cohort.bench.harness;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Latencies in nanoseconds, recorded from any thread into a fixed array; samples past its capacity are counted but
 * not kept.
 */
final class LatencySamples {

    private final long[] nanos;
    private final AtomicInteger count = new AtomicInteger();

    LatencySamples(int capacity) {
        nanos = new long[capacity];
    }

    void record(long latencyNanos) {
        int index = count.getAndIncrement();
        if (index < nanos.length) {
            nanos[index] = latencyNanos;
        }
    }

    int capacity() {
        return nanos.length;
    }

    /** Returns how many samples were recorded, kept or not. */
    int count() {
        return count.get();
    }

    /** Returns the kept samples in the order they were recorded. Call it once recording has stopped. */
    long[] inArrivalOrder() {
        return Arrays.copyOf(nanos, Math.min(count.get(), nanos.length));
    }

    /** Returns the kept samples recorded from index {@code from} on, sorted. Call it once recording has stopped. */
    long[] sortedFrom(int from) {
        int end = Math.min(count.get(), nanos.length);
        long[] kept = Arrays.copyOfRange(nanos, Math.min(from, end), end);
        Arrays.sort(kept);
        return kept;
    }

    /** Returns the kept samples, sorted. Call it once recording has stopped. */
    long[] sorted() {
        long[] kept = Arrays.copyOf(nanos, Math.min(count.get(), nanos.length));
        Arrays.sort(kept);
        return kept;
    }

    /**
     * Returns the nearest-rank percentile of sorted samples: the smallest sample that at least {@code percent} of
     * the samples do not exceed, or 0 when there are none.
     */
    static long percentile(long[] sorted, double percent) {
        if (sorted.length == 0) {
            return 0;
        }
        // The epsilon keeps binary rounding (99.9 / 100 * 1000 = 999.0000000000001) from moving up one rank.
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length - 1e-9);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
