package io.cohort.bench.harness;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures how late a thread that sleeps {@value #PERIOD_MILLIS} ms at a time wakes up. A pause of the whole JVM, or a
 * machine too busy to run it, delays every row that runs at that moment and shows up here too. Comparing a segment's
 * tail with the longest stall in it separates such pauses from the cost of the system the segment measures.
 */
final class StallMeter implements AutoCloseable {

    static final long PERIOD_MILLIS = 2;

    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(PERIOD_MILLIS);

    private final AtomicLong longestNanos = new AtomicLong();
    private final Thread thread = new Thread(this::run, "bench-stall-meter");
    private volatile boolean running = true;

    StallMeter() {
        thread.setDaemon(true);
        thread.start();
    }

    /** Returns the longest wake-up delay since the last call, in nanoseconds, and starts a new interval. */
    long takeLongestNanos() {
        return longestNanos.getAndSet(0);
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }

    private void run() {
        while (running) {
            long before = System.nanoTime();
            LockSupport.parkNanos(PERIOD_NANOS);
            long late = System.nanoTime() - before - PERIOD_NANOS;
            longestNanos.accumulateAndGet(late, Math::max);
        }
    }
}
