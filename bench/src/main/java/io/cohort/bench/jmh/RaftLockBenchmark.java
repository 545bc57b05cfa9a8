package io.cohort.bench.jmh;

import java.util.concurrent.TimeUnit;

import com.hazelcast.cp.lock.FencedLock;

import io.cohort.api.lock.LockManager;
import io.cohort.bench.fixture.BenchCluster;
import io.cohort.bench.fixture.Fixtures;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The Hazelcast rows of {@link LockBenchmark} on the Raft cluster, where all three members are CP members and every
 * lock operation is committed by a majority of them. All locks live in the one default CP group, so their names do
 * not affect where they run; the uncontended rows still cycle through {@value LockBenchmark#KEYS} keys as the unsafe
 * rows do.
 *
 * <p>{@code uncontended_rawRaftProxyPerCall} gets the proxy from {@code getCPSubsystem().getLock(name)} on every
 * call, as Cohort's lock adapter does, instead of keeping it. With CP members, Hazelcast 5.4 runs a query on the
 * METADATA CP group for that call, so the row shows what the lookup costs by itself.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RaftLockBenchmark {

    private int cursor;
    private BenchCluster cluster;
    private LockManager[] cohortLocks;
    private FencedLock[] rawLocks;
    private String[] rawLockNames;
    private FencedLock[] rawContendedLocks;

    @Setup(Level.Trial)
    public void setUp() {
        cluster = Fixtures.raft();
        cohortLocks = new LockManager[Fixtures.NODES];
        rawContendedLocks = new FencedLock[Fixtures.NODES];
        for (int i = 0; i < Fixtures.NODES; i++) {
            cohortLocks[i] = cluster.node(i).locks();
            rawContendedLocks[i] = cluster.instance(i).getCPSubsystem().getLock("bench.raw.contended");
        }
        rawLocks = new FencedLock[LockBenchmark.KEYS];
        rawLockNames = new String[LockBenchmark.KEYS];
        for (int i = 0; i < LockBenchmark.KEYS; i++) {
            rawLockNames[i] = "bench.raw.lock." + i;
            rawLocks[i] = cluster.instance(0).getCPSubsystem().getLock(rawLockNames[i]);
        }
    }

    private int nextKey() {
        int index = cursor;
        cursor = (index + 1) & (LockBenchmark.KEYS - 1);
        return index;
    }

    @Benchmark
    public long uncontended_cohortRaft() {
        return LockBenchmark.acquireRelease(cohortLocks[0], LockBenchmark.KEY_NAMES.get(nextKey()));
    }

    @Benchmark
    public long uncontended_rawRaft() {
        return LockBenchmark.lockUnlock(rawLocks[nextKey()]);
    }

    @Benchmark
    public long uncontended_rawRaftProxyPerCall() {
        String name = rawLockNames[nextKey()];
        return LockBenchmark.lockUnlock(cluster.instance(0).getCPSubsystem().getLock(name));
    }

    @Benchmark
    @Threads(Fixtures.NODES)
    public long contended_cohortRaft(LockBenchmark.NodeSlot slot) {
        return LockBenchmark.acquireRelease(cohortLocks[slot.index], LockBenchmark.CONTENDED_KEY);
    }

    @Benchmark
    @Threads(Fixtures.NODES)
    public long contended_rawRaft(LockBenchmark.NodeSlot slot) {
        return LockBenchmark.lockUnlock(rawContendedLocks[slot.index]);
    }
}
