package io.cohort.hazelcast;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.hazelcast.cp.lock.FencedLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request for a key and, once granted, the grant, run on its own owner thread. A Hazelcast fenced lock belongs to
 * the pair (CP session, thread) that locked it, so only that thread can unlock it. {@link #run()} locks, parks until
 * {@link #release()} is called from any thread, then unlocks on the same thread.
 *
 * <p>The owner thread waits for the lock in slices of {@value #SLICE_MILLIS} ms and checks between slices whether
 * the requester gave up. A longer wait inside Hazelcast cannot be cancelled, because interrupting it leaves the wait
 * queued in the CP group, which would later grant the lock to a thread that never unlocks it. Each slice costs one
 * call to the CP group, and a waiter may lose its place in the lock's queue between two slices.
 *
 * <p>States: WAITING, then HELD once granted, then RELEASED. A request cancelled while WAITING becomes CANCELLED,
 * and a lock that the slice in progress still grants is then unlocked at once.
 */
final class LockGrant implements Runnable {

    /** Maximum single wait inside Hazelcast, in milliseconds, so the owner thread notices a cancel within it. */
    static final long SLICE_MILLIS = 500;

    /** Wait value of a request that waits as long as it takes. */
    static final long FOREVER = Long.MAX_VALUE;

    private static final Logger LOG = LoggerFactory.getLogger(LockGrant.class);

    private enum State { WAITING, HELD, CANCELLED, RELEASED }

    private final String key;
    private final FencedLock lock;
    private final long waitNanos;
    private final AtomicReference<State> state = new AtomicReference<>(State.WAITING);
    private final CompletableFuture<Long> acquired = new CompletableFuture<>();
    private final CompletableFuture<Void> releaseRequested = new CompletableFuture<>();
    private final CompletableFuture<Boolean> released = new CompletableFuture<>();
    private volatile long fenceToken = FencedLock.INVALID_FENCE;

    /** @param waitNanos how long to wait for the key: 0 for one try, {@link #FOREVER} for no limit */
    LockGrant(String key, FencedLock lock, long waitNanos) {
        this.key = key;
        this.lock = lock;
        this.waitNanos = waitNanos;
    }

    /** Runs on the owner thread for the whole life of the grant. */
    @Override
    public void run() {
        long token;
        try {
            token = acquire();
        } catch (RuntimeException e) {
            state.set(State.RELEASED);
            acquired.completeExceptionally(e);
            return;
        }
        if (token == FencedLock.INVALID_FENCE) {
            acquired.complete(token);
            return;
        }
        fenceToken = token;
        if (!state.compareAndSet(State.WAITING, State.HELD)) {
            unlock();
            acquired.complete(FencedLock.INVALID_FENCE);
            return;
        }
        acquired.complete(token);

        releaseRequested.join();
        released.complete(unlock());
    }

    /**
     * Waits until the owner thread has the key or gave up.
     *
     * @return the fence token, or {@link FencedLock#INVALID_FENCE} if the wait ran out or the grant was cancelled
     * @throws InterruptedException if the calling thread is interrupted; the caller must then {@link #cancel()}
     */
    long awaitAcquired() throws InterruptedException {
        try {
            return acquired.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException("locking " + key + " failed", e.getCause());
        }
    }

    /** Gives up the request: a waiting owner thread stops within a slice, and a grant made meanwhile is released. */
    void cancel() {
        if (!state.compareAndSet(State.WAITING, State.CANCELLED)) {
            release();
        }
    }

    /**
     * Unlocks the key on the owner thread and waits for it.
     *
     * @return false if this grant was not held, or if Hazelcast had already taken the key from it because its CP
     *     session ended
     */
    boolean release() {
        if (!state.compareAndSet(State.HELD, State.RELEASED)) {
            return false;
        }
        releaseRequested.complete(null);
        return released.join();
    }

    long fenceToken() {
        return fenceToken;
    }

    private long acquire() {
        if (waitNanos == 0) {
            return lock.tryLockAndGetFence();
        }
        long deadline = waitNanos == FOREVER ? 0 : System.nanoTime() + waitNanos;
        while (state.get() == State.WAITING) {
            long sliceMillis = SLICE_MILLIS;
            if (waitNanos != FOREVER) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    break;
                }
                sliceMillis = Math.min(SLICE_MILLIS, TimeUnit.NANOSECONDS.toMillis(remaining) + 1);
            }
            long token = lock.tryLockAndGetFence(sliceMillis, TimeUnit.MILLISECONDS);
            if (token != FencedLock.INVALID_FENCE) {
                return token;
            }
        }
        return FencedLock.INVALID_FENCE;
    }

    private boolean unlock() {
        try {
            lock.unlock();
            return true;
        } catch (IllegalMonitorStateException e) {
            LOG.warn("Lock {} with fence token {} was already lost before its release: {}", key, fenceToken,
                    e.getMessage());
            return false;
        } catch (RuntimeException e) {
            LOG.error("Unlocking {} with fence token {} failed; it stays held until this member's CP session ends",
                    key, fenceToken, e);
            return false;
        }
    }
}
