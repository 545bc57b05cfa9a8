package io.cohort.api.spi;

import java.time.Duration;
import java.util.OptionalLong;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Grants exclusive ownership of keys ({@code <app.name>:<key>}) with fence tokens. The lock manager enforces leases
 * (ttl) and reentrancy rules itself: it calls {@link #unlock} when a lease ends, possibly from a thread other than
 * the one that locked, so a grant must not be bound to the locking thread.
 */
@ConsumerType
public interface LockAdapter {

    /**
     * Takes {@code key} if it becomes free within {@code wait} ({@link Duration#ZERO} for no wait).
     *
     * @return the fence token of the grant, larger than every earlier token of the key, or empty on timeout
     * @throws InterruptedException if interrupted while waiting; nothing is granted then
     */
    OptionalLong tryLock(String key, Duration wait) throws InterruptedException;

    /**
     * Takes {@code key}, waiting as long as it takes.
     *
     * @return the fence token of the grant
     * @throws InterruptedException if interrupted while waiting; nothing is granted then
     */
    long lock(String key) throws InterruptedException;

    /**
     * Releases the grant of {@code key} that carries {@code fenceToken}.
     *
     * @return false if that grant no longer holds the key
     */
    boolean unlock(String key, long fenceToken);

    /** Returns whether any grant holds {@code key} now. */
    boolean isLocked(String key);

    /**
     * Returns whether the grant of {@code key} that carries {@code fenceToken} still owns the key in the adapter's
     * store. A grant can end there without {@link #unlock}, for example when the cluster ended the session of a node
     * that stopped answering for too long. The default returns true, for an adapter whose grants end only by unlock.
     *
     * @throws RuntimeException if the adapter cannot tell now, for example because the cluster cannot be reached
     */
    default boolean isGranted(String key, long fenceToken) {
        return true;
    }

    /** Returns a short description of the consistency mode, for {@code cohort:info}; for example {@code in-process}. */
    default String mode() {
        return "";
    }
}
