package io.cohort.core.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.cohort.api.lock.LockHandle;
import io.cohort.api.lock.LockManager;
import io.cohort.core.node.HeldResources;
import io.cohort.core.node.Names;

import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;

/**
 * The lock manager service instance of one bundle. It records the leases the bundle holds, and releases those still
 * held when the bundle stops or releases the service. After that it rejects new requests with
 * {@link IllegalStateException}.
 */
@Component(service = LockManager.class, scope = ServiceScope.BUNDLE)
public final class BundleLockManager implements LockManager, HeldResources {

    private final LockService service;
    private final LockOwner owner;

    @Activate
    public BundleLockManager(@Reference(name = "service") LockService service, ComponentContext context) {
        this(service, describe(context.getUsingBundle()));
    }

    BundleLockManager(LockService service, String bundle) {
        this.service = service;
        this.owner = new LockOwner(bundle);
    }

    @Deactivate
    void deactivate() {
        service.releaseAll(owner);
    }

    @Override
    public int releaseHeld() {
        int held = owner.size();
        service.releaseAll(owner);
        return held;
    }

    @Override
    public <T> T runExclusive(String key, Callable<T> body, Duration ttl) throws Exception {
        return service.runExclusive(owner, key, body, ttl);
    }

    @Override
    public <T> T runExclusive(String key, Callable<T> body, Duration ttl, Duration maxHold) throws Exception {
        if (maxHold == null) {
            throw new IllegalArgumentException("maxHold for lock key '" + Names.abbreviate(String.valueOf(key))
                    + "' is null; expected a duration of at least the ttl, or runExclusive without it");
        }
        return service.runExclusive(owner, key, body, ttl, maxHold);
    }

    @Override
    public Optional<LockHandle> tryAcquire(String key, Duration ttl, Duration wait) throws InterruptedException {
        return service.tryAcquire(owner, key, ttl, wait);
    }

    @Override
    public LockHandle acquire(String key, Duration ttl) throws InterruptedException {
        return service.acquire(owner, key, ttl);
    }

    @Override
    public Optional<LockHandle> tryAcquire(String key, Duration ttl) {
        return service.tryAcquire(owner, key, ttl);
    }

    @Override
    public Optional<LockHandle> tryAcquire(String key) {
        return tryAcquire(key, DEFAULT_TTL);
    }

    /** Returns how many leases the bundle holds now. */
    int heldCount() {
        return owner.size();
    }

    private static String describe(Bundle using) {
        return using == null ? "(unknown)" : using.getSymbolicName() + " [" + using.getBundleId() + "]";
    }
}
