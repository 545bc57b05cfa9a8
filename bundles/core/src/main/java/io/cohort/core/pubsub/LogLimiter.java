package io.cohort.core.pubsub;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets one log line through per interval and counts the lines held back, so that a handler failing on every message
 * cannot flood the log. Thread safe.
 */
public final class LogLimiter {

    private final long intervalNanos;
    private final AtomicLong nextAllowedNanos;
    private final AtomicLong suppressed = new AtomicLong();

    public LogLimiter(Duration interval) {
        this.intervalNanos = interval.toNanos();
        this.nextAllowedNanos = new AtomicLong(System.nanoTime());
    }

    /**
     * Records one event and returns how many events were held back since the last one let through, or {@code -1}
     * if this one must be held back too.
     */
    public long tryAcquire() {
        long now = System.nanoTime();
        long next = nextAllowedNanos.get();
        if (now - next >= 0 && nextAllowedNanos.compareAndSet(next, now + intervalNanos)) {
            return suppressed.getAndSet(0);
        }
        suppressed.incrementAndGet();
        return -1;
    }

    /** Returns a note for a log line that mentions {@code suppressed} held-back lines, or "" when there are none. */
    public static String suppressedNote(long suppressed) {
        return suppressed > 0 ? " (" + suppressed + " similar failures since the last report not logged)" : "";
    }
}
