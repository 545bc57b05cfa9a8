package io.cohort.api.cache;

import java.time.Duration;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A named 64-bit counter that every node of the application shares, created by
 * {@link CacheManager#createCounter(String)}.
 *
 * <p>Every operation is one atomic step in the store of the node's default cache store: increments made at the same
 * time by any number of threads and nodes are all counted, none is lost or counted twice. An absent counter reads as
 * 0. Arithmetic wraps around on overflow, like {@code long} addition.
 *
 * <p>A counter created with a ttl expires that long after the increment that started its current value (the first
 * increment after creation, expiry or {@link #reset()}); later increments keep that expiry, so the counter counts
 * within fixed windows. Without a ttl the value never expires.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
@ProviderType
public interface Counter {

    /** Returns the name this counter was created with. */
    String name();

    /** Returns the ttl this counter was created with, or empty for none. */
    Optional<Duration> ttl();

    /** Returns the current value, or 0 if the counter is absent or expired. */
    long get();

    /** Adds 1 and returns the new value. */
    long incr();

    /** Adds {@code delta}, which may be negative or 0, and returns the new value. */
    long incrBy(long delta);

    /** Deletes the value, so that it reads as 0 and the next increment starts a new ttl window. */
    void reset();
}
