package io.cohort.api.lock;

import java.time.Duration;
import java.time.Instant;

import org.osgi.annotation.versioning.ProviderType;

/** A granted lease on a lock key. */
@ProviderType
public interface LockHandle extends AutoCloseable {

    /** Returns the key, without the application prefix. */
    String key();

    /** Returns the fence token of this grant; larger than the token of every earlier grant of the same key. */
    long fenceToken();

    /** Returns when the lease ends unless it is released first. */
    Instant expiresAt();

    /**
     * Returns whether this handle still holds the lock: not released, not expired, and still granted by the lock
     * adapter. On the {@code hazelcast} adapter this is a call to the cluster. A node cut off for longer than its CP
     * session ttl loses its grants there, and its leases then count as lost.
     */
    boolean isHeld();

    /**
     * Moves the end of the lease to {@code ttl} from now, which may be earlier or later than the current end.
     * {@link #expiresAt()} returns the new end afterwards. A lease whose ttl has already run out cannot be extended.
     *
     * @throws LeaseLostException if the lease ran out before this call
     * @throws IllegalStateException if the handle was released
     * @throws IllegalArgumentException if the ttl is null, not positive or more than {@link LockManager#MAX_TTL}
     */
    void extend(Duration ttl);

    /**
     * Releases the lock. Releasing a handle that was already released does nothing.
     *
     * @throws LeaseLostException if the lease had run out before this call, so others may have held the key since
     */
    void release();

    /** Releases the lock, like {@link #release()}. */
    @Override
    void close();
}
