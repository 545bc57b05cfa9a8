package io.cohort.api.lock;

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

    /** Returns whether this handle still holds the lock: not released and not expired. */
    boolean isHeld();

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
