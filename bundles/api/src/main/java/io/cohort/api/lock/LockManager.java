package io.cohort.api.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Named locks shared by every node of the application, each held under a lease (ttl).
 *
 * <p>A lease ends when its holder releases it or when its ttl runs out, whichever comes first. When the ttl runs out
 * the lock is free for others at once, even if the holder is still working: the holder is not stopped, but learns of
 * it through {@link LockHandle#isHeld()}, through {@link LeaseLostException} from {@link LockHandle#release()}, and
 * from {@link #runExclusive}, which then throws {@link LeaseLostException} instead of returning. Every grant of a key
 * carries a fence token larger than any earlier grant of that key, so a store that remembers the largest token it has
 * seen can reject writes from a holder whose lease was lost.
 *
 * <p>Locks are not reentrant: a thread that asks for a key it already holds gets {@link IllegalStateException}
 * instead of a deadlock. Keys are 1 to 200 characters from {@code A-Z a-z 0-9 . _ - : /}, scoped to the node's
 * application. A ttl is a positive duration of at most 24 hours.
 *
 * <p>Each plugin bundle receives its own instance; the locks it still holds when the bundle stops are released.
 *
 * <p>Thread safety: all methods may be called from any thread. A handle may be released from any thread.
 */
@ProviderType
public interface LockManager {

    /**
     * Waits for {@code key}, runs {@code body} while holding it for at most {@code ttl}, releases it and returns the
     * body's result.
     *
     * @throws LeaseLostException if the ttl ran out before the body returned; the body's result or exception is the
     *     cause where there is one
     * @throws Exception what the body threw, after the lock is released
     * @throws IllegalArgumentException if the key or ttl is invalid
     * @throws IllegalStateException if this thread already holds the key
     */
    <T> T runExclusive(String key, Callable<T> body, Duration ttl) throws Exception;

    /**
     * Like {@link #runExclusive(String, Callable, Duration)}, but renews the lease while the body runs, so that a
     * body may run longer than {@code ttl} as long as its node is alive.
     *
     * <p>Whenever a third of {@code ttl} is left, the lease is extended to {@code ttl} from then, but never past
     * {@code maxHold} after it was granted. A body still running at that point loses its lease, and the call throws
     * {@link LeaseLostException}. Renewal runs on the lock timer thread and stops before this method returns or
     * throws, and as soon as the lease is released or lost; a node that dies stops renewing, so its lease ends at most
     * {@code ttl} after the last renewal.
     *
     * @param ttl how long each renewal extends the lease
     * @param maxHold the longest total time the lease is held, counted from the grant; at least {@code ttl} and at
     *     most {@link #MAX_TTL}
     * @throws LeaseLostException if the lease ran out before the body returned
     * @throws Exception what the body threw, after the lock is released
     * @throws IllegalArgumentException if the key, ttl or maxHold is invalid
     * @throws IllegalStateException if this thread already holds the key
     */
    <T> T runExclusive(String key, Callable<T> body, Duration ttl, Duration maxHold) throws Exception;

    /**
     * Waits until {@code key} is free and takes it for at most {@code ttl}.
     *
     * @throws InterruptedException if the thread is interrupted while waiting; the lock is then not taken
     * @throws IllegalArgumentException if the key or ttl is invalid
     * @throws IllegalStateException if this thread already holds the key
     */
    LockHandle acquire(String key, Duration ttl) throws InterruptedException;

    /**
     * Takes {@code key} for at most {@code ttl} if it is free now.
     *
     * @return the handle, or empty when another holder has the key
     * @throws IllegalArgumentException if the key or ttl is invalid
     * @throws IllegalStateException if this thread already holds the key
     */
    Optional<LockHandle> tryAcquire(String key, Duration ttl);

    /**
     * Takes {@code key} for at most {@code ttl} if it becomes free within {@code wait}. Of several callers on any
     * nodes that wait for the same free key, exactly one gets it.
     *
     * @param wait how long to wait for the key; {@link Duration#ZERO} does not wait
     * @return the handle, or empty when the key was not free before {@code wait} ran out
     * @throws InterruptedException if the thread is interrupted while waiting; the lock is then not taken
     * @throws IllegalArgumentException if the key or ttl is invalid, or {@code wait} is null or negative
     * @throws IllegalStateException if this thread already holds the key
     */
    Optional<LockHandle> tryAcquire(String key, Duration ttl, Duration wait) throws InterruptedException;

    /** Like {@link #tryAcquire(String, Duration)} with the default ttl of 30 seconds. */
    Optional<LockHandle> tryAcquire(String key);

    /** The ttl that {@link #tryAcquire(String)} uses: 30 seconds. */
    Duration DEFAULT_TTL = Duration.ofSeconds(30);

    /** The largest ttl allowed: 24 hours. */
    Duration MAX_TTL = Duration.ofHours(24);
}
