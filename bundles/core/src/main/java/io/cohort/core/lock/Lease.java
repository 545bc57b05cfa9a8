package io.cohort.core.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import io.cohort.api.lock.LeaseLostException;
import io.cohort.api.lock.LockHandle;
import io.cohort.api.spi.LockAdapter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One grant of a lock key, held until it is released or its ttl runs out.
 *
 * <p>The lease leaves {@code HELD} once, by a compare-and-set, for {@code RELEASED} or {@code EXPIRED}. Release and
 * expiry may race from any threads. Whichever sets the state first unlocks the grant in the adapter, and the other
 * leaves the adapter alone. A release that finds the grant already gone from the adapter marks the lease
 * {@code EXPIRED} afterwards.
 *
 * <p>The ttl is measured on the {@link LeaseTimer} clock. Once the deadline has passed, the lease counts as expired
 * even if the timer task has not run yet: {@link #isHeld()} returns false, a release expires the lease itself and
 * throws {@link LeaseLostException}, and the next request for the key on this node expires it before asking the
 * adapter.
 */
final class Lease implements LockHandle {

    private static final Logger LOG = LoggerFactory.getLogger(Lease.class);

    enum State { HELD, RELEASED, EXPIRED }

    private final LockService service;
    private final LockAdapter adapter;
    private final LockOwner owner;
    private final LeaseTimer timer;
    private final String key;
    private final String fullKey;
    private final long fenceToken;
    private final Instant acquiredAt;
    private final Thread holder;
    private final AtomicReference<State> state = new AtomicReference<>(State.HELD);
    private volatile Duration ttl;
    private volatile Instant expiresAt;
    private volatile long deadlineNanos;
    private volatile Future<?> expiryTask;
    private Renewal renewal;
    /** Whether the lease ended because the adapter lost the grant, rather than at its deadline. */
    private volatile boolean lostGrant;
    /** Whether a renewal stopped because the next one would pass the maximum hold. */
    private volatile boolean maxHoldReached;
    private int renewalCount;

    Lease(LockService service, LockAdapter adapter, LockOwner owner, LeaseTimer timer, String key, String fullKey,
            long fenceToken, Duration ttl) {
        this.service = service;
        this.adapter = adapter;
        this.owner = owner;
        this.timer = timer;
        this.key = key;
        this.fullKey = fullKey;
        this.fenceToken = fenceToken;
        this.ttl = ttl;
        this.acquiredAt = Instant.now();
        this.expiresAt = acquiredAt.plus(ttl);
        this.deadlineNanos = timer.nanoTime() + ttl.toNanos();
        this.holder = Thread.currentThread();
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public long fenceToken() {
        return fenceToken;
    }

    @Override
    public Instant expiresAt() {
        return expiresAt;
    }

    /**
     * Returns whether this lease is held, asking the adapter whether it still has the grant. A grant that the adapter
     * lost ends the lease here. When the adapter cannot tell, this returns false and the lease stays as it is.
     */
    @Override
    public boolean isHeld() {
        if (!heldLocally()) {
            return false;
        }
        try {
            return checkGranted();
        } catch (RuntimeException e) {
            LOG.warn("Checking lock key {} (fence token {}) of {} in the lock adapter failed; reporting it as not "
                    + "held", fullKey, fenceToken, owner, e);
            return false;
        }
    }

    /**
     * Releases the grant. After a good release, further calls do nothing. After a lost lease, every call throws.
     *
     * @throws LeaseLostException if the ttl ran out before this call, or the adapter no longer had the grant
     */
    @Override
    public void release() {
        if (deadlinePassed()) {
            expire();
        }
        if (state.compareAndSet(State.HELD, State.RELEASED)) {
            end();
            if (!adapter.unlock(fullKey, fenceToken)) {
                state.set(State.EXPIRED);
                LOG.warn("Lock key {} (fence token {}) of {} was no longer granted by the lock adapter at release",
                        fullKey, fenceToken, owner);
                throw lost("was no longer granted by the lock adapter when it was released", null);
            }
            LOG.debug("Released lock key {} (fence token {}) of {}", fullKey, fenceToken, owner);
            return;
        }
        if (state.get() == State.EXPIRED) {
            throw lost(endReason() + " before it was released", null);
        }
    }

    /**
     * Moves the deadline to {@code ttl} from now and schedules the expiry there. It runs under this lease's monitor,
     * like the timer's expiry, so an expiry task of the old deadline that fires meanwhile finds the deadline not yet
     * passed and does nothing.
     */
    @Override
    public void extend(Duration ttl) {
        LockService.requireTtl(key, ttl);
        synchronized (this) {
            if (deadlinePassed()) {
                expire();
            }
            State current = state.get();
            if (current == State.EXPIRED) {
                throw lost(endReason() + " before it was extended", null);
            }
            if (current == State.RELEASED) {
                throw new IllegalStateException("lease of lock key '" + key + "' (fence token " + fenceToken
                        + ") was released, so it cannot be extended; acquire the key again");
            }
            if (!checkGranted()) {
                throw lost("was no longer granted by the lock adapter when it was extended", null);
            }
            moveDeadline(ttl);
        }
        LOG.debug("Extended lock key {} (fence token {}) of {} by {}", fullKey, fenceToken, owner, ttl);
    }

    @Override
    public void close() {
        release();
    }

    @Override
    public String toString() {
        return "Lease[" + fullKey + ", fence token " + fenceToken + ", " + state.get() + "]";
    }

    String fullKey() {
        return fullKey;
    }

    LockOwner owner() {
        return owner;
    }

    Duration ttl() {
        return ttl;
    }

    Instant acquiredAt() {
        return acquiredAt;
    }

    Thread holder() {
        return holder;
    }

    State state() {
        return state.get();
    }

    /**
     * Returns whether the lease is held by this node's own record, without asking the adapter: not ended and its
     * deadline not passed.
     */
    boolean heldLocally() {
        return state.get() == State.HELD && !deadlinePassed();
    }

    /** Returns whether the lease ended because the lock adapter no longer had the grant. */
    boolean lostGrant() {
        return lostGrant;
    }

    /** Returns whether the renewal stopped at the maximum hold. */
    boolean maxHoldReached() {
        return maxHoldReached;
    }

    boolean deadlinePassed() {
        return timer.nanoTime() - deadlineNanos >= 0;
    }

    /** Schedules the expiry at the deadline. It runs before the lease is visible to other threads. */
    void scheduleExpiry() {
        Future<?> task = timer.schedule(this::expireOnTimer, ttl.toNanos());
        expiryTask = task;
        if (state.get() != State.HELD) {
            task.cancel(false);
        }
    }

    /**
     * Ends the lease because its ttl ran out and frees the key in the adapter.
     *
     * @return false if the lease had already ended
     */
    boolean expire() {
        if (!state.compareAndSet(State.HELD, State.EXPIRED)) {
            return false;
        }
        end();
        boolean unlocked = unlockQuietly();
        LOG.warn("Lease of lock key {} (fence token {}) of {} expired after {} before it was released; the key is "
                + "free for other holders{}", fullKey, fenceToken, owner, ttl,
                unlocked ? "" : ", and the lock adapter no longer had the grant");
        return true;
    }

    /**
     * Releases the grant at the end of a {@code runExclusive} body, without throwing for a lost lease.
     *
     * @return false if this call released the grant and the adapter no longer had it
     */
    boolean releaseAfterBody() {
        if (!state.compareAndSet(State.HELD, State.RELEASED)) {
            return true;
        }
        end();
        if (!adapter.unlock(fullKey, fenceToken)) {
            state.set(State.EXPIRED);
            LOG.warn("Lock key {} (fence token {}) of {} was no longer granted by the lock adapter after the body",
                    fullKey, fenceToken, owner);
            return false;
        }
        LOG.debug("Released lock key {} (fence token {}) of {} after the body", fullKey, fenceToken, owner);
        return true;
    }

    /**
     * Releases the grant because its bundle or the node stops.
     *
     * @return false if the lease had already ended
     */
    boolean releaseOnStop() {
        if (!state.compareAndSet(State.HELD, State.RELEASED)) {
            return false;
        }
        end();
        unlockQuietly();
        return true;
    }

    LeaseLostException lost(String reason, Throwable cause) {
        return new LeaseLostException(key, fenceToken, "lease of lock key '" + key + "' (fence token " + fenceToken
                + ") " + reason + "; work done under it was not exclusive", cause);
    }

    /**
     * Renews this lease on the timer while it is held: whenever a third of {@code ttl} is left, the deadline moves to
     * {@code ttl} from then, but never past {@code maxHold} after the grant. {@link #stopRenewal()} and the end of
     * the lease stop it.
     */
    synchronized void startRenewal(Duration ttl, Duration maxHold) {
        long maxDeadline = deadlineNanos - this.ttl.toNanos() + maxHold.toNanos();
        renewal = new Renewal(ttl.toNanos(), maxDeadline);
        scheduleRenewal(renewal);
    }

    /** Stops the renewal; once this returns, no renewal of this lease runs any more. */
    synchronized void stopRenewal() {
        Renewal current = renewal;
        if (current != null) {
            current.stopped = true;
            Future<?> task = current.task;
            if (task != null) {
                task.cancel(false);
            }
            renewal = null;
        }
    }

    /** Returns how many times this lease was renewed. For tests. */
    synchronized int renewals() {
        return renewalCount;
    }

    private void scheduleRenewal(Renewal current) {
        long left = deadlineNanos - timer.nanoTime();
        long delay = Math.max(0, left - current.ttlNanos / 3);
        current.task = timer.schedule(() -> renew(current), delay);
    }

    private synchronized void renew(Renewal current) {
        if (current.stopped || renewal != current || state.get() != State.HELD) {
            return;
        }
        if (deadlinePassed()) {
            return;
        }
        try {
            if (!checkGranted()) {
                return;
            }
        } catch (RuntimeException e) {
            LOG.warn("Checking lock key {} (fence token {}) of {} in the lock adapter failed, so it is not renewed "
                    + "and ends at its deadline", fullKey, fenceToken, owner, e);
            return;
        }
        long now = timer.nanoTime();
        long next = Math.min(current.ttlNanos, current.maxDeadlineNanos - now);
        if (next <= deadlineNanos - now) {
            maxHoldReached = true;
            LOG.debug("Lock key {} (fence token {}) of {} reached its longest hold; it is not renewed any more",
                    fullKey, fenceToken, owner);
            return;
        }
        moveDeadline(Duration.ofNanos(next));
        renewalCount++;
        if (next == current.ttlNanos) {
            scheduleRenewal(current);
        } else {
            // The deadline is now the maximum hold, so this was the last renewal.
            maxHoldReached = true;
        }
    }

    /** Sets a new deadline and replaces the expiry task; the caller holds this lease's monitor. */
    private void moveDeadline(Duration ttl) {
        this.ttl = ttl;
        this.deadlineNanos = timer.nanoTime() + ttl.toNanos();
        this.expiresAt = Instant.now().plus(ttl);
        Future<?> old = expiryTask;
        expiryTask = timer.schedule(this::expireOnTimer, ttl.toNanos());
        if (old != null) {
            old.cancel(false);
        }
    }

    private synchronized void expireOnTimer() {
        if (!deadlinePassed()) {
            return;
        }
        try {
            expire();
        } catch (RuntimeException e) {
            LOG.error("Expiring the lease of lock key {} (fence token {}) failed", fullKey, fenceToken, e);
        }
    }

    /**
     * Cancels the expiry task and the renewal and removes the lease from the lock service's table and from its owner.
     * It takes this lease's monitor, so a renewal or extension that runs now has finished, and its new expiry task is
     * the one cancelled here.
     */
    private void end() {
        synchronized (this) {
            stopRenewal();
            Future<?> task = expiryTask;
            if (task != null) {
                task.cancel(false);
            }
        }
        service.forget(this);
        owner.remove(this);
    }

    /** Returns why an expired lease ended: its ttl ran out, or the adapter no longer had the grant. */
    private String endReason() {
        return lostGrant ? "was no longer granted by the lock adapter" : "ran out after " + ttl;
    }

    /**
     * Asks the adapter whether it still has this lease's grant. When it does not, for example because the cluster
     * ended the session of this node, the lease ends as lost, because another node may hold the key by now.
     *
     * @throws RuntimeException if the adapter cannot tell
     */
    private boolean checkGranted() {
        if (adapter.isGranted(fullKey, fenceToken)) {
            return true;
        }
        if (state.compareAndSet(State.HELD, State.EXPIRED)) {
            // Set before anything else, so that a release or extend that sees the ended lease names the lost grant.
            lostGrant = true;
            end();
            // Lets the adapter drop its record of the grant; the key itself is no longer this grant's.
            unlockQuietly();
            LOG.warn("Lease of lock key {} (fence token {}) of {} is lost: the lock adapter no longer has the grant, "
                    + "so another holder may have the key. A node cut off from the cluster for longer than its "
                    + "session ttl loses its locks this way", fullKey, fenceToken, owner);
        }
        return false;
    }

    private boolean unlockQuietly() {
        try {
            return adapter.unlock(fullKey, fenceToken);
        } catch (RuntimeException e) {
            LOG.warn("Unlocking lock key {} (fence token {}) in the lock adapter failed; the key may stay locked "
                    + "there", fullKey, fenceToken, e);
            return false;
        }
    }

    /** One renewal schedule: the ttl of each renewal and the latest deadline, on the timer clock. */
    private static final class Renewal {

        private final long ttlNanos;
        private final long maxDeadlineNanos;
        private boolean stopped;
        private Future<?> task;

        Renewal(long ttlNanos, long maxDeadlineNanos) {
            this.ttlNanos = ttlNanos;
            this.maxDeadlineNanos = maxDeadlineNanos;
        }
    }
}
