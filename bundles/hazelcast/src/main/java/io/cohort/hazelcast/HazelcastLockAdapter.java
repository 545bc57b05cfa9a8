package io.cohort.hazelcast;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cp.exception.CPGroupDestroyedException;
import com.hazelcast.cp.lock.FencedLock;
import com.hazelcast.spi.exception.DistributedObjectDestroyedException;

import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.LockAdapter;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock adapter {@code hazelcast}: one CP {@link FencedLock} per key ({@code cohort.lock.<key>}), not reentrant,
 * whose fence token is the grant's token.
 *
 * <p>A request tries the key once on the calling thread, and only a request that has to wait takes a thread from a
 * cached pool for its wait ({@link LockGrant}); idle pool threads end after a minute. A request that may wait for a
 * key that this node found taken less than {@value #TAKEN_HINT_MILLIS} ms ago skips the try and waits at once,
 * which saves a call to the CP group per grant on a key that several nodes fight over. A grant is held under its own
 * owner id rather than a thread, so any thread can release it.
 *
 * <p>When a node dies, its locks stay held until its CP session expires, {@code cp.session.ttl.seconds} after its
 * last heartbeat. In unsafe mode ({@code cp.member.count} 0) the locks live on the partitions, with backups, and a
 * network partition can let both sides grant the same key; with Raft they need a majority of the CP members.
 *
 * <p><b>Warning:</b> every request that waits for a key uses a thread of this node while it waits, so thousands of
 * waiting requests mean thousands of parked threads; held keys use none. An interrupted {@link #lock} returns at
 * once, but its waiting thread may still get the key in the slice it is waiting in and then unlocks it at once, so
 * the key can look held for up to {@value LockGrant#SLICE_MILLIS} ms after the interrupt.
 */
@Component(service = LockAdapter.class, property = Adapters.NAME_PROPERTY + "=" + HazelcastMember.ADAPTER_NAME)
public final class HazelcastLockAdapter implements LockAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastLockAdapter.class);

    /**
     * Default maximum of cached lock proxies. Beyond it an arbitrary proxy is dropped for each new key, which costs
     * that key one lookup on its next use. A proxy holds no lock state, so dropping one changes nothing else.
     */
    static final int MAX_CACHED_PROXIES = 4_096;

    /** How long a key counts as contended after a try for it failed, in milliseconds. */
    static final long TAKEN_HINT_MILLIS = 1_000;

    private final HazelcastInstance instance;
    private final String mode;
    private final int maxCachedProxies;
    private final AtomicLong threadNumber = new AtomicLong();
    private final ExecutorService owners = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "cohort-lock-waiter-" + threadNumber.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });
    private final Set<LockGrant> requests = ConcurrentHashMap.newKeySet();
    /** Lock proxies by key, because with CP members each {@code getLock} costs a query to the METADATA group. */
    private final Map<String, KeyLock> proxies = new ConcurrentHashMap<>();
    private final Map<String, LockGrant> heldByKey = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    /** Creates the adapter on the node's member. */
    @Activate
    public HazelcastLockAdapter(@Reference(name = "member") HazelcastMember member) {
        this(member.instance(), member.settings());
    }

    HazelcastLockAdapter(HazelcastInstance instance, MemberSettings settings) {
        this(instance, settings, MAX_CACHED_PROXIES);
    }

    HazelcastLockAdapter(HazelcastInstance instance, MemberSettings settings, int maxCachedProxies) {
        this.instance = instance;
        this.mode = settings.cpMode();
        this.maxCachedProxies = maxCachedProxies;
    }

    /** Releases every grant still held here and stops the waiting requests. */
    @Deactivate
    void deactivate() {
        stopped = true;
        for (LockGrant grant : requests) {
            grant.cancel();
        }
        heldByKey.clear();
        proxies.clear();
        owners.shutdown();
        try {
            if (!owners.awaitTermination(LockGrant.SLICE_MILLIS * 4, TimeUnit.MILLISECONDS)) {
                LOG.warn("Lock waiter threads did not stop within {} ms", LockGrant.SLICE_MILLIS * 4);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Hazelcast lock adapter stopped");
    }

    @Override
    public OptionalLong tryLock(String key, Duration wait) throws InterruptedException {
        long waitNanos;
        try {
            waitNanos = wait.isNegative() ? 0 : wait.toNanos();
        } catch (ArithmeticException e) {
            // Longer than 292 years, which is as good as waiting forever.
            waitNanos = LockGrant.FOREVER;
        }
        return acquire(key, waitNanos);
    }

    @Override
    public long lock(String key) throws InterruptedException {
        OptionalLong token = acquire(key, LockGrant.FOREVER);
        if (token.isEmpty()) {
            throw new IllegalStateException("the Hazelcast lock adapter stopped while waiting for " + key);
        }
        return token.getAsLong();
    }

    @Override
    public boolean unlock(String key, long fenceToken) {
        LockGrant grant = heldByKey.get(key);
        if (grant == null || grant.fenceToken() != fenceToken || !heldByKey.remove(key, grant)) {
            return false;
        }
        boolean released = grant.release();
        requests.remove(grant);
        LOG.debug("Lock {} with fence token {} released: {}", key, fenceToken, released);
        return released;
    }

    @Override
    public boolean isLocked(String key) {
        try {
            return lockOf(key).lock.isLocked();
        } catch (CPGroupDestroyedException | DistributedObjectDestroyedException e) {
            proxies.remove(key);
            throw e;
        }
    }

    /**
     * Asks the CP group whether this node's grant of {@code key} with {@code fenceToken} still owns it. The grant
     * ends there without an unlock when this member's CP session expired, for example after a pause longer than
     * {@code cp.session.ttl.seconds}.
     */
    @Override
    public boolean isGranted(String key, long fenceToken) {
        LockGrant grant = heldByKey.get(key);
        if (grant == null || grant.fenceToken() != fenceToken) {
            return false;
        }
        return grant.isGranted();
    }

    @Override
    public String mode() {
        return mode;
    }

    private OptionalLong acquire(String key, long waitNanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before locking " + key);
        }
        if (stopped) {
            throw new IllegalStateException("the Hazelcast lock adapter is stopped; " + key + " was not locked");
        }
        KeyLock keyLock = lockOf(key);
        long start = System.nanoTime();
        LockGrant grant = new LockGrant(key, keyLock.lock);
        if (waitNanos == 0 || !keyLock.recentlyTaken(start)) {
            try {
                if (grant.tryOnce()) {
                    return granted(key, grant);
                }
            } catch (CPGroupDestroyedException | DistributedObjectDestroyedException e) {
                // A cached proxy names its CP group, so after a CP reset or a destroy the next lookup must be new.
                proxies.remove(key);
                throw e;
            }
            keyLock.markTaken();
        }
        long remaining = waitNanos == LockGrant.FOREVER ? waitNanos : waitNanos - (System.nanoTime() - start);
        if (remaining <= 0) {
            grant.giveUp();
            return OptionalLong.empty();
        }
        return await(key, grant, remaining);
    }

    /** Waits for a key that the first try found taken, on a pool thread, and returns its fence token if granted. */
    private OptionalLong await(String key, LockGrant grant, long waitNanos) throws InterruptedException {
        requests.add(grant);
        try {
            owners.execute(() -> grant.waitFor(waitNanos));
        } catch (RejectedExecutionException e) {
            requests.remove(grant);
            grant.giveUp();
            throw new IllegalStateException("the Hazelcast lock adapter is stopped; " + key + " was not locked", e);
        }

        long token;
        try {
            token = grant.awaitAcquired();
        } catch (InterruptedException e) {
            grant.cancel();
            requests.remove(grant);
            LOG.debug("Request for lock {} interrupted; nothing is granted", key);
            throw e;
        } catch (CPGroupDestroyedException | DistributedObjectDestroyedException e) {
            proxies.remove(key);
            requests.remove(grant);
            throw e;
        } catch (RuntimeException e) {
            requests.remove(grant);
            throw e;
        }
        if (token == FencedLock.INVALID_FENCE) {
            requests.remove(grant);
            return OptionalLong.empty();
        }
        return granted(key, grant);
    }

    private OptionalLong granted(String key, LockGrant grant) {
        requests.add(grant);
        heldByKey.put(key, grant);
        LOG.debug("Lock {} granted with fence token {}", key, grant.fenceToken());
        return OptionalLong.of(grant.fenceToken());
    }

    private KeyLock lockOf(String key) {
        KeyLock cached = proxies.get(key);
        if (cached != null) {
            return cached;
        }
        KeyLock keyLock = new KeyLock(instance.getCPSubsystem().getLock(GridNames.lock(key)));
        if (proxies.size() >= maxCachedProxies) {
            Iterator<String> keys = proxies.keySet().iterator();
            if (keys.hasNext()) {
                keys.next();
                keys.remove();
            }
        }
        cached = proxies.putIfAbsent(key, keyLock);
        return cached != null ? cached : keyLock;
    }

    /** Returns the owner id of this adapter's grant of {@code key}, or 0 without a grant. */
    long ownerIdOf(String key) {
        LockGrant grant = heldByKey.get(key);
        return grant == null ? 0 : grant.ownerId();
    }

    /** Returns how many waiting threads this adapter has started so far. */
    long startedWaiters() {
        return threadNumber.get();
    }

    /** Returns how many lock proxies this adapter caches. */
    int cachedProxies() {
        return proxies.size();
    }

    /** A cached lock proxy, and until when its key counts as taken on this node. */
    private static final class KeyLock {

        final FencedLock lock;
        private volatile long takenUntilNanos;

        KeyLock(FencedLock lock) {
            this.lock = lock;
            this.takenUntilNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(TAKEN_HINT_MILLIS);
        }

        boolean recentlyTaken(long nowNanos) {
            return nowNanos - takenUntilNanos < 0;
        }

        void markTaken() {
            takenUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TAKEN_HINT_MILLIS);
        }
    }
}
