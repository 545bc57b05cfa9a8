package io.cohort.bench.jmh;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cp.lock.FencedLock;

import io.cohort.api.lock.LockHandle;
import io.cohort.api.lock.LockManager;
import io.cohort.bench.fixture.BenchCluster;
import io.cohort.bench.fixture.BenchNode;
import io.cohort.bench.fixture.Fixtures;
import io.cohort.bench.fixture.Placement;
import io.cohort.hazelcast.EmbeddedMembers;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.ThreadParams;
import org.redisson.api.RLock;

/**
 * Lock acquire plus release: uncontended from one thread on member 0, and contended by three threads, one per
 * node, on one key. The Hazelcast rows run on the grid cluster, whose CP subsystem is in unsafe mode.
 *
 * <p>In CP unsafe mode each lock lives on the partition of its name, so the uncontended rows cycle through
 * {@value #KEYS} keys, and each raw lock name is picked to have the same partition owner as the Cohort key it is
 * compared with. The contended raw lock likewise shares its owner with the contended Cohort key.
 *
 * <p>Every lease has a 30-second ttl: Cohort's {@code acquire(key, ttl)}, and Redisson's {@code lock(30, SECONDS)},
 * which sets the key's expiry in Redis instead of renewing it from a watchdog. The raw fenced lock has no ttl; it is
 * held until unlocked or until its member's CP session ends. Contended rows count the acquisitions of all threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LockBenchmark {

    /** Number of keys the uncontended rows cycle through; a power of two. */
    static final int KEYS = 16;

    static final Duration TTL = Duration.ofSeconds(30);
    static final String CONTENDED_KEY = "bench-contended";

    private final ReentrantLock plainLock = new ReentrantLock();
    /** The keys of the uncontended rows. */
    static final List<String> KEY_NAMES = IntStream.range(0, KEYS).mapToObj(i -> "bench-lock-" + i).toList();

    private int cursor;
    private LockManager memoryLocks;
    private LockManager[] cohortLocks;
    private FencedLock[] rawLocks;
    private FencedLock[] rawContendedLocks;
    private RLock[] redisLocks;
    private RLock[] redisContendedLocks;

    /** The node that one benchmark thread uses: thread i uses node i modulo 3. */
    @State(Scope.Thread)
    public static class NodeSlot {

        int index;

        @Setup(Level.Trial)
        public void pick(ThreadParams params) {
            index = params.getThreadIndex() % Fixtures.NODES;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        BenchCluster cluster = Fixtures.grid();
        memoryLocks = Fixtures.inProcess().locks();
        cohortLocks = new LockManager[Fixtures.NODES];
        rawContendedLocks = new FencedLock[Fixtures.NODES];
        redisContendedLocks = new RLock[Fixtures.NODES];
        String rawContendedName = rawLockName(cluster.instance(0), CONTENDED_KEY, "bench.raw.contended.");
        for (int i = 0; i < Fixtures.NODES; i++) {
            cohortLocks[i] = cluster.node(i).locks();
            rawContendedLocks[i] = cluster.instance(i).getCPSubsystem().getLock(rawContendedName);
            redisContendedLocks[i] = Fixtures.redis().client(i).getLock("bench:contended");
        }

        rawLocks = new FencedLock[KEYS];
        redisLocks = new RLock[KEYS];
        for (int i = 0; i < KEYS; i++) {
            rawLocks[i] = cluster.instance(0).getCPSubsystem().getLock(rawLockName(cluster.instance(0),
                    KEY_NAMES.get(i), "bench.raw.lock." + i + "."));
            redisLocks[i] = Fixtures.redis().client(0).getLock("bench:lock:" + i);
        }
    }

    /** Returns a raw lock name, starting with {@code prefix}, whose partition has the owner of Cohort's {@code key}. */
    static String rawLockName(HazelcastInstance instance, String key, String prefix) {
        return Placement.sameOwner(instance, EmbeddedMembers.lockName(BenchNode.APP + ":" + key), prefix,
                UnaryOperator.identity());
    }

    private int nextKey() {
        int index = cursor;
        cursor = (index + 1) & (KEYS - 1);
        return index;
    }

    @Benchmark
    public long uncontended_cohortMemory() {
        return acquireRelease(memoryLocks, KEY_NAMES.get(nextKey()));
    }

    @Benchmark
    public void uncontended_reentrantLock() {
        plainLock.lock();
        plainLock.unlock();
    }

    @Benchmark
    public long uncontended_cohortUnsafe() {
        return acquireRelease(cohortLocks[0], KEY_NAMES.get(nextKey()));
    }

    @Benchmark
    public long uncontended_rawUnsafe() {
        return lockUnlock(rawLocks[nextKey()]);
    }

    @Benchmark
    public void uncontended_redisson() {
        lockUnlock(redisLocks[nextKey()]);
    }

    @Benchmark
    @Threads(Fixtures.NODES)
    public long contended_cohortUnsafe(NodeSlot slot) {
        return acquireRelease(cohortLocks[slot.index], CONTENDED_KEY);
    }

    @Benchmark
    @Threads(Fixtures.NODES)
    public long contended_rawUnsafe(NodeSlot slot) {
        return lockUnlock(rawContendedLocks[slot.index]);
    }

    /**
     * Locks the raw contended lock as Cohort's adapter waits for a key: with a timeout, after which a request that
     * gave up can leave. With three threads each request gets the key long before the timeout.
     */
    @Benchmark
    @Threads(Fixtures.NODES)
    public long contended_rawUnsafeTimed(NodeSlot slot) {
        FencedLock lock = rawContendedLocks[slot.index];
        long fence = lock.tryLockAndGetFence(500, TimeUnit.MILLISECONDS);
        if (fence != FencedLock.INVALID_FENCE) {
            lock.unlock();
        }
        return fence;
    }

    @Benchmark
    @Threads(Fixtures.NODES)
    public void contended_redisson(NodeSlot slot) {
        lockUnlock(redisContendedLocks[slot.index]);
    }

    /** Acquires and releases {@code key} through a Cohort lock manager and returns the fence token. */
    static long acquireRelease(LockManager locks, String key) {
        LockHandle handle;
        try {
            handle = locks.acquire(key, TTL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while acquiring " + key, e);
        }
        handle.release();
        return handle.fenceToken();
    }

    /** Locks and unlocks a Hazelcast fenced lock and returns the fence token. */
    static long lockUnlock(FencedLock lock) {
        long fence = lock.lockAndGetFence();
        lock.unlock();
        return fence;
    }

    static void lockUnlock(RLock lock) {
        lock.lock(TTL.toSeconds(), TimeUnit.SECONDS);
        lock.unlock();
    }
}
