package io.cohort.core.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

import io.cohort.api.lock.LockHandle;
import io.cohort.api.lock.LockManager;
import io.cohort.api.spi.LockAdapter;
import io.cohort.core.adapter.AdapterRegistry;
import io.cohort.core.node.Names;
import io.cohort.core.node.NodeSettings;
import io.cohort.core.node.ResourceCounter;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The locks of this node, shared by every plugin: each {@link BundleLockManager} view delegates here.
 *
 * <p>The adapter named by {@code lock.adapter} grants keys ({@code <app>:<key>}) and fence tokens. This service adds
 * what {@link LockManager} promises on top: leases that end when their ttl runs out (one timer thread,
 * {@value ExecutorLeaseTimer#THREAD_NAME}, calls {@link LockAdapter#unlock} at the deadline), the lease-lost outcome,
 * and the rejection of reentrant requests. For that it keeps the lease that holds each key on this node, with the
 * thread that acquired it.
 */
@Component(service = {LockService.class, ResourceCounter.class})
public final class LockService implements ResourceCounter {

    /** The resource count key of the leases held on this node. */
    public static final String HELD_RESOURCE = "lock.held";

    private static final Logger LOG = LoggerFactory.getLogger(LockService.class);

    private final NodeSettings settings;
    private final LeaseTimer timer;
    private final AdapterRegistry<LockAdapter> adapters = new AdapterRegistry<>("lock adapter");
    private final Map<String, Lease> leasesByKey = new ConcurrentHashMap<>();

    @Activate
    public LockService(@Reference(name = "settings") NodeSettings settings) {
        this(settings, new ExecutorLeaseTimer());
    }

    LockService(NodeSettings settings, LeaseTimer timer) {
        this.settings = settings;
        this.timer = timer;
        LOG.info("Lock service started on node {} with lock adapter {}", settings.nodeId(), settings.lockAdapter());
    }

    @Reference(name = "adapters", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeAdapter")
    public void addAdapter(LockAdapter adapter, Map<String, ?> properties) {
        adapters.add(adapter, properties);
    }

    public void removeAdapter(LockAdapter adapter, Map<String, ?> properties) {
        adapters.remove(adapter, properties);
    }

    /** Releases every lease still held on this node and stops the lease timer. */
    @Deactivate
    void deactivate() {
        int released = 0;
        for (Lease lease : new ArrayList<>(leasesByKey.values())) {
            if (lease.releaseOnStop()) {
                released++;
            }
        }
        timer.shutdown();
        LOG.info("Lock service stopped on node {}; {} leases released", settings.nodeId(), released);
    }

    @Override
    public Map<String, Long> resourceCounts() {
        return Map.of(HELD_RESOURCE, (long) leasesByKey.size());
    }

    /** Returns the leases held on this node now, sorted by key, for the operator shell. */
    public List<HeldLease> heldLeases() {
        List<HeldLease> held = new ArrayList<>();
        for (Lease lease : leasesByKey.values()) {
            if (lease.isHeld()) {
                held.add(new HeldLease(lease.key(), lease.owner().toString(), lease.fenceToken(),
                        lease.acquiredAt(), lease.expiresAt()));
            }
        }
        held.sort(Comparator.comparing(HeldLease::key));
        return held;
    }

    /**
     * Returns whether any node holds {@code key} now, as the lock adapter reports it.
     *
     * @throws IllegalArgumentException if the key is invalid
     * @throws IllegalStateException if the configured lock adapter is not registered
     */
    public boolean isLocked(String key) {
        Names.requireName("lock key", key);
        return adapter().isLocked(settings.scoped(key));
    }

    /** Acquires {@code key} for {@code owner}, as {@link LockManager#acquire} states. */
    LockHandle acquire(LockOwner owner, String key, Duration ttl) throws InterruptedException {
        String fullKey = checkRequest(key, ttl);
        LockAdapter adapter = adapter();

        long fenceToken = waitAsOwner(owner, key, () -> adapter.lock(fullKey));
        return grant(owner, adapter, key, fullKey, fenceToken, ttl);
    }

    /** Takes {@code key} for {@code owner} if it is free now, as {@link LockManager#tryAcquire} states. */
    Optional<LockHandle> tryAcquire(LockOwner owner, String key, Duration ttl) {
        try {
            return tryAcquire(owner, key, ttl, Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.debug("Interrupted while trying lock key {}; it was not taken", key);
            return Optional.empty();
        }
    }

    /** Takes {@code key} for {@code owner} if it becomes free within {@code wait}, as {@link LockManager} states. */
    Optional<LockHandle> tryAcquire(LockOwner owner, String key, Duration ttl, Duration wait)
            throws InterruptedException {
        if (wait == null || wait.isNegative()) {
            throw new IllegalArgumentException("wait " + wait + " for lock key '"
                    + Names.abbreviate(String.valueOf(key)) + "' is " + (wait == null ? "null" : "negative")
                    + "; expected a duration of 0 or more");
        }
        String fullKey = checkRequest(key, ttl);
        LockAdapter adapter = adapter();

        OptionalLong fenceToken = wait.isZero() ? adapter.tryLock(fullKey, wait)
                : waitAsOwner(owner, key, () -> adapter.tryLock(fullKey, wait));
        if (fenceToken.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(grant(owner, adapter, key, fullKey, fenceToken.getAsLong(), ttl));
    }

    /**
     * Runs {@code body} under {@code key} for {@code owner}, as {@link LockManager#runExclusive} states. The lease
     * counts as lost when it was no longer held at the moment the body returned or threw. A lease that runs out after
     * that moment but before the release does not make the call fail. When a body that returned normally lost its
     * lease, its result is dropped, because only an exception can be the cause.
     */
    <T> T runExclusive(LockOwner owner, String key, Callable<T> body, Duration ttl) throws Exception {
        return runExclusive(owner, key, body, ttl, null);
    }

    /**
     * Runs {@code body} like {@link #runExclusive(LockOwner, String, Callable, Duration)}, renewing the lease until
     * {@code maxHold} after the grant when that is not null. The renewal stops before the lease is released.
     */
    <T> T runExclusive(LockOwner owner, String key, Callable<T> body, Duration ttl, Duration maxHold)
            throws Exception {
        if (body == null) {
            throw new IllegalArgumentException("body for lock key '" + Names.abbreviate(String.valueOf(key))
                    + "' is null; expected a Callable to run under the lock");
        }
        if (maxHold != null) {
            requireTtl(key, ttl);
            requireTtl(key, maxHold);
            if (maxHold.compareTo(ttl) < 0) {
                throw new IllegalArgumentException("maxHold " + maxHold + " for lock key '" + key + "' is less "
                        + "than its ttl " + ttl + "; expected at least the ttl");
            }
        }
        Lease lease = (Lease) acquire(owner, key, ttl);

        T result = null;
        Throwable failure = null;
        try {
            if (maxHold != null) {
                lease.startRenewal(ttl, maxHold);
            }
            result = body.call();
        } catch (Throwable e) {
            failure = e;
        } finally {
            lease.stopRenewal();
        }
        String ending = failure == null ? "returned" : "threw";
        // The deadline only: a grant that the adapter lost shows in the unlock below, so no extra call is made.
        if (!lease.heldLocally()) {
            lease.expire();
            String limit;
            if (lease.lostGrant()) {
                limit = "was lost, because the lock adapter no longer had the grant (a node cut off from the "
                        + "cluster for longer than its session ttl loses its locks),";
            } else if (maxHold != null && lease.maxHoldReached()) {
                limit = "ran out after renewals up to its maximum hold of " + maxHold + " (ttl " + ttl + ")";
            } else if (maxHold != null) {
                limit = "ran out after its ttl of " + ttl + ", because no renewal came in time (maximum hold "
                        + maxHold + ")";
            } else {
                limit = "ran out after " + ttl;
            }
            throw lease.lost(limit + " before the body " + ending, failure);
        }
        if (!lease.releaseAfterBody()) {
            throw lease.lost("was no longer granted by the lock adapter when the body " + ending, failure);
        }
        if (failure instanceof Exception exception) {
            throw exception;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return result;
    }

    /**
     * Runs a request that may wait for {@code key} as a waiting thread of {@code owner}, so that the stop of the
     * owner's bundle ends the wait. The stop interrupts the thread, and the request then fails with
     * {@link IllegalStateException} instead of {@link InterruptedException}, with the interrupt flag cleared.
     */
    private <T> T waitAsOwner(LockOwner owner, String key, WaitingRequest<T> request) throws InterruptedException {
        if (!owner.startWaiting()) {
            throw closed(owner, key);
        }
        try {
            return request.run();
        } catch (InterruptedException e) {
            if (owner.isClosed()) {
                LOG.info("Request of bundle {} for lock key {} ended because the bundle stopped", owner, key);
                throw closed(owner, key);
            }
            throw e;
        } finally {
            owner.stopWaiting();
            if (owner.isClosed()) {
                // The stop's interrupt may arrive after the request returned; it was meant for the wait only.
                Thread.interrupted();
            }
        }
    }

    private static IllegalStateException closed(LockOwner owner, String key) {
        return new IllegalStateException("lock manager of bundle " + owner + " is closed, because the bundle "
                + "stopped; the request for lock key '" + key + "' was cancelled");
    }

    /** A call to the lock adapter that may wait. */
    @FunctionalInterface
    private interface WaitingRequest<T> {
        T run() throws InterruptedException;
    }

    /** Releases every lease {@code owner} still holds and closes it to new ones, when its bundle stops. */
    void releaseAll(LockOwner owner) {
        for (Lease lease : owner.close()) {
            if (lease.releaseOnStop()) {
                LOG.info("Released lock key {} (fence token {}) that bundle {} still held when it stopped",
                        lease.fullKey(), lease.fenceToken(), owner);
            }
        }
    }

    /** Removes a lease that ended from the table of held keys. */
    void forget(Lease lease) {
        leasesByKey.remove(lease.fullKey(), lease);
    }

    /**
     * Validates a request and returns the full key. A lease of the key on this node whose ttl has run out is expired
     * here, so the key is free at once even if the timer has not fired yet.
     */
    private String checkRequest(String key, Duration ttl) {
        Names.requireName("lock key", key);
        requireTtl(key, ttl);
        String fullKey = settings.scoped(key);

        Lease current = leasesByKey.get(fullKey);
        if (current != null && current.deadlinePassed()) {
            current.expire();
        } else if (current != null && current.holder() == Thread.currentThread() && current.heldLocally()) {
            throw new IllegalStateException("lock key '" + key + "' is already held by this thread (fence token "
                    + current.fenceToken() + "); locks are not reentrant, so release that handle first");
        }
        return fullKey;
    }

    private Lease grant(LockOwner owner, LockAdapter adapter, String key, String fullKey, long fenceToken,
            Duration ttl) {
        Lease lease = new Lease(this, adapter, owner, timer, key, fullKey, fenceToken, ttl);
        leasesByKey.put(fullKey, lease);
        lease.scheduleExpiry();

        if (!owner.add(lease)) {
            lease.releaseOnStop();
            throw new IllegalStateException("lock manager of bundle " + owner + " is closed, because the bundle "
                    + "stopped; lock key '" + key + "' was released again");
        }
        LOG.debug("Granted lock key {} (fence token {}) to {} for {}", fullKey, fenceToken, owner, ttl);
        return lease;
    }

    private LockAdapter adapter() {
        String name = settings.lockAdapter();
        return adapters.find(name).orElseThrow(() -> new IllegalStateException("lock.adapter '" + name
                + "' is not registered; registered: " + adapters.names()));
    }

    static void requireTtl(String key, Duration ttl) {
        if (ttl == null) {
            throw new IllegalArgumentException("ttl for lock key '" + key + "' is null; expected a positive "
                    + "duration of at most " + LockManager.MAX_TTL);
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl " + ttl + " for lock key '" + key + "' is not positive; "
                    + "expected a positive duration of at most " + LockManager.MAX_TTL);
        }
        if (ttl.compareTo(LockManager.MAX_TTL) > 0) {
            throw new IllegalArgumentException("ttl " + ttl + " for lock key '" + key + "' is more than the maximum "
                    + LockManager.MAX_TTL);
        }
    }

    /**
     * A lease held on this node, as the operator shell shows it.
     *
     * @param key the lock key, without the application prefix
     * @param owner the bundle that holds it
     * @param fenceToken the fence token of the grant
     * @param acquiredAt when it was granted, on this node's clock
     * @param expiresAt when its ttl runs out, on this node's clock
     */
    public record HeldLease(String key, String owner, long fenceToken, Instant acquiredAt, Instant expiresAt) {
    }
}
