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
 * <p>Each request runs on its own owner thread ({@link LockGrant}), which locks, keeps the grant and unlocks it when
 * {@link #unlock} is called from any thread, because Hazelcast binds a fenced lock to the thread that locked it. The
 * threads come from a cached pool: a thread serves one request at a time, from its wait to its release, and idle
 * threads end after a minute.
 *
 * <p>When a node dies, its locks stay held until its CP session expires, {@code cp.session.ttl.seconds} after its
 * last heartbeat. In unsafe mode ({@code cp.member.count} 0) the locks live on the partitions, with backups, and a
 * network partition can let both sides grant the same key; with Raft they need a majority of the CP members.
 *
 * <p><b>Warning:</b> every waiting or held request uses a thread of this node, so thousands of held keys mean
 * thousands of parked threads. An interrupted {@link #lock} returns at once, but its owner thread may still get the
 * key in the slice it is waiting in and then unlocks it at once, so the key can look held for up to
 * {@value LockGrant#SLICE_MILLIS} ms after the interrupt.
 */
@Component(service = LockAdapter.class, property = Adapters.NAME_PROPERTY + "=" + HazelcastMember.ADAPTER_NAME)
public final class HazelcastLockAdapter implements LockAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastLockAdapter.class);

    /**
     * Default maximum of cached lock proxies. Beyond it an arbitrary proxy is dropped for each new key, which costs
     * that key one lookup on its next use. A proxy holds no lock state, so dropping one changes nothing else.
     */
    static final int MAX_CACHED_PROXIES = 4_096;

    private final HazelcastInstance instance;
    private final String mode;
    private final int maxCachedProxies;
    private final AtomicLong threadNumber = new AtomicLong();
    private final ExecutorService owners = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "cohort-lock-owner-" + threadNumber.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });
    private final Set<LockGrant> requests = ConcurrentHashMap.newKeySet();
    /** Lock proxies by key, because with CP members each {@code getLock} costs a query to the METADATA group. */
    private final Map<String, FencedLock> proxies = new ConcurrentHashMap<>();
    private final Map<String, LockGrant> heldByKey = new ConcurrentHashMap<>();

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
        for (LockGrant grant : requests) {
            grant.cancel();
        }
        heldByKey.clear();
        proxies.clear();
        owners.shutdown();
        try {
            if (!owners.awaitTermination(LockGrant.SLICE_MILLIS * 4, TimeUnit.MILLISECONDS)) {
                LOG.warn("Lock owner threads did not stop within {} ms", LockGrant.SLICE_MILLIS * 4);
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
            return lockOf(key).isLocked();
        } catch (CPGroupDestroyedException | DistributedObjectDestroyedException e) {
            proxies.remove(key);
            throw e;
        }
    }

    @Override
    public String mode() {
        return mode;
    }

    private OptionalLong acquire(String key, long waitNanos) throws InterruptedException {
        LockGrant grant = new LockGrant(key, lockOf(key), waitNanos);
        requests.add(grant);
        try {
            owners.execute(grant);
        } catch (RejectedExecutionException e) {
            requests.remove(grant);
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
            // A cached proxy names its CP group, so after a CP reset or a destroy the next call must look it up again.
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
        heldByKey.put(key, grant);
        LOG.debug("Lock {} granted with fence token {}", key, token);
        return OptionalLong.of(token);
    }

    private FencedLock lockOf(String key) {
        FencedLock cached = proxies.get(key);
        if (cached != null) {
            return cached;
        }
        FencedLock lock = instance.getCPSubsystem().getLock(GridNames.lock(key));
        if (proxies.size() >= maxCachedProxies) {
            Iterator<String> keys = proxies.keySet().iterator();
            if (keys.hasNext()) {
                keys.next();
                keys.remove();
            }
        }
        cached = proxies.putIfAbsent(key, lock);
        return cached != null ? cached : lock;
    }

    /** Returns how many lock proxies this adapter caches. */
    int cachedProxies() {
        return proxies.size();
    }
}
