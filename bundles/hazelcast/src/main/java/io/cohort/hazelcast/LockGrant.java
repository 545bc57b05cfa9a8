package io.cohort.hazelcast;

import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import com.hazelcast.cp.lock.FencedLock;
import com.hazelcast.internal.util.ThreadUtil;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request for a key and, once granted, the grant.
 *
 * <p>A Hazelcast fenced lock belongs to the pair (CP session, thread id) that locked it, and the proxy reads the
 * thread id from {@link ThreadUtil#getThreadId()}, which a thread may override for itself. Each grant has its own
 * owner id, far above any real thread id, and every call on the lock runs under that id. So any thread can lock,
 * unlock or cancel a grant, and two grants of one node never share an owner, which keeps the lock non-reentrant.
 * {@code ThreadUtil} is not part of Hazelcast's public API; the lock scenarios in the tests fail if its behaviour
 * changes in another Hazelcast version.
 *
 * <p>A request first tries the key once on the calling thread. If the key is taken and the request may wait, the
 * wait runs on a pool thread ({@link #waitFor}) while the caller blocks on {@link #awaitAcquired()}, so an interrupt
 * returns to the caller at once. The pool thread waits in slices of {@value #SLICE_MILLIS} ms and checks between
 * slices whether the requester gave up. A longer wait inside Hazelcast cannot be cancelled, because interrupting it
 * leaves the wait queued in the CP group, which would later grant the key to an owner that never unlocks it. Each
 * slice costs one call to the CP group, and a waiter may lose its place in the lock's queue between two slices.
 *
 * <p>States: WAITING, then HELD once granted, then RELEASED. A request cancelled while WAITING becomes CANCELLED,
 * and a lock that the slice in progress still grants is then unlocked at once.
 */
final class LockGrant {

    /** Maximum single wait inside Hazelcast, in milliseconds, so the waiting thread notices a cancel within it. */
    static final long SLICE_MILLIS = 500;

    /** Wait value of a request that waits as long as it takes. */
    static final long FOREVER = Long.MAX_VALUE;

    /** The first owner id, far above the ids of Java threads, which count up from 1. */
    static final long FIRST_OWNER_ID = 1L << 62;

    private static final AtomicLong NEXT_OWNER_ID = new AtomicLong(FIRST_OWNER_ID);
    /** Owner ids that no request uses any more, most recent first. */
    private static final Deque<Long> FREE_OWNER_IDS = new ConcurrentLinkedDeque<>();
    private static final Logger LOG = LoggerFactory.getLogger(LockGrant.class);

    private enum State { WAITING, HELD, CANCELLED, RELEASED }

    private final String key;
    private final FencedLock lock;
    private final long ownerId = takeOwnerId();
    private final AtomicBoolean ownerIdReturned = new AtomicBoolean();
    private final AtomicReference<State> state = new AtomicReference<>(State.WAITING);
    private final CompletableFuture<Long> acquired = new CompletableFuture<>();
    private volatile long fenceToken = FencedLock.INVALID_FENCE;

    LockGrant(String key, FencedLock lock) {
        this.key = key;
        this.lock = lock;
    }

    /**
     * Tries the key once on the calling thread.
     *
     * @return true if this request now owns the key
     */
    boolean tryOnce() {
        long token = asOwner(lock::tryLockAndGetFence);
        if (token == FencedLock.INVALID_FENCE) {
            return false;
        }
        fenceToken = token;
        state.set(State.HELD);
        acquired.complete(token);
        return true;
    }

    /**
     * Waits for the key up to {@code waitNanos}, in slices, then completes {@link #awaitAcquired()}. Runs on a pool
     * thread.
     */
    void waitFor(long waitNanos) {
        long token;
        try {
            token = waitInSlices(waitNanos);
        } catch (RuntimeException e) {
            state.set(State.RELEASED);
            acquired.completeExceptionally(e);
            return;
        }
        if (token == FencedLock.INVALID_FENCE) {
            returnOwnerId();
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
    }

    /**
     * Waits until the request has the key or gave up.
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

    /** Gives up the request: a waiting thread stops within a slice, and a grant made meanwhile is released. */
    void cancel() {
        if (!state.compareAndSet(State.WAITING, State.CANCELLED)) {
            release();
        }
    }

    /**
     * Unlocks the key on the calling thread, under this grant's owner id.
     *
     * @return false if this grant was not held, or if Hazelcast had already taken the key from it because its CP
     *     session ended
     */
    boolean release() {
        if (!state.compareAndSet(State.HELD, State.RELEASED)) {
            return false;
        }
        return unlock();
    }

    long fenceToken() {
        return fenceToken;
    }

    /**
     * Returns whether the CP group still counts this grant's owner id as the holder of the key, with this grant's
     * fence token. The grant is lost when this member's CP session ended while it was held.
     */
    boolean isGranted() {
        if (state.get() != State.HELD) {
            return false;
        }
        try {
            return asOwner(lock::getFence) == fenceToken;
        } catch (IllegalMonitorStateException e) {
            LOG.debug("Lock {} with fence token {} is no longer held by this grant: {}", key, fenceToken,
                    e.getMessage());
            return false;
        }
    }

    long ownerId() {
        return ownerId;
    }

    /** Ends a request whose first try failed and that does not wait; its owner id may serve another request. */
    void giveUp() {
        if (state.compareAndSet(State.WAITING, State.CANCELLED)) {
            returnOwnerId();
        }
    }

    private static long takeOwnerId() {
        Long free = FREE_OWNER_IDS.pollFirst();
        return free != null ? free : NEXT_OWNER_ID.getAndIncrement();
    }

    /**
     * Hands the owner id back once this request owns no key and has no wait queued in the CP group. Hazelcast 5.4
     * keeps per-owner entries in each lock's state ({@code Lock.ownerInvocationRefUids}) until the CP session ends.
     * With a new id for every request that state grew, and contended locks ran at about half the rate. An id whose
     * unlock failed is not returned, because the key may still be locked under it.
     */
    private void returnOwnerId() {
        if (ownerIdReturned.compareAndSet(false, true)) {
            FREE_OWNER_IDS.addFirst(ownerId);
        }
    }

    private long waitInSlices(long waitNanos) {
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
            long slice = sliceMillis;
            long token = asOwner(() -> lock.tryLockAndGetFence(slice, TimeUnit.MILLISECONDS));
            if (token != FencedLock.INVALID_FENCE) {
                return token;
            }
        }
        return FencedLock.INVALID_FENCE;
    }

    private boolean unlock() {
        try {
            asOwner(() -> {
                lock.unlock();
                return 0;
            });
            returnOwnerId();
            return true;
        } catch (IllegalMonitorStateException e) {
            returnOwnerId();
            LOG.warn("Lock {} with fence token {} was already lost before its release: {}", key, fenceToken,
                    e.getMessage());
            return false;
        } catch (RuntimeException e) {
            LOG.error("Unlocking {} with fence token {} failed; it stays held until this member's CP session ends",
                    key, fenceToken, e);
            return false;
        }
    }

    /** Runs one call on the lock with this grant's owner id as the thread id, then restores the thread's own id. */
    private long asOwner(LongSupplier call) {
        Thread thread = Thread.currentThread();
        long previous = ThreadUtil.getThreadId();
        ThreadUtil.setThreadId(ownerId);
        try {
            return call.getAsLong();
        } finally {
            if (previous == thread.getId()) {
                ThreadUtil.removeThreadId();
            } else {
                ThreadUtil.setThreadId(previous);
            }
        }
    }
}
